import FuzzDriver
import TriageCore

// gzip input with both engines. Oracle: ISA-L and zlib accept and refuse the same
// streams and produce the same bytes.
runFuzzer { bytes in
    _FuzzEntry.gzip(bytes)
}
