// Searches for classes of bytes sixteen at a time with SSE2 (every x86-64 has it), for the readers' hot loops.
//
// Swift's SIMD types were tried first for the JSON writer's search and compiled to scalar code (more than twice
// the instructions of the eight-bytes-in-a-word version they were to replace); these are plain loops of SSE2
// intrinsics, with a byte-at-a-time fallback where SSE2 is missing.
#ifndef BUS_BYTES_H
#define BUS_BYTES_H

#include <stddef.h>
#include <stdint.h>

// The index of the first byte in `bytes[0, count)` that a JSON string literal must escape or look at: below 0x20,
// the quote, the backslash, and 0xE2 (the lead byte of U+2028 and U+2029), or, when `flag_non_ascii` is set,
// every byte from 0x80 up (text whose UTF-8 is checked on the way). `count` when there is none.
size_t bus_json_special(const uint8_t *bytes, size_t count, int flag_non_ascii);

// The index of the first byte in `bytes[0, count)` that a plain YAML value must be looked at for: a control byte
// (below 0x20, the tab included), `#`, `:` or DEL. `count` when there is none.
size_t bus_yaml_indicator(const uint8_t *bytes, size_t count);

// The index of the first byte in `bytes[0, count)` that text shown on a terminal must be looked at for: below 0x20
// (tabs and line breaks included), DEL, 0xC2 (the lead byte of the C1 controls) or 0xE2 (of the bidirectional
// controls). `count` when there is none.
size_t bus_terminal_special(const uint8_t *bytes, size_t count);

// The index of the first place in `bytes[0, count)` where `needle[0, needle_count)` occurs with ASCII letters of
// either case: `needle` is lowercased ASCII. 0 for an empty needle; `count` when there is no match. The monitor's
// word filter, over held messages' text and a large bus's records read as bytes (bus_search.c).
size_t bus_find_folded(const uint8_t *bytes, size_t count, const uint8_t *needle, size_t needle_count);

#endif
