import FuzzDriver
import TriageCore

// Text access formats: detection over the presets, then records, aggregates and
// every renderer. Oracles: records + malformed + blank + skipped = lines = the
// line ends in the input; no raw control byte in any report.
runFuzzer { bytes in
    checkRenderers(_FuzzEntry.accessLog(bytes))
}
