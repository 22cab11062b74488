import FuzzDriver
import TriageCore

// Text access formats: detection over the presets, then records, aggregates and
// the renderers. Oracles: records + malformed + blank + skipped = lines = the
// line ends in the input (every input); no raw control byte in any report (the
// inputs `isRendered` picks, one in FUZZ_RENDER_EVERY).
runFuzzer { bytes in
    let summary = _FuzzEntry.accessLog(bytes)
    if isRendered(bytes) { checkRenderers(summary) }
}
