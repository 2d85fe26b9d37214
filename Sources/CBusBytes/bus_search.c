// Finds a word in text ignoring ASCII case, sixteen candidate places at a time with SSE2 (a byte-at-a-time loop
// where SSE2 is missing).
#include "bus_bytes.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static inline uint8_t lower(uint8_t byte) { return byte >= 'A' && byte <= 'Z' ? byte | 0x20 : byte; }

// `b | fold == c` is `lower(b) == c` for a lowercase letter `c` (fold 0x20) and plain equality for the rest.
static inline uint8_t fold_of(uint8_t byte) { return byte >= 'a' && byte <= 'z' ? 0x20 : 0; }

static inline int matches_at(const uint8_t *bytes, const uint8_t *needle, size_t count) {
    for (size_t index = 1; index < count; index++) {
        if (lower(bytes[index]) != needle[index]) return 0;
    }
    return 1;
}

size_t bus_find_folded(const uint8_t *bytes, size_t count, const uint8_t *needle, size_t needle_count) {
    if (needle_count == 0) return 0;
    if (needle_count > count) return count;
    const uint8_t first = needle[0], last = needle[needle_count - 1];
    const uint8_t first_fold = fold_of(first), last_fold = fold_of(last);
    const size_t starts = count - needle_count + 1;
    size_t start = 0;
#ifdef __SSE2__
    // Candidates are places where both the first and the last byte of the needle fit: far fewer than where the
    // first alone does, for the cost of a second load.
    const __m128i firsts = _mm_set1_epi8((char)first), first_folds = _mm_set1_epi8((char)first_fold);
    const __m128i lasts = _mm_set1_epi8((char)last), last_folds = _mm_set1_epi8((char)last_fold);
    for (; start + 16 <= starts; start += 16) {
        const __m128i heads = _mm_loadu_si128((const __m128i *)(bytes + start));
        const __m128i tails = _mm_loadu_si128((const __m128i *)(bytes + start + needle_count - 1));
        const __m128i both = _mm_and_si128(_mm_cmpeq_epi8(_mm_or_si128(heads, first_folds), firsts),
                                           _mm_cmpeq_epi8(_mm_or_si128(tails, last_folds), lasts));
        unsigned mask = (unsigned)_mm_movemask_epi8(both);
        while (mask != 0) {
            const size_t place = start + (size_t)__builtin_ctz(mask);
            if (matches_at(bytes + place, needle, needle_count)) return place;
            mask &= mask - 1;
        }
    }
#endif
    for (; start < starts; start++) {
        if ((bytes[start] | first_fold) == first && matches_at(bytes + start, needle, needle_count)) return start;
    }
    return count;
}
