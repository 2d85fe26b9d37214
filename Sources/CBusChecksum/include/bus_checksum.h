// CRC-32C (Castagnoli) with the processor's own instruction where it has one.
//
// Swift has no portable way to reach SSE4.2's `crc32` or ARMv8's `crc32c` instructions, and the software
// slicing-by-8 table walk costs about a tenth of a whole read of this tool's own layout (every record carries a
// `crc32c` of its body). It keeps no state but the answer of the processor check, made once.
#ifndef BUS_CHECKSUM_H
#define BUS_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

// Feeds `count` bytes into a running CRC-32C `state` (the pre-inverted register: start with 0xFFFFFFFF, the
// checksum is ~state) and returns the new state, or returns `state` unchanged with *done = 0 when the processor
// has no CRC-32C instruction (the caller then uses its software table).
uint32_t bus_crc32c_update(uint32_t state, const uint8_t *bytes, size_t count, int *done);

#endif
