// The SAX callbacks that run for nearly every event of a feed document (see `cfb_sax` in
// include/CFeedBytes.h): character data, and the elements inside captured text and skipped subtrees, never
// reach Swift. Written to produce exactly the bytes `FeedBuilder` produced when it did this itself.
#include "CFeedBytes.h"
#include "buffer.h"

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

void cfb_sax_free(cfb_sax *s) {
    cfb_buf_free(&s->captured);
    cfb_buf_free(&s->scratch);
    free(s->names);
    s->names = NULL;
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

/// Appends ` name="value"` for every attribute (local name; value with references decoded, then escaped).
static void put_attributes(cfb_sax *s, int n, const xmlChar **a) {
    cfb_buf *out = &s->captured;
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

/// A start tag inside captured text (`FeedBuilder.captureChildStart`).
static void capture_child_start(cfb_sax *s, const xmlChar *localname, uint8_t local, int nb_attributes,
                                const xmlChar **attributes, int32_t depth) {
    if (s->capture_mode == CFB_MODE_XHTML && depth == s->capture_depth + 1 && !s->saw_child &&
        local == s->div_class && all_space(&s->captured)) {
        s->wrapper_depth = depth;
        cfb_buf_clear(&s->captured);
        s->saw_child = 1;
        return;
    }
    // Markup inside a text construct: it was HTML after all.
    if (s->capture_mode == CFB_MODE_TEXT) s->capture_mode = CFB_MODE_HTML;
    s->saw_child = 1;
    put1(&s->captured, '<');
    put(&s->captured, localname, strlen((const char *)localname));
    if (nb_attributes > 0 && attributes) put_attributes(s, nb_attributes, attributes);
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
        if (depth != s->wrapper_depth && localname) {
            size_t len = strlen((const char *)localname);
            if (!is_void(localname, len)) {
                cfb_buf *out = &s->captured;
                reserve(out, len + 3);
                out->bytes[out->count] = '<';
                out->bytes[out->count + 1] = '/';
                memcpy(out->bytes + out->count + 2, localname, len);
                out->bytes[out->count + 2 + len] = '>';
                out->count += len + 3;
            }
        }
        return;
    }
    if (s->capturing && s->capture_field && depth == s->capture_depth) {
        uint8_t field = (uint8_t)s->capture_field;
        s->capturing = 0;
        s->capture_field = 0;
        s->finish(s->owner, field);
        return;
    }
    s->end(s->owner);
}

static void characters(void *ctx, const xmlChar *ch, int len) {
    cfb_sax *s = ctx;
    // Most calls are white space between elements outside any capture: that test first.
    if (!s || !s->capturing || !ch || len <= 0 || s->skip_depth >= 0) return;
    if (s->capture_mode == CFB_MODE_XHTML) {
        cfb_escape_text(ch, (size_t)len, &s->captured);
    } else {
        put(&s->captured, ch, (size_t)len);
    }
}

void cfb_sax_install(void *handler) {
    xmlSAXHandler *h = handler;
    h->startElementNs = start_element;
    h->endElementNs = end_element;
    h->characters = characters;
    h->cdataBlock = characters;
}
