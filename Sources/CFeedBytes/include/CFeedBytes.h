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

/// What `cfb_sanitize` needs of a base URL, as `URLBase` splits it: appends its `scheme:` and `//authority`
/// and its directory to `prefix` (`*origin_count` the first), sets `*directory_has_dots`, and returns 1; 0 when
/// the base has no scheme (nothing is resolved against it); -1 when it is empty or needs cleaning first.
int cfb_url_prefix(const uint8_t *b, size_t n, cfb_buf *prefix, size_t *origin_count, int *directory_has_dots);

/// A base URL as `URLBase` splits it, for `cfb_url_resolve`: `prefix` is its `scheme:` (`scheme_count` bytes),
/// then `//authority` (through `origin_count`), then its directory (through `prefix_count`); `path` and `query`
/// are the base's own path and query (`has_query` 0 without one). `usable` is 0 when the base has no scheme.
typedef struct {
    const uint8_t *prefix;
    size_t scheme_count;
    size_t origin_count;
    size_t prefix_count;
    const uint8_t *path;
    size_t path_count;
    const uint8_t *query;
    size_t query_count;
    int has_query;
    int usable;
    int directory_has_dots;
} cfb_url_base;

/// 1 when `s` has white space or control characters, quotes, angle brackets or backslashes (`URLBytes.needsCleaning`).
int cfb_url_needs_cleaning(const uint8_t *s, size_t n);

/// Appends `ref` resolved against `base` (RFC 3986, as `URLBase.resolve`): cleaned first when it has white
/// space, quotes, angle brackets or backslashes, `.`/`..` segments removed from merged paths.
void cfb_url_resolve(const cfb_url_base *base, const uint8_t *ref, size_t n, cfb_buf *out);

/// The last base URL `cfb_url_resolve_cached` split, kept while the base stays the same. Start zeroed; free
/// with `cfb_url_cache_free`.
typedef struct {
    /// The base as given, and the cleaned base and prefix the split points into.
    cfb_buf base;
    cfb_buf work;
    cfb_url_base split;
    int valid;
} cfb_url_cache;

/// Appends `ref` resolved against the base URL `b` (`bn` bytes), as `URLBase(b).resolve(ref)` does: the base
/// cleaned first when it needs it, then split (once while it stays the same, in `cache`). Returns 0 (and
/// appends nothing) when the base is empty, 1 otherwise.
int cfb_url_resolve_cached(cfb_url_cache *cache, const uint8_t *b, size_t bn, const uint8_t *ref, size_t n,
                           cfb_buf *out);

/// Frees the buffers of `cache` (not `cache` itself).
void cfb_url_cache_free(cfb_url_cache *cache);

/// Writes the sanitized HTML of `s` to `out` (appending) in one pass, and returns in `*trim_start` and
/// `*trim_end` the range of `out` (from where it was on entry) without surrounding white space.
/// `prefix` is the base URL's `scheme:` and `//authority` (its first `origin_count` bytes) followed by its
/// directory (through the last `/`, `prefix_count` bytes in all), NULL without a usable base: clean absolute
/// `http(s)` URLs and clean paths without dot segments are written without calling `resolve` (relative ones
/// only when `directory_has_dots` is 0). Other URL attributes without a scheme are resolved against
/// `base_url` (`base_url_count` bytes; split in `cache` when first needed, kept while the base stays the same)
/// without calling `resolve` either, unless `base_url_count` is 0.
void cfb_sanitize(const uint8_t *s, size_t n, cfb_buf *out, const uint8_t *prefix, size_t origin_count,
                  size_t prefix_count, int directory_has_dots, const uint8_t *base_url, size_t base_url_count,
                  cfb_url_cache *cache, cfb_url_callback resolve, void *context, size_t *trim_start,
                  size_t *trim_end);

/// A base URL for sanitizing, as `cfb_sanitize` takes it (its `prefix` ... `context` arguments), kept for the
/// XHTML content `cfb_sax` sanitizes as it arrives. The bytes it points to belong to the caller (the Swift
/// `Sanitizer`), and stay unchanged while it is used. `prefix_plain` is set by `cfb_sanitize_base_ready`.
typedef struct {
    const uint8_t *prefix;
    size_t origin_count;
    size_t prefix_count;
    int directory_has_dots;
    int prefix_plain;
    const uint8_t *base_url;
    size_t base_url_count;
    cfb_url_cache *cache;
    cfb_url_callback resolve;
    void *context;
} cfb_sanitize_base;

/// Notes what `b` needs computed once (and builds the sanitizer's tables): call after setting the other fields.
void cfb_sanitize_base_ready(cfb_sanitize_base *b);

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

/// Writes `s` decoded through a single-byte `table` (256 code points, all below U+10000) as UTF-8 to `dst` (room
/// for `3 * n` bytes), dropping characters XML forbids; returns the bytes written.
size_t cfb_decode_single_byte(const uint8_t *s, size_t n, const uint32_t *table, uint8_t *dst);

/// 1 when `s` is valid UTF-8 without a byte-order mark, without control characters XML forbids, without
/// U+FFFE/U+FFFF and without C1 controls (U+0080–U+009F); else 0.
int cfb_is_clean_utf8(const uint8_t *s, size_t n);

/// 0 when `s` is not valid UTF-8 as Swift's `String` holds it (shortest forms, no surrogates, nothing past
/// U+10FFFF), 1 when it is ASCII, 2 when it is valid UTF-8 and not ASCII. Much faster than the standard library's
/// check on text with non-ASCII letters (sixteen bytes at a time, and only the sequences checked one by one).
int cfb_utf8_validate(const uint8_t *s, size_t n);

/// 1 when `s` may have bytes that `cfb_is_clean_utf8` rejects but libxml2 would not report while parsing it:
/// a byte-order mark, control characters in the leading white space (skipped before parsing), C1 controls in
/// UTF-8 (U+0080–U+009F, valid XML), and every lead byte that can start an overlong form, a surrogate,
/// U+FFFE/U+FFFF or a code point past U+10FFFF (libxml2 2.9 decodes some of them silently); else 0.
int cfb_has_unchecked_bytes(const uint8_t *s, size_t n);

/// 1 when `s` has no byte >= 0x80 and no '&' (an attribute value whose string is its bytes), else 0.
int cfb_is_ascii_without_amp(const uint8_t *s, size_t n);

/// Turns the AVX2 loops (used when the processor has AVX2) on or off, for the tests that hold them to the
/// SSE2 ones; returns whether they are now used.
int cfb_use_avx2(int on);

/// Turns the sanitizer's one-pass reading of start tags with quoted attribute values on or off, for the tests
/// that hold it to the tokenizer's; returns whether it was on.
int cfb_sanitizer_fast_tags(int on);

// MARK: - SAX handler

/// Text modes of a capture, as `TextMode` in Swift numbers them.
enum { CFB_MODE_TEXT = 0, CFB_MODE_HTML = 1, CFB_MODE_XHTML = 2, CFB_MODE_BASE64 = 3 };

/// Classifies an element name once per (namespace URI, local name) pair of interned libxml2 strings:
/// returns the namespace class in the high byte and the local-name class in the low byte.
typedef uint16_t (*cfb_sax_classify_fn)(void *owner, const uint8_t *localname, const uint8_t *uri);

/// An element start the owner handles (outside captured text and skipped subtrees): libxml2's
/// `startElementNs` arguments (attributes as five pointers each) plus the element's classes.
typedef void (*cfb_sax_start_fn)(void *owner, const uint8_t *localname, const uint8_t *uri, int nb_namespaces,
                                 const uint8_t **namespaces, int nb_attributes, const uint8_t **attributes,
                                 uint8_t ns_class, uint8_t local_class);

/// The end of an element whose start the owner handled.
typedef void (*cfb_sax_end_fn)(void *owner);

/// What an item's child element with these classes and no attributes is, when its start would only begin a
/// capture: `CFB_FIELD_*` bits (0 when it is not such an element). Asked once per class pair.
typedef uint16_t (*cfb_sax_item_field_fn)(void *owner, uint16_t classes);

/// The end of a capture `cfb_sax` began itself: `field` is the code from `cfb_sax_item_field_fn`.
typedef void (*cfb_sax_finish_fn)(void *owner, uint8_t field);

/// `cfb_sax_item_field_fn` answers: the field's code (1–63, the owner's), its `CFB_MODE_*`, and whether the
/// capture takes the content base (then only items without an explicit `xml:base` in scope are captured here).
enum { CFB_FIELD_CODE = 0x3F, CFB_FIELD_MODE_SHIFT = 6, CFB_FIELD_USES_BASE = 0x100 };

/// A CDATA section's content, in the document `cfb_cdata_lift` read.
typedef struct {
    const uint8_t *bytes;
    size_t count;
} cfb_cdata_section;

/// Copies the document `s` (UTF-8) to `out` with the CDATA sections of its root element's content replaced by
/// processing instructions `<?cfb K?>` (K counting from 0, with as many line feeds as the section has, so that
/// libxml2's line numbers stay right), and appends to `sections` (as `cfb_cdata_section`s) where each one's
/// content is in `s`. `cfb_sax` answers each instruction with the section's bytes, as libxml2 would have given
/// them. Only sections libxml2 would take without complaint are lifted, and only while everything before them is
/// markup read the same way by libxml2 and here (no document type declaration, every tag plainly well formed, and
/// depth, names, attribute values and sections within limits well under libxml2's): the rest of the document is
/// copied as it is. Returns the number of sections lifted; 0
/// leaves `out` empty (parse `s` itself).
size_t cfb_cdata_lift(const uint8_t *s, size_t n, cfb_buf *out, cfb_buf *sections);

/// The SAX state kept in C: the element depth, the subtree being skipped, and the text being captured
/// (characters and, inside it, re-serialized markup). libxml2's `ctx` for every callback. The owner (the Swift
/// `FeedBuilder`) starts captures and skips by setting the fields, and reads `captured` when one ends.
/// Start zeroed; free with `cfb_sax_free`.
typedef struct {
    void *owner;
    cfb_sax_classify_fn classify;
    cfb_sax_start_fn start;
    cfb_sax_end_fn end;
    /// The simple children of an item (see `cfb_sax_item_field_fn`) are captured without calling `start` and
    /// `end`: `finish` is called when one ends.
    cfb_sax_item_field_fn item_field;
    cfb_sax_finish_fn finish;
    /// Depth of the open item (set and cleared by the owner), or -1; whether an explicit `xml:base` is in scope
    /// there.
    int32_t item_depth;
    int32_t item_explicit_base;
    /// The field code of the capture in progress when `cfb_sax` began it, else 0.
    int32_t capture_field;
    /// The number of open elements.
    int32_t depth;
    /// Depth of the element whose children are skipped, or -1.
    int32_t skip_depth;
    int32_t capturing;
    /// Depth of the captured element, its `CFB_MODE_*`, the depth of the XHTML wrapper `<div>` whose tags are
    /// dropped (or -1), and whether a child element was seen.
    int32_t capture_depth;
    int32_t capture_mode;
    int32_t wrapper_depth;
    int32_t saw_child;
    /// The local-name class of `div` (from the owner's vocabulary).
    uint8_t div_class;
    cfb_buf captured;
    cfb_buf scratch;
    /// XHTML content sanitized as it arrives, when the owner begins the capture with `cfb_sax_begin_direct`
    /// (which sets `direct`): `sanitized` then gets the bytes `cfb_sanitize` would make of the markup rebuilt in `captured`,
    /// and once the capture ends `sanitized_start..<sanitized_end` is its range without surrounding white space.
    /// `captured` stays empty unless something made the plain text of the two differ (`rebuilt` is then 1 and
    /// `captured` holds the sanitized bytes up to it, then the rebuilt markup: the same plain text as the whole
    /// rebuilt markup). `nonblank` says whether the rebuilt markup would have had a byte above 0x20. (`direct` is
    /// 1 or 2 while on: 2 when text only needs escaping to `sanitized`.)
    int32_t direct;
    int32_t rebuilt;
    int32_t nonblank;
    cfb_buf sanitized;
    size_t sanitized_start;
    size_t sanitized_end;
    cfb_sanitize_base base;
    /// The open elements and the element whose content is dropped, while `direct` (allocated on first use,
    /// freed by `cfb_sax_free`; opaque).
    void *xhtml;
    /// Classifications cached by `cfb_sax` (allocated on first use, freed by `cfb_sax_free`; opaque, so
    /// Swift does not import a 256-element tuple).
    void *names;
    /// The sections `cfb_cdata_lift` took out of the document being parsed (owned by the caller), and the next
    /// one expected: a `<?cfb K?>` instruction gives section K's bytes to the character callback when K is the
    /// next one, and is ignored otherwise.
    const cfb_cdata_section *sections;
    size_t section_count;
    size_t next_section;
} cfb_sax;

/// Sets the element and character callbacks of a libxml2 `xmlSAXHandler` (passed as `void *`) to the
/// `cfb_sax` ones; the other callbacks are left as they are.
void cfb_sax_install(void *handler);

/// Frees the buffers of `s` (not `s` itself).
void cfb_sax_free(cfb_sax *s);

/// Makes the capture just begun (XHTML content) one sanitized as it arrives, against `s->base` (set first):
/// see `direct`.
void cfb_sax_begin_direct(cfb_sax *s);

#endif
