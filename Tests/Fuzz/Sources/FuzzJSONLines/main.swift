import FuzzDriver
import TriageCore

// The JSON-lines decoder (json, caddy, traefik, envoy presets), with the access-log oracles.
runFuzzer { bytes in
    let summaries = _FuzzEntry.jsonLines(bytes)
    if isRendered(bytes) { summaries.forEach(checkRenderers) }
}
