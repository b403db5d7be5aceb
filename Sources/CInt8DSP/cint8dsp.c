// CInt8DSP is header-only (static inline functions in include/cint8dsp.h); SwiftPM wants one source file.
#include "cint8dsp.h"
