// Intentionally empty: SwiftPM needs one source file per C target.
#include "CPCRE2.h"
