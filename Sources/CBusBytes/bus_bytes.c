#include "bus_bytes.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>

static inline __m128i load(const uint8_t *bytes) { return _mm_loadu_si128((const __m128i *)bytes); }

// Eight or four bytes in the low lanes, zeros above (masks of them are cut to their lanes).
static inline __m128i load8(const uint8_t *bytes) {
    uint64_t word;
    memcpy(&word, bytes, sizeof word);
    return _mm_cvtsi64_si128((long long)word);
}

static inline __m128i load4(const uint8_t *bytes) {
    uint32_t word;
    memcpy(&word, bytes, sizeof word);
    return _mm_cvtsi32_si128((int)word);
}

// The bytes of `chunk` below 0x20: with their high bit flipped, they are the signed bytes below (0x20 ^ 0x80).
static inline __m128i below_space(__m128i chunk) {
    return _mm_cmplt_epi8(_mm_xor_si128(chunk, _mm_set1_epi8((char)0x80)), _mm_set1_epi8((char)(0x20 ^ 0x80)));
}

// The bytes of `chunk` equal to `byte`.
static inline __m128i equal(__m128i chunk, uint8_t byte) { return _mm_cmpeq_epi8(chunk, _mm_set1_epi8((char)byte)); }

static inline int json_mask(__m128i chunk, int flag_non_ascii) {
    __m128i escaped = _mm_or_si128(below_space(chunk), _mm_or_si128(equal(chunk, 0x22), equal(chunk, 0x5C)));
    // The high bit of every byte from 0x80 up, or only the lead byte of U+2028 and U+2029.
    __m128i other = flag_non_ascii ? chunk : equal(chunk, 0xE2);
    return _mm_movemask_epi8(escaped) | _mm_movemask_epi8(other);
}

static inline int yaml_mask(__m128i chunk) {
    __m128i hash_or_colon = _mm_or_si128(equal(chunk, 0x23), equal(chunk, 0x3A));
    __m128i control = _mm_or_si128(below_space(chunk), equal(chunk, 0x7F));
    return _mm_movemask_epi8(_mm_or_si128(hash_or_colon, control));
}

static inline int terminal_mask(__m128i chunk) {
    __m128i control = _mm_or_si128(below_space(chunk), equal(chunk, 0x7F));
    __m128i leads = _mm_or_si128(equal(chunk, 0xC2), equal(chunk, 0xE2));
    return _mm_movemask_epi8(_mm_or_si128(control, leads));
}

// The first set bit of `mask` as an index from `base`, or `none`.
static inline size_t first(int mask, size_t base, size_t none) {
    return mask != 0 ? base + (size_t)__builtin_ctz((unsigned)mask) : none;
}

// A search of 4 to 15 bytes: two loads that overlap in the middle and stay inside the bytes, so that the short
// fields of a header (a type, an id) cost a few vector steps instead of a loop over their bytes.
static inline size_t short_search(const uint8_t *bytes, size_t count, int (*mask)(__m128i, int), int arg) {
    if (count >= 8) {
        int head = mask(load8(bytes), arg) & 0xFF;
        if (head != 0) return first(head, 0, count);
        return first(mask(load8(bytes + count - 8), arg) & 0xFF, count - 8, count);
    }
    int head = mask(load4(bytes), arg) & 0xF;
    if (head != 0) return first(head, 0, count);
    return first(mask(load4(bytes + count - 4), arg) & 0xF, count - 4, count);
}

static inline int yaml_mask_of(__m128i chunk, int unused) {
    (void)unused;
    return yaml_mask(chunk);
}

static inline int terminal_mask_of(__m128i chunk, int unused) {
    (void)unused;
    return terminal_mask(chunk);
}

// The search of every class, for 4 bytes and more: whole chunks, then the rest as the last sixteen bytes (those it
// shares with the chunk before hold nothing flagged), or a short search. `count` when nothing is flagged; the
// caller's byte loop answers for fewer than 4 bytes (`SIZE_MAX` here).
static inline size_t vector_search(const uint8_t *bytes, size_t count, int (*mask)(__m128i, int), int arg) {
    if (count < 4) return SIZE_MAX;
    if (count < 16) return short_search(bytes, count, mask, arg);
    size_t index = 0;
    for (; index + 16 <= count; index += 16) {
        int found = mask(load(bytes + index), arg);
        if (found != 0) return first(found, index, count);
    }
    if (index == count) return count;
    size_t start = count - 16;
    return first(mask(load(bytes + start), arg), start, count);
}
#endif

size_t bus_json_special(const uint8_t *bytes, size_t count, int flag_non_ascii) {
#if defined(__SSE2__)
    size_t found = vector_search(bytes, count, json_mask, flag_non_ascii);
    if (found != SIZE_MAX) return found;
#endif
    size_t index = 0;
    for (; index < count; index += 1) {
        uint8_t byte = bytes[index];
        if (byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0xE2 || (flag_non_ascii && byte >= 0x80)) break;
    }
    return index;
}

size_t bus_yaml_indicator(const uint8_t *bytes, size_t count) {
#if defined(__SSE2__)
    size_t found = vector_search(bytes, count, yaml_mask_of, 0);
    if (found != SIZE_MAX) return found;
#endif
    size_t index = 0;
    for (; index < count; index += 1) {
        uint8_t byte = bytes[index];
        if (byte < 0x20 || byte == 0x23 || byte == 0x3A || byte == 0x7F) break;
    }
    return index;
}

size_t bus_terminal_special(const uint8_t *bytes, size_t count) {
#if defined(__SSE2__)
    size_t found = vector_search(bytes, count, terminal_mask_of, 0);
    if (found != SIZE_MAX) return found;
#endif
    size_t index = 0;
    for (; index < count; index += 1) {
        uint8_t byte = bytes[index];
        if (byte < 0x20 || byte == 0x7F || byte == 0xC2 || byte == 0xE2) break;
    }
    return index;
}
