import FuzzDriver
import TriageCore

// Time and duration specifications, log times in every form, strftime layouts.
runFuzzer { bytes in
    _FuzzEntry.timeSpec(bytes)
}
