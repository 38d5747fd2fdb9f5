// The sanitizer's decisions for one tag or attribute at a time (feedbytes.c), for `cfb_sax`, which sanitizes
// XHTML content as libxml2 reports it (feedsax.c). Not part of the module's interface.
#ifndef CFEEDBYTES_SANITIZER_H
#define CFEEDBYTES_SANITIZER_H

#include "CFeedBytes.h"
#include "buffer.h"

/// A tag name as the sanitizer compares it: ASCII capitals lower-cased, up to 16 bytes packed into two words,
/// with its exact length (longer names match nothing).
typedef struct {
    uint64_t lo, hi;
    size_t count;
} cfb_tag_name;

static inline int cfb_tag_name_eq(cfb_tag_name a, cfb_tag_name b) {
    return a.lo == b.lo && a.hi == b.hi && a.count == b.count;
}

/// What `cfb_sanitize` does with an element: keeps it (`keep`: with an end tag, `keep_void`: without), drops it
/// with its content (`drop`; unless `drop_tag_only`), or drops its tags and keeps its content (none of them).
/// `plain` says whether `cfb_plain_text` notices its tags (a block, or content dropped); `is_img` whether it is
/// `img`.
typedef struct {
    cfb_tag_name name;
    uint8_t keep, keep_void, drop, drop_tag_only, plain, is_img;
} cfb_tag;

// The sanitizer's tables are built by `cfb_sanitize_base_ready` (CFeedBytes.h): call it before these.

/// The sanitizer's reading of the element name `s` (`n` bytes).
cfb_tag cfb_sanitizer_tag(const uint8_t *s, size_t n);

/// Appends the name as the sanitizer writes it (lower-case; names it writes have at most 16 bytes): the packed
/// words hold the bytes in order: store all sixteen, keep `count`.
static inline void cfb_sanitizer_put_name(cfb_buf *out, cfb_tag_name name) {
    size_t n = name.count < 16 ? name.count : 16;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    reserve(out, 16);
    memcpy(out->bytes + out->count, &name.lo, 8);
    memcpy(out->bytes + out->count + 8, &name.hi, 8);
    out->count += n;
#else
    for (size_t k = 0; k < n; k++) put1(out, (uint8_t)(k < 8 ? name.lo >> (8 * k) : name.hi >> (8 * (k - 8))));
#endif
}

/// The sanitizer's class of the attribute name `s` (`n` bytes): 0 when it drops the attribute; `*name` is set
/// to the name packed.
uint8_t cfb_sanitizer_attribute_class(const uint8_t *s, size_t n, cfb_tag_name *name);

/// Appends ` name="value"` as `cfb_sanitize` writes the attribute `name` (of class `cls`, not 0) of a kept
/// element whose value, character references decoded, is `v` (`vn` bytes readable up to `readable_end`);
/// nothing when it drops it. `is_img` as in `cfb_tag`; `resolved` is scratch space.
void cfb_sanitizer_attribute(cfb_buf *out, int is_img, cfb_tag_name name, uint8_t cls, const uint8_t *v, size_t vn,
                             const uint8_t *readable_end, const cfb_sanitize_base *base, cfb_buf *resolved);

#endif
