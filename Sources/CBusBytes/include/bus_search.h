// Finds a word in text ignoring ASCII case, sixteen candidate places at a time with SSE2: the monitor's word
// filter over a large bus's records, read as bytes (a byte-at-a-time loop where SSE2 is missing).
#ifndef BUS_SEARCH_H
#define BUS_SEARCH_H

#include <stddef.h>
#include <stdint.h>

// The index of the first place in `bytes[0, count)` where `needle[0, needle_count)` occurs with ASCII letters of
// either case: `needle` is lowercased ASCII. 0 for an empty needle; `count` when there is no match.
size_t bus_find_folded(const uint8_t *bytes, size_t count, const uint8_t *needle, size_t needle_count);

#endif
