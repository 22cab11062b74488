#ifndef CHINTS_H
#define CHINTS_H

/// Asks the CPU to bring the cache line at `address` in, for writing, without
/// waiting for it (a hint: never faults, whatever the address). Swift has no
/// spelling for this; a lookup that will miss the cache starts early through it
/// (ClientTable.Lookup; Docs/Benchmarks.md, "The per-client table in one slot").
static inline void CHints_prefetch(const void *address) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(address, 1, 3);
#else
    (void)address;
#endif
}

#endif
