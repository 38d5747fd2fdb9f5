// The SAX callbacks that run for nearly every event of a feed document (see `cfb_sax` in
// include/CFeedBytes.h): character data, and the elements inside captured text and skipped subtrees, never
// reach Swift. Written to produce exactly the bytes `FeedBuilder` produced when it did this itself.
#include "CFeedBytes.h"
#include "buffer.h"
#include "sanitizer.h"

#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>

#include <stdlib.h>
#include <string.h>

/// One cached classification (see `cfb_sax_classify_fn`), and what the name is as an item's child (see
/// `cfb_sax_item_field_fn`; `ITEM_FIELD_UNKNOWN` until asked).
typedef struct {
    const void *uri;
    const void *local;
    uint16_t cls;
    uint16_t item_field;
} name_slot;

enum { ITEM_FIELD_UNKNOWN = 0xFFFF };

enum { NAME_SLOTS = 256, NAME_SLOTS_USED_MAX = 192 };

typedef struct {
    int used;
    name_slot slots[NAME_SLOTS];
} name_cache;

/// What `cfb_sanitize` keeps while it reads markup, kept here between the events of XHTML content sanitized as
/// it arrives: the open elements (only kept ones with end tags), and the element whose content is skipped.
typedef struct {
    cfb_tag_name name;
    /// The name as libxml2 gave it (interned: the same name is the same pointer within a document).
    const xmlChar *local;
} open_element;

enum { TAG_SLOTS = 64 };

typedef struct {
    open_element *open;
    size_t count, capacity;
    cfb_tag_name skip;
    int skipping;
    cfb_buf decoded, resolved, tag;
    /// The sanitizer's reading of names seen, by libxml2's pointer (direct-mapped: a name is one interned string
    /// for the whole document, as for `classify`).
    const xmlChar *slot_local[TAG_SLOTS];
    cfb_tag slot_tag[TAG_SLOTS];
    /// The same for attribute names: the name packed and its class.
    const xmlChar *attribute_local[TAG_SLOTS];
    cfb_tag_name attribute_name[TAG_SLOTS];
    uint8_t attribute_class[TAG_SLOTS];
} xhtml_state;

void cfb_sax_free(cfb_sax *s) {
    cfb_buf_free(&s->captured);
    cfb_buf_free(&s->scratch);
    cfb_buf_free(&s->sanitized);
    free(s->names);
    s->names = NULL;
    xhtml_state *x = s->xhtml;
    if (x) {
        free(x->open);
        cfb_buf_free(&x->decoded);
        cfb_buf_free(&x->resolved);
        cfb_buf_free(&x->tag);
        free(x);
        s->xhtml = NULL;
    }
}

/// The element's cache slot (NULL when the cache is full and the name is not in it), and its classes: from the
/// cache, else from the owner (which classifies each pair once, noting what the first sight of a namespace
/// tells it).
static inline uint16_t classify(cfb_sax *s, const xmlChar *localname, const xmlChar *uri, name_slot **slot_out) {
    name_cache *c = s->names;
    if (!c) {
        c = calloc(1, sizeof(name_cache));
        if (!c) abort();
        s->names = c;
    }
    uintptr_t u = (uintptr_t)uri, l = (uintptr_t)localname;
    size_t slot = (size_t)(((u * 0x9E3779B97F4A7C15ull) ^ (l * 0xC2B2AE3D27D4EB4Full)) >> 56);
    while (c->slots[slot].local) {
        if (c->slots[slot].local == localname && c->slots[slot].uri == uri) {
            *slot_out = &c->slots[slot];
            return c->slots[slot].cls;
        }
        slot = (slot + 1) & (NAME_SLOTS - 1);
    }
    uint16_t cls = s->classify(s->owner, localname, uri);
    *slot_out = NULL;
    if (c->used < NAME_SLOTS_USED_MAX) {
        c->slots[slot].uri = uri;
        c->slots[slot].local = localname;
        c->slots[slot].cls = cls;
        c->slots[slot].item_field = ITEM_FIELD_UNKNOWN;
        c->used++;
        *slot_out = &c->slots[slot];
    }
    return cls;
}

static inline int all_space(const cfb_buf *b) {
    for (size_t k = 0; k < b->count; k++)
        if (b->bytes[k] > 0x20) return 0;
    return 1;
}

/// Whether a start tag inside captured markup has no end tag written (`FeedBuilder.voidElements`, compared
/// exactly as written): "br", "img", "hr", "wbr", "source", "col", "input", "meta", "link", "area", "param",
/// "embed", "track".
static inline int is_void(const xmlChar *n, size_t len) {
#define IS(lit) (len == sizeof(lit) - 1 && memcmp(n, lit, sizeof(lit) - 1) == 0)
    switch (n[0]) {
    case 'a': return IS("area");
    case 'b': return IS("br");
    case 'c': return IS("col");
    case 'e': return IS("embed");
    case 'h': return IS("hr");
    case 'i': return IS("img") || IS("input");
    case 'l': return IS("link");
    case 'm': return IS("meta");
    case 'p': return IS("param");
    case 's': return IS("source");
    case 't': return IS("track");
    case 'w': return IS("wbr");
    default: return 0;
    }
#undef IS
}

/// Appends ` name="value"` for every attribute (local name; value with references decoded, then escaped) to `out`.
static void put_attributes(cfb_sax *s, cfb_buf *out, int n, const xmlChar **a) {
    for (int k = 0; k < n; k++, a += 5) {
        if (!a[0]) continue;
        put1(out, ' ');
        put(out, a[0], strlen((const char *)a[0]));
        PUTS(out, "=\"");
        if (a[3] && a[4] && a[4] > a[3]) {
            const uint8_t *v = a[3];
            size_t count = (size_t)(a[4] - a[3]);
            if (memchr(v, '&', count)) {
                cfb_buf_clear(&s->scratch);
                cfb_decode_references(v, count, &s->scratch);
                cfb_escape_attribute(s->scratch.bytes, s->scratch.count, out);
            } else {
                cfb_escape_attribute(v, count, out);
            }
        }
        put1(out, '"');
    }
}

// MARK: XHTML content sanitized as it arrives

// With `direct` set, the events of XHTML content go to `sanitized` as `cfb_sanitize` would write the markup
// `captured` gets otherwise (tag by tag, as it reads that markup back): the rebuilt markup is never written, nor
// read again. Its plain text (an item without a summary takes the content's) is the plain text of the sanitized
// bytes as long as the sanitizer only drops what the plain text ignores too (attributes, the tags of elements
// that are no block); from the first tag where that is not so, `captured` gets the sanitized bytes so far and
// then the rebuilt markup (`rebuilt`).

static xhtml_state *xhtml_of(cfb_sax *s) {
    if (!s->xhtml) {
        s->xhtml = calloc(1, sizeof(xhtml_state));
        if (!s->xhtml) abort();
    }
    return s->xhtml;
}

void cfb_sax_begin_direct(cfb_sax *s) {
    xhtml_state *x = xhtml_of(s);
    x->count = 0;
    x->skipping = 0;
    cfb_sanitize_base_ready(&s->base);
    s->direct = 1;
    s->rebuilt = 0;
    s->nonblank = 0;
    cfb_buf_clear(&s->sanitized);
    s->sanitized_start = s->sanitized_end = 0;
}

/// From here on the plain texts could differ: `captured` starts with the sanitized bytes so far.
static inline void diverge(cfb_sax *s) {
    if (s->rebuilt) return;
    s->rebuilt = 1;
    cfb_buf_clear(&s->captured);
    put(&s->captured, s->sanitized.bytes, s->sanitized.count);
}

/// Appends `&lt;`, `t[1...]` with '>' escaped: what the sanitizer makes of a tag whose '<' is not followed by
/// a letter (it reads the '<' as text, then the rest).
static void put_tag_as_text(cfb_buf *out, const cfb_buf *t) {
    PUTS(out, "&lt;");
    size_t run = 1;
    for (size_t k = 1; k < t->count; k++) {
        if (t->bytes[k] != '>') continue;
        put(out, t->bytes + run, k - run);
        PUTS(out, "&gt;");
        run = k + 1;
    }
    put(out, t->bytes + run, t->count - run);
}

static inline int ascii_letter(uint8_t c) { return (uint8_t)((c | 0x20) - 'a') <= 'z' - 'a'; }

/// `cfb_sanitizer_tag` of an element name, from the cache when it is there.
static inline const cfb_tag *tag_of(xhtml_state *x, const xmlChar *localname) {
    size_t k = (size_t)(((uintptr_t)localname * 0x9E3779B97F4A7C15ull) >> 58);
    if (x->slot_local[k] != localname) {
        x->slot_tag[k] = cfb_sanitizer_tag(localname, strlen((const char *)localname));
        x->slot_local[k] = localname;
    }
    return &x->slot_tag[k];
}

/// `</name>` (a name the sanitizer keeps: at most 16 bytes).
static inline __attribute__((always_inline)) void put_end_tag(cfb_buf *out, cfb_tag_name name) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    reserve(out, 19);
    uint8_t *p = out->bytes + out->count;
    p[0] = '<';
    p[1] = '/';
    memcpy(p + 2, &name.lo, 8);
    memcpy(p + 10, &name.hi, 8);
    p[2 + name.count] = '>';
    out->count += name.count + 3;
#else
    PUTS(out, "</");
    cfb_sanitizer_put_name(out, name);
    put1(out, '>');
#endif
}

/// `direct` is 2 while text goes to `sanitized` only, as it is escaped (see `characters`), else 1.
static inline void note_text_target(cfb_sax *s, const xhtml_state *x) {
    s->direct = (s->nonblank && !x->skipping && !s->rebuilt) ? 2 : 1;
}

/// A start tag of XHTML content (not the wrapper `div`), as `cfb_sanitize` reads `<name attributes>`.
static void direct_start(cfb_sax *s, const xmlChar *localname, int nb_attributes, const xmlChar **attributes) {
    xhtml_state *x = s->xhtml;
    s->nonblank = 1;
    if (x->skipping) return;
    cfb_buf *out = &s->sanitized;
    if (!ascii_letter(localname[0])) {
        size_t len = strlen((const char *)localname);
        diverge(s);
        cfb_buf_clear(&x->tag);
        put1(&x->tag, '<');
        put(&x->tag, localname, len);
        if (nb_attributes > 0 && attributes) put_attributes(s, &x->tag, nb_attributes, attributes);
        put1(&x->tag, '>');
        put_tag_as_text(out, &x->tag);
        return;
    }
    cfb_tag t = *tag_of(x, localname);
    if (t.keep || t.keep_void) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        // `<name` in one piece (as `put_end_tag`).
        reserve(out, 17);
        uint8_t *p = out->bytes + out->count;
        p[0] = '<';
        memcpy(p + 1, &t.name.lo, 8);
        memcpy(p + 9, &t.name.hi, 8);
        out->count += 1 + t.name.count;
#else
        put1(out, '<');
        cfb_sanitizer_put_name(out, t.name);
#endif
        const xmlChar **a = attributes;
        for (int k = 0; a && k < nb_attributes; k++, a += 5) {
            if (!a[0]) continue;
            size_t slot = (size_t)(((uintptr_t)a[0] * 0x9E3779B97F4A7C15ull) >> 58);
            if (x->attribute_local[slot] != a[0]) {
                x->attribute_class[slot] =
                    cfb_sanitizer_attribute_class(a[0], strlen((const char *)a[0]), &x->attribute_name[slot]);
                x->attribute_local[slot] = a[0];
            }
            uint8_t cls = x->attribute_class[slot];
            if (!cls) continue;
            const uint8_t *v = a[3];
            size_t count = (a[3] && a[4] && a[4] > a[3]) ? (size_t)(a[4] - a[3]) : 0;
            const uint8_t *readable_end = v + count;
            if (count && memchr(v, '&', count)) {
                // The sanitizer decodes the rebuilt value, escaped after decoding: the decoded value again.
                cfb_buf_clear(&x->decoded);
                cfb_decode_references(v, count, &x->decoded);
                v = x->decoded.bytes;
                count = x->decoded.count;
                readable_end = x->decoded.bytes + x->decoded.capacity;
            }
            cfb_sanitizer_attribute(out, t.is_img, x->attribute_name[slot], cls, v, count, readable_end, &s->base,
                                    &x->resolved);
        }
        put1(out, '>');
        if (t.keep) {
            if (x->count == x->capacity) {
                size_t cap = x->capacity ? 2 * x->capacity : 32;
                open_element *p = realloc(x->open, cap * sizeof(open_element));
                if (!p) abort();
                x->open = p;
                x->capacity = cap;
            }
            x->open[x->count++] = (open_element){t.name, localname};
        }
        return;
    }
    // Dropped, with its content unless it has none; or only its tags dropped.
    if (t.plain || (t.drop && !t.drop_tag_only)) diverge(s);
    if (t.drop && !t.drop_tag_only) {
        x->skipping = 1;
        x->skip = t.name;
    }
}

/// An end tag of XHTML content as the rebuilt markup has it (not for the wrapper, nor void elements).
static void direct_end(cfb_sax *s, const xmlChar *localname, size_t len) {
    xhtml_state *x = s->xhtml;
    cfb_buf *out = &s->sanitized;
    // Nearly always: the innermost open element ends.
    if (x->count > 0 && x->open[x->count - 1].local == localname && !x->skipping) {
        put_end_tag(out, x->open[--x->count].name);
        return;
    }
    if (!ascii_letter(localname[0])) {
        // Never the end of skipped content (those names start with a letter).
        if (x->skipping) return;
        diverge(s);
        PUTS(out, "&lt;/");
        put(out, localname, len);
        PUTS(out, "&gt;");
        return;
    }
    cfb_tag t = *tag_of(x, localname);
    if (x->skipping) {
        if (cfb_tag_name_eq(t.name, x->skip)) x->skipping = 0;
        return;
    }
    // Only kept elements with end tags are open: an end tag not among them is dropped.
    size_t k = x->count;
    while (k > 0 && !cfb_tag_name_eq(x->open[k - 1].name, t.name)) k--;
    if (k == 0) {
        if (t.plain) diverge(s);
        return;
    }
    // Closing more than the innermost element: not without an earlier difference, but the same answer anyway.
    if (k != x->count) diverge(s);
    while (x->count >= k) put_end_tag(out, x->open[--x->count].name);
}

/// The end of XHTML content: the elements left open closed, and the range without surrounding white space.
static void direct_finish(cfb_sax *s) {
    xhtml_state *x = s->xhtml;
    cfb_buf *out = &s->sanitized;
    while (x->count > 0) put_end_tag(out, x->open[--x->count].name);
    x->skipping = 0;
    size_t lo = 0, hi = out->count;
    while (lo < hi && out->bytes[lo] <= 0x20) lo++;
    while (hi > lo && out->bytes[hi - 1] <= 0x20) hi--;
    s->sanitized_start = lo;
    s->sanitized_end = hi;
}

/// A start tag inside captured text (`FeedBuilder.captureChildStart`).
static void capture_child_start(cfb_sax *s, const xmlChar *localname, uint8_t local, int nb_attributes,
                                const xmlChar **attributes, int32_t depth) {
    // Before any child, `captured` holds the text so far (blank unless `nonblank`).
    if (s->capture_mode == CFB_MODE_XHTML && depth == s->capture_depth + 1 && !s->saw_child &&
        local == s->div_class && (s->direct ? !s->nonblank : all_space(&s->captured))) {
        s->wrapper_depth = depth;
        cfb_buf_clear(&s->captured);
        cfb_buf_clear(&s->sanitized);
        s->saw_child = 1;
        return;
    }
    // Markup inside a text construct: it was HTML after all.
    if (s->capture_mode == CFB_MODE_TEXT) s->capture_mode = CFB_MODE_HTML;
    s->saw_child = 1;
    if (s->direct) {
        direct_start(s, localname, nb_attributes, attributes);
        note_text_target(s, s->xhtml);
        if (!s->rebuilt) return;
    }
    put1(&s->captured, '<');
    put(&s->captured, localname, strlen((const char *)localname));
    if (nb_attributes > 0 && attributes) put_attributes(s, &s->captured, nb_attributes, attributes);
    put1(&s->captured, '>');
}

static void start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                          int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
                          const xmlChar **attributes) {
    (void)prefix;
    (void)nb_defaulted;
    cfb_sax *s = ctx;
    if (!s || !localname) return;
    name_slot *slot;
    uint16_t cls = classify(s, localname, uri, &slot);
    int32_t depth = s->depth++;
    if (s->skip_depth >= 0) return;
    if (s->capturing) {
        capture_child_start(s, localname, (uint8_t)cls, nb_attributes, attributes, depth);
        return;
    }
    if (s->item_depth >= 0 && depth == s->item_depth + 1 && nb_attributes == 0 && slot && s->item_field) {
        // A child of the item whose start would only begin a capture (`title`, `pubDate`, `guid`, ...): begun
        // here, as `FeedBuilder.begin` does, without a call to the owner.
        if (slot->item_field == ITEM_FIELD_UNKNOWN) slot->item_field = s->item_field(s->owner, cls);
        uint16_t f = slot->item_field;
        if ((f & CFB_FIELD_CODE) && !((f & CFB_FIELD_USES_BASE) && s->item_explicit_base)) {
            s->capturing = 1;
            s->capture_field = f & CFB_FIELD_CODE;
            s->capture_mode = (f >> CFB_FIELD_MODE_SHIFT) & 3;
            s->capture_depth = depth;
            s->wrapper_depth = -1;
            s->saw_child = 0;
            s->direct = 0;
            cfb_buf_clear(&s->captured);
            return;
        }
    }
    s->start(s->owner, localname, uri, nb_namespaces, namespaces, nb_attributes, attributes, (uint8_t)(cls >> 8),
             (uint8_t)cls);
}

static void end_element(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri) {
    (void)prefix;
    (void)uri;
    cfb_sax *s = ctx;
    if (!s) return;
    if (s->depth > 0) s->depth--;
    int32_t depth = s->depth;
    if (s->skip_depth >= 0 && depth > s->skip_depth) return;
    if (s->capturing && depth > s->capture_depth) {
        // Elements at the wrapper's depth (the wrapper, and siblings after it) have no end tag in the rebuilt
        // markup.
        if (depth == s->wrapper_depth || !localname) return;
        if (s->direct == 2) {
            // The innermost open element ends (kept and not void: an end tag in the rebuilt markup).
            xhtml_state *x = s->xhtml;
            if (x->count > 0 && x->open[x->count - 1].local == localname) {
                put_end_tag(&s->sanitized, x->open[--x->count].name);
                return;
            }
        }
        size_t len = strlen((const char *)localname);
        if (!is_void(localname, len)) {
            if (s->direct) {
                direct_end(s, localname, len);
                note_text_target(s, s->xhtml);
                if (!s->rebuilt) return;
            }
            cfb_buf *out = &s->captured;
            reserve(out, len + 3);
            out->bytes[out->count] = '<';
            out->bytes[out->count + 1] = '/';
            memcpy(out->bytes + out->count + 2, localname, len);
            out->bytes[out->count + 2 + len] = '>';
            out->count += len + 3;
        }
        return;
    }
    if (s->capturing && depth == s->capture_depth) {
        if (s->direct) direct_finish(s);
        if (s->capture_field) {
            uint8_t field = (uint8_t)s->capture_field;
            s->capturing = 0;
            s->capture_field = 0;
            s->finish(s->owner, field);
            return;
        }
    }
    s->end(s->owner);
}

/// Text of XHTML content sanitized as it arrives, unless it only needs escaping to `sanitized` (`direct` 2).
/// Out of line: `characters` stays small enough for `put` to be inlined there.
static __attribute__((noinline)) void direct_characters(cfb_sax *s, const xmlChar *ch, int len) {
    if (!s->nonblank) {
        for (int k = 0; k < len; k++) {
            if (ch[k] > 0x20) {
                s->nonblank = 1;
                break;
            }
        }
    }
    xhtml_state *x = s->xhtml;
    if (!x->skipping) cfb_escape_text(ch, (size_t)len, &s->sanitized);
    if (s->rebuilt) cfb_escape_text(ch, (size_t)len, &s->captured);
    note_text_target(s, x);
}

static void characters(void *ctx, const xmlChar *ch, int len) {
    cfb_sax *s = ctx;
    // Most calls are white space between elements outside any capture: that test first.
    if (!s || !s->capturing || !ch || len <= 0 || s->skip_depth >= 0) return;
    if (s->capture_mode == CFB_MODE_XHTML) {
        if (s->direct == 2) cfb_escape_text(ch, (size_t)len, &s->sanitized);
        else if (s->direct) direct_characters(s, ch, len);
        else cfb_escape_text(ch, (size_t)len, &s->captured);
    } else {
        put(&s->captured, ch, (size_t)len);
    }
}

/// A placeholder `cfb_cdata_lift` put where a CDATA section was: the section's bytes, as libxml2's `cdataBlock`.
static void processing_instruction(void *ctx, const xmlChar *target, const xmlChar *data) {
    cfb_sax *s = ctx;
    if (!s || !target || !data || s->next_section >= s->section_count) return;
    if (target[0] != 'c' || target[1] != 'f' || target[2] != 'b' || target[3] != 0) return;
    size_t k = 0;
    const xmlChar *p = data;
    if (*p < '0' || *p > '9') return;
    for (; *p >= '0' && *p <= '9'; p++) {
        k = k * 10 + (size_t)(*p - '0');
        if (k > s->section_count) return;
    }
    if (k != s->next_section) return;
    s->next_section++;
    characters(ctx, s->sections[k].bytes, (int)s->sections[k].count);
}

void cfb_sax_install(void *handler) {
    xmlSAXHandler *h = handler;
    h->processingInstruction = processing_instruction;
    h->startElementNs = start_element;
    h->endElementNs = end_element;
    h->characters = characters;
    h->cdataBlock = characters;
}
