// Appending to a `cfb_buf`, inlined into the C files of this target (not part of the module's interface).
#ifndef CFEEDBYTES_BUFFER_H
#define CFEEDBYTES_BUFFER_H

#include "CFeedBytes.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>
/// AVX2 loops are compiled (with `target("avx2")`) and chosen at run time when the processor has AVX2.
#define CFB_AVX2 1
/// Whether the AVX2 loops may run (detected once; `cfb_use_avx2` overrides it for tests).
int cfb_avx2_enabled(void);
#endif

/// Grows `b` to hold `extra` more bytes (at least doubling); aborts when out of memory.
void cfb_buf_grow(cfb_buf *b, size_t extra);

/// Copies `n` bytes (at most 16) without a call: two overlapping moves of the largest power of two that fits
/// (never reading or writing outside `src[0..<n]` and `dst[0..<n]`).
static inline void copy_small(uint8_t *dst, const uint8_t *src, size_t n) {
    if (n >= 8) {
        uint64_t a, z;
        memcpy(&a, src, 8);
        memcpy(&z, src + n - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + n - 8, &z, 8);
    } else if (n >= 4) {
        uint32_t a, z;
        memcpy(&a, src, 4);
        memcpy(&z, src + n - 4, 4);
        memcpy(dst, &a, 4);
        memcpy(dst + n - 4, &z, 4);
    } else if (n >= 2) {
        uint16_t a, z;
        memcpy(&a, src, 2);
        memcpy(&z, src + n - 2, 2);
        memcpy(dst, &a, 2);
        memcpy(dst + n - 2, &z, 2);
    } else if (n == 1) {
        *dst = *src;
    }
}

/// The index of the first byte in `from..<to` equal to `a`, `b` or `c`, or `to` (sixteen bytes at a time).
static inline size_t find_any3(const uint8_t *s, size_t from, size_t to, uint8_t a, uint8_t b, uint8_t c) {
    size_t i = from;
#if defined(__SSE2__)
    __m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b), vc = _mm_set1_epi8((char)c);
#define ANY3(v) \
    (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)), _mm_cmpeq_epi8(v, vc)))
    if (i < to && to - i < 16) {
        // Fewer than sixteen bytes (short URLs, the end of a text): read from a copy, no byte loop.
        uint8_t room[16] = {0};
        copy_small(room, s + i, to - i);
        unsigned m = ANY3(_mm_loadu_si128((const __m128i *)room)) & ((1u << (to - i)) - 1);
        return m ? i + (size_t)__builtin_ctz(m) : to;
    }
    while (i + 16 <= to) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        unsigned m = ANY3(v);
        if (m) return i + (size_t)__builtin_ctz(m);
        i += 16;
    }
    if (i < to) {
        // The last sixteen bytes, overlapping the step before: bit (i - (to - 16)) is byte `i`.
        unsigned m = ANY3(_mm_loadu_si128((const __m128i *)(s + to - 16))) >> (i - (to - 16));
        return m ? i + (size_t)__builtin_ctz(m) : to;
    }
    return to;
#undef ANY3
#endif
    for (; i < to; i++) {
        uint8_t x = s[i];
        if (x == a || x == b || x == c) return i;
    }
    return to;
}

static inline void put(cfb_buf *b, const uint8_t *p, size_t n) {
    if (n == 0) return;
    if (b->capacity - b->count < n) cfb_buf_grow(b, n);
    // Most appends are a few bytes (a character reference's text, a tag name, a word): no call for those.
    if (n <= 16) copy_small(b->bytes + b->count, p, n);
    else memcpy(b->bytes + b->count, p, n);
    b->count += n;
}

/// Makes room for `n` more bytes.
static inline void reserve(cfb_buf *b, size_t n) {
    if (b->capacity - b->count < n) cfb_buf_grow(b, n);
}

static inline void put1(cfb_buf *b, uint8_t c) {
    if (b->count == b->capacity) cfb_buf_grow(b, 1);
    b->bytes[b->count++] = c;
}

#define PUTS(b, lit) put((b), (const uint8_t *)(lit), sizeof(lit) - 1)

#endif
