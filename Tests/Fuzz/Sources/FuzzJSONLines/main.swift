import FuzzDriver
import TriageCore

// The JSON-lines decoder (json, caddy, traefik, envoy presets), with the access-log oracles.
runFuzzer { bytes in
    for summary in _FuzzEntry.jsonLines(bytes) { checkRenderers(summary) }
}
