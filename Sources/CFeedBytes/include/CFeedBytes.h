// Byte loops of the feed parser in C: the HTML tokenizer with the allowlist sanitizer writing straight into
// an output buffer, plain text out of HTML, escaping, and the clean-UTF-8 check. Only the Feeds module
// imports this (internally); every function is prefixed `cfb_`.
#ifndef CFEEDBYTES_H
#define CFEEDBYTES_H

#include <stddef.h>
#include <stdint.h>

/// A growable byte buffer owned by C: start empty (all zero), append, free with `cfb_buf_free`.
typedef struct {
    uint8_t *bytes;
    size_t count;
    size_t capacity;
} cfb_buf;

/// Frees the buffer's storage and leaves it empty.
void cfb_buf_free(cfb_buf *b);

/// Forgets the contents, keeping the storage.
static inline void cfb_buf_clear(cfb_buf *b) { b->count = 0; }

/// Appends `n` bytes.
void cfb_buf_append(cfb_buf *b, const uint8_t *p, size_t n);

/// What the sanitizer asks its caller for a URL-carrying attribute value (references already decoded).
enum {
    /// `href`, `src`, `cite`, `poster`, `longdesc`: the URL resolved, or dropped when its scheme is unsafe.
    CFB_URL = 0,
    /// `srcset`: every candidate URL resolved; dropped when nothing is left.
    CFB_SRCSET = 1,
};

/// Resolves one attribute value for the sanitizer. Returns 1 and sets `*out`/`*out_count` to bytes that stay
/// valid until the next call (the attribute is written with that value), or 0 to drop the attribute.
/// `image` is 1 for the `src` of an `img` (where `data:image/...` URLs are allowed).
typedef int (*cfb_url_callback)(void *context, int kind, int image, const uint8_t *value, size_t count,
                                const uint8_t **out, size_t *out_count);

/// Writes the sanitized HTML of `s` to `out` (appending) in one pass, and returns in `*trim_start` and
/// `*trim_end` the range of `out` (from where it was on entry) without surrounding white space.
/// `prefix` is the base URL's `scheme:` and `//authority` (its first `origin_count` bytes) followed by its
/// directory (through the last `/`, `prefix_count` bytes in all), NULL without a usable base: clean absolute
/// `http(s)` URLs and clean paths without dot segments are written without calling `resolve` (relative ones
/// only when `directory_has_dots` is 0).
void cfb_sanitize(const uint8_t *s, size_t n, cfb_buf *out, const uint8_t *prefix, size_t origin_count,
                  size_t prefix_count, int directory_has_dots, cfb_url_callback resolve, void *context,
                  size_t *trim_start, size_t *trim_end);

/// What `cfb_sanitize` needs of a base URL, as `URLBase` splits it: appends its `scheme:` and `//authority`
/// and its directory to `prefix` (`*origin_count` the first), sets `*directory_has_dots`, and returns 1; 0 when
/// the base has no scheme (nothing is resolved against it); -1 when it is empty or needs cleaning first.
int cfb_url_prefix(const uint8_t *b, size_t n, cfb_buf *prefix, size_t *origin_count, int *directory_has_dots);

/// Appends the plain text of the HTML in `s`: tags stripped, character references decoded, white space
/// collapsed, stopping once `limit` bytes are written.
void cfb_plain_text(const uint8_t *s, size_t n, size_t limit, cfb_buf *out);

/// Appends literal text with white space collapsed (no references, no tags).
void cfb_collapse_literal(const uint8_t *s, size_t n, cfb_buf *out);

/// Appends `s` with `<`, `>` and `&` escaped.
void cfb_escape_text(const uint8_t *s, size_t n, cfb_buf *out);

/// Appends `s` with `<`, `&` and `"` escaped (an attribute value inside double quotes).
void cfb_escape_attribute(const uint8_t *s, size_t n, cfb_buf *out);

/// Writes `s` with `<`, `>` and `&` escaped to `dst` (room for `5 * n` bytes); returns the bytes written.
size_t cfb_escape_text_into(const uint8_t *s, size_t n, uint8_t *dst);

/// Writes `s` with `<`, `&` and `"` escaped to `dst` (room for `6 * n` bytes); returns the bytes written.
size_t cfb_escape_attribute_into(const uint8_t *s, size_t n, uint8_t *dst);

/// Appends `s` with its character references decoded (as browsers decode them in attribute values).
void cfb_decode_references(const uint8_t *s, size_t n, cfb_buf *out);

/// 1 when `s` is valid UTF-8 without a byte-order mark, without control characters XML forbids, without
/// U+FFFE/U+FFFF and without C1 controls (U+0080–U+009F); else 0.
int cfb_is_clean_utf8(const uint8_t *s, size_t n);

/// 1 when `s` may have bytes that `cfb_is_clean_utf8` rejects but libxml2 would not report while parsing it:
/// a byte-order mark, control characters in the leading white space (skipped before parsing), C1 controls in
/// UTF-8 (U+0080–U+009F, valid XML), and every lead byte that can start an overlong form, a surrogate,
/// U+FFFE/U+FFFF or a code point past U+10FFFF (libxml2 2.9 decodes some of them silently); else 0.
int cfb_has_unchecked_bytes(const uint8_t *s, size_t n);

#endif
