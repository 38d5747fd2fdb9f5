// Appending to a `cfb_buf`, inlined into the C files of this target (not part of the module's interface).
#ifndef CFEEDBYTES_BUFFER_H
#define CFEEDBYTES_BUFFER_H

#include "CFeedBytes.h"

#include <string.h>

/// Grows `b` to hold `extra` more bytes (at least doubling); aborts when out of memory.
void cfb_buf_grow(cfb_buf *b, size_t extra);

static inline void put(cfb_buf *b, const uint8_t *p, size_t n) {
    if (n == 0) return;
    if (b->capacity - b->count < n) cfb_buf_grow(b, n);
    memcpy(b->bytes + b->count, p, n);
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
