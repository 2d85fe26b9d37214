#include "bus_checksum.h"

#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>

// Compiled for SSE4.2 on its own and called only after the processor said it has it.
__attribute__((target("sse4.2"))) static uint32_t update_sse42(uint32_t state, const uint8_t *bytes, size_t count) {
    uint64_t crc = state;
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, bytes, 8);  // unaligned load, one instruction
        crc = _mm_crc32_u64(crc, word);
        bytes += 8;
        count -= 8;
    }
    uint32_t tail = (uint32_t)crc;
    while (count > 0) {
        tail = _mm_crc32_u8(tail, *bytes);
        bytes += 1;
        count -= 1;
    }
    return tail;
}

uint32_t bus_crc32c_update(uint32_t state, const uint8_t *bytes, size_t count, int *done) {
    static int cached = -1;  // every thread computes the same answer; relaxed atomics make the race defined
    int supported = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (supported < 0) {
        supported = __builtin_cpu_supports("sse4.2") ? 1 : 0;
        __atomic_store_n(&cached, supported, __ATOMIC_RELAXED);
    }
    *done = supported;
    return supported ? update_sse42(state, bytes, count) : state;
}

#elif defined(__aarch64__) && defined(__linux__)
#include <arm_acle.h>
#include <sys/auxv.h>

#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1 << 7)
#endif

__attribute__((target("crc"))) static uint32_t update_armv8(uint32_t state, const uint8_t *bytes, size_t count) {
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, bytes, 8);
        state = __crc32cd(state, word);
        bytes += 8;
        count -= 8;
    }
    while (count > 0) {
        state = __crc32cb(state, *bytes);
        bytes += 1;
        count -= 1;
    }
    return state;
}

uint32_t bus_crc32c_update(uint32_t state, const uint8_t *bytes, size_t count, int *done) {
    static int cached = -1;
    int supported = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (supported < 0) {
        supported = (getauxval(AT_HWCAP) & HWCAP_CRC32) ? 1 : 0;
        __atomic_store_n(&cached, supported, __ATOMIC_RELAXED);
    }
    *done = supported;
    return supported ? update_armv8(state, bytes, count) : state;
}

#else

uint32_t bus_crc32c_update(uint32_t state, const uint8_t *bytes, size_t count, int *done) {
    (void)bytes;
    (void)count;
    *done = 0;
    return state;
}

#endif
