import FuzzDriver
import TriageCore

// Application logs: line scanning, event assembly, signatures.
runFuzzer { bytes in
    _FuzzEntry.appLog(bytes)
}
