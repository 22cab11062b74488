import FuzzDriver
import TriageCore

// nginx.conf text and --log-format / --field specifications (first line), run over
// the remaining lines with the access-log oracles.
runFuzzer { bytes in
    let summaries = _FuzzEntry.formatSpec(bytes)
    if isRendered(bytes) { summaries.forEach(checkRenderers) }
}
