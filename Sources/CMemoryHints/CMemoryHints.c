// The hints are static inline functions in include/CMemoryHints.h; SwiftPM wants a source file.
#include "CMemoryHints.h"
