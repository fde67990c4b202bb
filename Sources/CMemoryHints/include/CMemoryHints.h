// CMemoryHints: cache hints Swift has no spelling for.
//
// The searcher visits documents whose records lie far apart in a memory-mapped segment; each
// visit used to wait for the record's cache lines one after the other. A prefetch issued a few
// documents ahead lets those loads overlap with the work on the documents before.
#ifndef CMEMORYHINTS_H
#define CMEMORYHINTS_H

/// Starts loading the cache line holding `address` for reading (no fault, no effect on results:
/// an address outside the mapping is simply ignored by the CPU).
static inline void verbatim_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
