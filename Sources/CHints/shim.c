// The hints are static inline functions in include/CHints.h; this file only
// gives SwiftPM a C target to build.
#include "CHints.h"
