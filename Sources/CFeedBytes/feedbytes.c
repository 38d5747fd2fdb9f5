// The feed parser's byte loops (see include/CFeedBytes.h). Written to produce exactly the bytes the Swift
// implementation they replace produced (HTMLScanner, HTMLSanitizer, TextWriter, HTMLEntities, Charset),
// quirks included: the Swift tests and the byte-identical JSON comparison hold both to the same output.
#include "CFeedBytes.h"
#include "buffer.h"
#include "sanitizer.h"

#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>

#include <pthread.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if CFB_AVX2
#include <cpuid.h>
#endif
#include <stdlib.h>
#include <string.h>

// MARK: - Buffer

void cfb_buf_free(cfb_buf *b) {
    free(b->bytes);
    b->bytes = NULL;
    b->count = 0;
    b->capacity = 0;
}

__attribute__((noinline)) void cfb_buf_grow(cfb_buf *b, size_t extra) {
    size_t cap = b->capacity * 2;
    if (cap < b->count + extra) cap = b->count + extra;
    if (cap < 256) cap = 256;
    uint8_t *p = realloc(b->bytes, cap);
    if (!p) abort();
    b->bytes = p;
    b->capacity = cap;
}


void cfb_buf_append(cfb_buf *b, const uint8_t *p, size_t n) { put(b, p, n); }

// MARK: - Character classes

static inline int is_alpha(uint8_t c) { return (uint8_t)(c | 0x20) >= 'a' && (uint8_t)(c | 0x20) <= 'z'; }
static inline int is_space(uint8_t c) { return c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D || c == 0x0C; }
static inline int is_alnum(uint8_t c) { return (c >= '0' && c <= '9') || is_alpha(c); }

/// The bytes of a URL scheme after its first letter: letters, digits, '+', '-' and '.' (one load per byte).
static const uint8_t scheme_byte[256] = {
    ['+'] = 1, ['-'] = 1, ['.'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1,
    ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
    ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1,
    ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
    ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

static inline size_t find_byte(const uint8_t *s, size_t from, size_t to, uint8_t c) {
    if (from >= to) return to;
    // Often the very next byte (the '>' after an end tag's name): no call for it.
    if (s[from] == c) return from;
    const uint8_t *p = memchr(s + from, c, to - from);
    return p ? (size_t)(p - s) : to;
}

/// `find_byte` without a call, for the short distances inside a tag (attribute values): sixteen bytes at a
/// time while sixteen bytes from `i` can be read (`readable` is where `s` ends, at or past `to`; a match at or
/// past `to` does not count).
static inline size_t find_byte_near(const uint8_t *s, size_t from, size_t to, size_t readable, uint8_t c) {
    size_t i = from;
#if defined(__SSE2__)
    const __m128i vc = _mm_set1_epi8((char)c);
    while (i < to && i + 16 <= readable) {
        int m = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(s + i)), vc));
        if (m) {
            size_t p = i + (size_t)__builtin_ctz((unsigned)m);
            return p < to ? p : to;
        }
        i += 16;
    }
#endif
    for (; i < to; i++)
        if (s[i] == c) return i;
    return to;
}

/// The index of the first '<' or '>' in `from..<to`, or `to`: `find_any3(s, from, to, '<', '>', '>')` thirty-two
/// bytes a step (the sanitizer's scan over text, most of its input). '<' and '>' differ only in bit 1, so one
/// compare of each byte with bit 1 set finds both.
static inline size_t find_angle(const uint8_t *s, size_t from, size_t to) {
    size_t i = from;
#if defined(__SSE2__)
    const __m128i bit1 = _mm_set1_epi8(2), gt = _mm_set1_epi8('>');
    while (i + 32 <= to) {
        __m128i a = _mm_cmpeq_epi8(_mm_or_si128(_mm_loadu_si128((const __m128i *)(s + i)), bit1), gt);
        __m128i b = _mm_cmpeq_epi8(_mm_or_si128(_mm_loadu_si128((const __m128i *)(s + i + 16)), bit1), gt);
        // One mask test for both halves; the position only once something is found.
        if (_mm_movemask_epi8(_mm_or_si128(a, b))) {
            uint32_t m = (uint32_t)_mm_movemask_epi8(a) | ((uint32_t)_mm_movemask_epi8(b) << 16);
            return i + (size_t)__builtin_ctz(m);
        }
        i += 32;
    }
#endif
    return find_any3(s, i, to, '<', '>', '>');
}

#if CFB_AVX2
/// Whether the processor and the system support AVX2 (set once by `tables()`; 0 until then).
static int have_avx2;

static int detect_avx2(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    // OSXSAVE and AVX, and the system saving the YMM registers (XCR0 bits 1 and 2).
    if (!(c & (1u << 27)) || !(c & (1u << 28))) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    if ((lo & 6) != 6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b >> 5) & 1;
}

/// `find_angle` sixty-four bytes a step with AVX2 (only called when `have_avx2`): the same answer.
__attribute__((target("avx2"))) static inline size_t find_angle_avx2(const uint8_t *s, size_t from, size_t to) {
    size_t i = from;
    const __m256i bit1 = _mm256_set1_epi8(2), gt = _mm256_set1_epi8('>');
    while (i + 64 <= to) {
        __m256i a = _mm256_cmpeq_epi8(_mm256_or_si256(_mm256_loadu_si256((const __m256i *)(s + i)), bit1), gt);
        __m256i b = _mm256_cmpeq_epi8(_mm256_or_si256(_mm256_loadu_si256((const __m256i *)(s + i + 32)), bit1), gt);
        if (_mm256_movemask_epi8(_mm256_or_si256(a, b))) {
            uint32_t ma = (uint32_t)_mm256_movemask_epi8(a);
            if (ma) return i + (size_t)__builtin_ctz(ma);
            return i + 32 + (size_t)__builtin_ctz((uint32_t)_mm256_movemask_epi8(b));
        }
        i += 64;
    }
    if (i + 32 <= to) {
        __m256i a = _mm256_cmpeq_epi8(_mm256_or_si256(_mm256_loadu_si256((const __m256i *)(s + i)), bit1), gt);
        uint32_t ma = (uint32_t)_mm256_movemask_epi8(a);
        if (ma) return i + (size_t)__builtin_ctz(ma);
        i += 32;
    }
    return find_any3(s, i, to, '<', '>', '>');
}
#endif

/// Whether the sanitizer reads start tags with `read_start_tag` when it can (`cfb_sanitizer_fast_tags`).
static int fast_tags = 1;

int cfb_sanitizer_fast_tags(int on) {
    int was = fast_tags;
    fast_tags = on;
    return was;
}

#if !CFB_AVX2
int cfb_use_avx2(int on) {
    (void)on;
    return 0;
}
#endif

/// The index of `pat` at or after `from`, comparing every byte with bit 0x20 set (as HTMLScanner did), or `n`.
static size_t find_folded(const uint8_t *s, size_t n, size_t from, const char *pat, size_t m) {
    uint8_t first = (uint8_t)pat[0] | 0x20;
    for (size_t j = from; j + m <= n; j++) {
        if ((s[j] | 0x20) != first) continue;
        size_t k = 1;
        while (k < m && (s[j + k] | 0x20) == ((uint8_t)pat[k] | 0x20)) k++;
        if (k == m) return j;
    }
    return n;
}

static int has_prefix_folded(const uint8_t *s, size_t n, size_t j, const char *pat, size_t m) {
    if (j + m > n) return 0;
    for (size_t k = 0; k < m; k++)
        if ((s[j + k] | 0x20) != ((uint8_t)pat[k] | 0x20)) return 0;
    return 1;
}

// MARK: - Names

/// A lower-cased (ASCII letters only) name of up to 16 bytes packed into two words, with its exact length;
/// longer names match no table entry (`cfb_tag_name`, shared with feedsax.c through sanitizer.h).
typedef cfb_tag_name name_t;

/// The eight bytes of `x` with ASCII capitals lower-cased (no carries between bytes: each stays below 0x100).
static inline uint64_t lower_ascii8(uint64_t x) {
    uint64_t h = x & 0x7F7F7F7F7F7F7F7Full;
    uint64_t at_least_a = h + 0x3F3F3F3F3F3F3F3Full;  // high bit set where h >= 0x41
    uint64_t past_z = h + 0x2525252525252525ull;      // high bit set where h >= 0x5B
    uint64_t upper = at_least_a & ~past_z & ~x & 0x8080808080808080ull;
    return x | (upper >> 2);
}

static inline uint64_t low_bytes(size_t k) { return k >= 8 ? ~0ull : ((1ull << (8 * k)) - 1); }

/// The name in `s[from..<to]`; `limit` is where `s` ends (reading up to sixteen bytes past `from` before it).
static inline __attribute__((always_inline)) name_t pack_name(const uint8_t *s, size_t from, size_t to, size_t limit) {
    name_t t = {0, 0, to - from};
    if (t.count > 16) return t;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (from + 16 <= limit) {
        uint64_t w0, w1;
        memcpy(&w0, s + from, 8);
        memcpy(&w1, s + from + 8, 8);
        t.lo = lower_ascii8(w0) & low_bytes(t.count);
        t.hi = t.count > 8 ? lower_ascii8(w1) & low_bytes(t.count - 8) : 0;
        return t;
    }
#endif
    for (size_t k = 0; k < t.count; k++) {
        uint8_t c = s[from + k];
        uint64_t l = (c >= 'A' && c <= 'Z') ? (c | 0x20) : c;
        if (k < 8) t.lo |= l << (8 * k);
        else t.hi |= l << (8 * (k - 8));
    }
    return t;
}

/// `pack_name` for a name already known to hold no ASCII capitals (the sanitizer's plain-tag check notes them):
/// the same packed words without lower-casing.
static inline __attribute__((always_inline)) name_t pack_lower_name(const uint8_t *s, size_t from, size_t to,
                                                                     size_t limit) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    size_t count = to - from;
    if (count <= 16 && from + 16 <= limit) {
        name_t t = {0, 0, count};
        uint64_t w0, w1;
        memcpy(&w0, s + from, 8);
        t.lo = w0 & low_bytes(count);
        if (count > 8) {
            memcpy(&w1, s + from + 8, 8);
            t.hi = w1 & low_bytes(count - 8);
        }
        return t;
    }
#endif
    return pack_name(s, from, to, limit);
}

// Fixed tables from name to a small value (0 = absent), filled once.
#define TABLE_SIZE 512
typedef struct {
    name_t keys[TABLE_SIZE];
    uint8_t values[TABLE_SIZE];
} name_table;

static inline size_t name_hash(name_t t) {
    uint64_t h = (t.lo * 0x9E3779B97F4A7C15ull) ^ (t.hi * 0xC2B2AE3D27D4EB4Full) ^ (uint64_t)t.count;
    return (size_t)(((h ^ (h >> 29)) * 0xBF58476D1CE4E5B9ull) >> 40);
}

static void table_add(name_table *t, const char *name, uint8_t v) {
    name_t key = pack_name((const uint8_t *)name, 0, strlen(name), 0);
    size_t k = name_hash(key) & (TABLE_SIZE - 1);
    while (t->values[k] && !cfb_tag_name_eq(t->keys[k], key)) k = (k + 1) & (TABLE_SIZE - 1);
    t->keys[k] = key;
    t->values[k] |= v;
}

static inline uint8_t table_get(const name_table *t, name_t key) {
    if (key.count == 0 || key.count > 16) return 0;
    size_t k = name_hash(key) & (TABLE_SIZE - 1);
    while (t->values[k]) {
        if (cfb_tag_name_eq(t->keys[k], key)) return t->values[k];
        k = (k + 1) & (TABLE_SIZE - 1);
    }
    return 0;
}

// Element classes for the sanitizer.
enum { EL_KEEP = 1, EL_KEEP_VOID = 2, EL_DROP_WITH_CONTENT = 3 };
// Attribute classes for the sanitizer.
enum { AT_PLAIN = 1, AT_URL = 2, AT_SRCSET = 3 };
// Tag effects for plain text: bit 0 = block (separates words), bit 1 = content dropped.
enum { FX_BLOCK = 1, FX_DROP = 2 };

static name_table elements, attributes, void_dropped, effects;
/// `elements` for the one-letter names (`p`, `b`, `a`, `i`, ...), looked up by their byte.
static uint8_t elements1[256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static name_t name_img, name_src;
/// The classes of the commonest attribute names, looked up by their length without hashing (see
/// `attribute_class`): `src` and `alt`, `href`, `width` and `title`, `height`.
static name_t name_alt, name_href, name_width, name_title, name_height;
static uint8_t class_src, class_alt, class_href, class_width, class_title, class_height;

static void build_tables(void) {
#if CFB_AVX2
    have_avx2 = detect_avx2();
#endif
    static const char *keep[] = {
        "a", "abbr", "acronym", "address", "article", "aside", "audio", "b", "bdi", "bdo", "big", "blockquote",
        "caption", "center", "cite", "code", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em",
        "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "i", "ins", "kbd",
        "li", "main", "mark", "ol", "p", "picture", "pre", "q", "rp", "rt", "ruby", "s", "samp", "section", "small",
        "span", "strike", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
        "tr", "tt", "u", "ul", "var", "video", "nav", "label",
    };
    static const char *keep_void[] = {"br", "img", "hr", "wbr", "source", "col", "track"};
    static const char *drop[] = {
        "script", "style", "iframe", "object", "embed", "applet", "frame", "frameset", "noframes", "noembed",
        "template", "title", "head", "select", "textarea", "button", "svg", "math", "xml", "meta", "link", "base",
    };
    static const char *plain[] = {
        "alt", "title", "width", "height", "colspan", "rowspan", "align", "valign", "datetime", "lang", "dir",
        "start", "reversed", "controls", "loop", "scope", "headers", "abbr", "border", "cellpadding",
        "cellspacing", "hspace", "vspace", "type", "span", "media", "sizes", "label", "kind", "srclang", "open",
        "value", "color", "size", "face", "rel",
    };
    static const char *url[] = {"href", "src", "cite", "poster", "longdesc"};
    static const char *block[] = {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
        "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "img", "body", "html",
        "head", "title", "caption", "center", "iframe", "video", "audio",
    };
    static const char *drop_content[] = {"script", "style", "template", "noembed", "noframes", "iframe"};
#define EACH(list, table, v) for (size_t k = 0; k < sizeof(list) / sizeof(list[0]); k++) table_add(&table, list[k], v)
    EACH(keep, elements, EL_KEEP);
    EACH(keep_void, elements, EL_KEEP_VOID);
    EACH(drop, elements, EL_DROP_WITH_CONTENT);
    EACH(plain, attributes, AT_PLAIN);
    EACH(url, attributes, AT_URL);
    table_add(&attributes, "srcset", AT_SRCSET);
    table_add(&void_dropped, "meta", 1);
    table_add(&void_dropped, "link", 1);
    table_add(&void_dropped, "base", 1);
    table_add(&void_dropped, "embed", 1);
    EACH(block, effects, FX_BLOCK);
    EACH(drop_content, effects, FX_DROP);
#undef EACH
    for (int c = 0; c < 256; c++) {
        uint8_t b = (uint8_t)c;
        elements1[c] = table_get(&elements, pack_name(&b, 0, 1, 0));
    }
    name_img = pack_name((const uint8_t *)"img", 0, 3, 0);
#define COMMON(var, lit) name_##var = pack_name((const uint8_t *)lit, 0, sizeof(lit) - 1, 0); \
    class_##var = table_get(&attributes, name_##var)
    COMMON(alt, "alt");
    COMMON(href, "href");
    COMMON(width, "width");
    COMMON(title, "title");
    COMMON(height, "height");
#undef COMMON
    name_src = pack_name((const uint8_t *)"src", 0, 3, 0);
    class_src = table_get(&attributes, name_src);
}

static inline void tables(void) { pthread_once(&tables_once, build_tables); }

/// `table_get(&attributes, an)`, the commonest names compared directly (by length) instead of hashed.
static inline uint8_t attribute_class(name_t an) {
    if (an.hi == 0) {
        switch (an.count) {
        case 3:
            if (an.lo == name_src.lo) return class_src;
            if (an.lo == name_alt.lo) return class_alt;
            break;
        case 4:
            if (an.lo == name_href.lo) return class_href;
            break;
        case 5:
            if (an.lo == name_width.lo) return class_width;
            if (an.lo == name_title.lo) return class_title;
            break;
        case 6:
            if (an.lo == name_height.lo) return class_height;
            break;
        }
    }
    return table_get(&attributes, an);
}

#if CFB_AVX2
int cfb_use_avx2(int on) {
    tables();
    have_avx2 = on ? detect_avx2() : 0;
    return have_avx2;
}

int cfb_avx2_enabled(void) {
    tables();
    return have_avx2;
}
#endif

// MARK: - Tokenizer

enum { TOK_END, TOK_TEXT, TOK_START, TOK_END_TAG, TOK_CDATA, TOK_IGNORABLE };

typedef struct {
    const uint8_t *s;
    size_t n;
    size_t i;
} scanner;

typedef struct {
    int kind;
    size_t start, end;  // text/cdata: the bytes; start tag: the attributes
    name_t name;        // start and end tags
    int self_closing;
} token;

/// Bytes that end a tag name: white space (as `is_space`), '/' and '>'.
static const uint8_t ends_name[256] = {
    ['\t'] = 1, ['\n'] = 1, ['\f'] = 1, ['\r'] = 1, [' '] = 1, ['/'] = 1, ['>'] = 1,
};

/// `ends_name` for the sanitizer's plain-tag check, which also notes capitals (a tag it writes lower-cased).
enum { NAME_END = 1, NAME_UPPER = 2 };
static const uint8_t name_class[256] = {
    ['\t'] = 1, ['\n'] = 1, ['\f'] = 1, ['\r'] = 1, [' '] = 1, ['/'] = 1, ['>'] = 1,
    ['A'] = 2, ['B'] = 2, ['C'] = 2, ['D'] = 2, ['E'] = 2, ['F'] = 2, ['G'] = 2, ['H'] = 2, ['I'] = 2, ['J'] = 2,
    ['K'] = 2, ['L'] = 2, ['M'] = 2, ['N'] = 2, ['O'] = 2, ['P'] = 2, ['Q'] = 2, ['R'] = 2, ['S'] = 2, ['T'] = 2,
    ['U'] = 2, ['V'] = 2, ['W'] = 2, ['X'] = 2, ['Y'] = 2, ['Z'] = 2,
};

static inline __attribute__((always_inline)) size_t name_end(const scanner *sc, size_t from) {
    size_t j = from;
    while (j < sc->n && !ends_name[sc->s[j]]) j++;
    return j;
}

static inline size_t min_z(size_t a, size_t b) { return a < b ? a : b; }

/// Skips the raw text of `script`/`style`-like elements up to and including their end tag.
static void skip_raw_text(scanner *sc, name_t name) {
    const uint8_t *s = sc->s;
    size_t n = sc->n;
    while (sc->i < n) {
        size_t j = find_byte(s, sc->i, n, '<');
        if (!(j + 1 < n)) {
            sc->i = n;
            return;
        }
        if (s[j + 1] == '/') {
            size_t e = name_end(sc, j + 2);
            if (cfb_tag_name_eq(pack_name(s, j + 2, e, n), name)) {
                sc->i = min_z(n, find_byte(s, e, n, '>') + 1);
                return;
            }
        }
        sc->i = j + 1;
    }
}

static inline __attribute__((always_inline)) token next_token(scanner *sc) {
    const uint8_t *s = sc->s;
    size_t n = sc->n;
    token t = {TOK_END, 0, 0, {0, 0, 0}, 0};
    if (sc->i >= n) return t;
    size_t start = sc->i;
    size_t i = start;
    if (s[i] != '<') {
        sc->i = find_byte(s, i + 1, n, '<');
        t.kind = TOK_TEXT;
        t.start = start;
        t.end = sc->i;
        return t;
    }
    if (!(i + 1 < n)) {
        sc->i = n;
        t.kind = TOK_TEXT;
        t.start = start;
        t.end = n;
        return t;
    }
    uint8_t c = s[i + 1];
    if (c == '!') {
        if (has_prefix_folded(s, n, i, "<!--", 4)) {
            size_t e = find_folded(s, n, i + 4, "-->", 3);
            sc->i = min_z(n, e + 3);
            t.kind = TOK_IGNORABLE;
            return t;
        }
        if (has_prefix_folded(s, n, i, "<![CDATA[", 9)) {
            size_t e = find_folded(s, n, i + 9, "]]>", 3);
            sc->i = min_z(n, e + 3);
            t.kind = TOK_CDATA;
            t.start = start + 9;
            t.end = e;
            return t;
        }
        sc->i = min_z(n, find_byte(s, i + 2, n, '>') + 1);
        t.kind = TOK_IGNORABLE;
        return t;
    }
    if (c == '?') {
        sc->i = min_z(n, find_byte(s, i + 2, n, '>') + 1);
        t.kind = TOK_IGNORABLE;
        return t;
    }
    if (c == '/') {
        if (!(i + 2 < n && is_alpha(s[i + 2]))) {
            if (i + 2 < n && s[i + 2] == '>') {
                sc->i = i + 3;
                t.kind = TOK_IGNORABLE;
                return t;
            }
            sc->i = i + 1;
            t.kind = TOK_TEXT;
            t.start = start;
            t.end = i + 1;
            return t;
        }
        size_t e = name_end(sc, i + 2);
        t.name = pack_name(s, i + 2, e, n);
        sc->i = min_z(n, find_byte(s, e, n, '>') + 1);
        t.kind = TOK_END_TAG;
        return t;
    }
    if (!is_alpha(c)) {
        sc->i = i + 1;
        t.kind = TOK_TEXT;
        t.start = start;
        t.end = i + 1;
        return t;
    }
    size_t e = name_end(sc, i + 1);
    t.name = pack_name(s, i + 1, e, n);
    // The closing '>', skipping quoted attribute values: a quote opens a value only after '=' and white space,
    // that is when the last byte before it that is not white space (after the name) is '='.
    size_t j = e;
    for (;;) {
        j = find_any3(s, j, n, '>', '"', '\'');
        if (j >= n || s[j] == '>') break;
        size_t k = j;
        while (k > e && is_space(s[k - 1])) k--;
        if (k > e && s[k - 1] == '=') {
            j = min_z(n, find_byte_near(s, j + 1, n, n, s[j]) + 1);
        } else {
            j++;
        }
    }
    int self_closing = j > e && j <= n && s[j - 1] == '/';
    size_t attr_end = self_closing ? j - 1 : j;
    sc->i = min_z(n, j + 1);
    size_t ae = min_z(attr_end, n);
    t.kind = TOK_START;
    t.start = e;
    t.end = ae > e ? ae : e;
    t.self_closing = self_closing;
    return t;
}

/// The bytes that end an attribute name, by kind: white space (as `is_space`), '/' and '='.
enum { ATTR_SPACE = 1, ATTR_SLASH = 2, ATTR_EQUALS = 4 };
static const uint8_t attr_class[256] = {
    ['\t'] = ATTR_SPACE, ['\n'] = ATTR_SPACE, ['\f'] = ATTR_SPACE, ['\r'] = ATTR_SPACE, [' '] = ATTR_SPACE,
    ['/'] = ATTR_SLASH, ['='] = ATTR_EQUALS,
};

/// The attribute at or after `*j` (before `end`), advancing `*j` past it: its name and the range of its raw
/// value (empty when it has none); 0 at the end.
static inline __attribute__((always_inline)) int next_attribute(const uint8_t *s, size_t limit, size_t *jp,
                                                               size_t end, name_t *name, size_t *vs_out,
                                                               size_t *ve_out) {
    size_t j = *jp;
    while (j < end) {
        while (j < end && (attr_class[s[j]] & (ATTR_SPACE | ATTR_SLASH))) j++;
        if (j >= end) break;
        size_t ns = j;
        while (j < end && !attr_class[s[j]]) j++;
        name_t nm = pack_name(s, ns, j, limit);
        while (j < end && (attr_class[s[j]] & ATTR_SPACE)) j++;
        size_t vs = j, ve = j;
        if (j < end && s[j] == '=') {
            j++;
            while (j < end && (attr_class[s[j]] & ATTR_SPACE)) j++;
            vs = j;
            ve = j;
            if (j < end && (s[j] == '"' || s[j] == '\'')) {
                uint8_t q = s[j];
                vs = j + 1;
                ve = find_byte_near(s, vs, end, limit, q);
                j = min_z(end, ve + 1);
            } else {
                while (ve < end && !(attr_class[s[ve]] & ATTR_SPACE)) ve++;
                j = ve;
            }
        } else if (j == ns) {
            j++;
            continue;
        }
        if (nm.count != 0) {
            *jp = j;
            *name = nm;
            *vs_out = vs;
            *ve_out = ve;
            return 1;
        }
    }
    *jp = j;
    return 0;
}

/// Bytes that end an attribute name for `read_start_tag`: `attr_class` ones, '>' (the end of the tag) and quotes
/// (where the tokenizer's and `next_attribute`'s readings could differ).
static const uint8_t ends_attribute_name[256] = {
    ['\t'] = 1, ['\n'] = 1, ['\f'] = 1, ['\r'] = 1, [' '] = 1, ['/'] = 1, ['='] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1,
};

#if defined(__SSE2__)
/// `ends_attribute_name` for sixteen bytes: bit k set when byte k ends a name. ' ' and '"' differ only in bit 1,
/// '\'' and '/' only in bit 3 (one compare each pair); '\t', '\n', '\f' and '\r' are 0x09-0x0D but 0x0B.
static inline __attribute__((always_inline)) unsigned attribute_name_ends16(__m128i v) {
    __m128i pairs = _mm_or_si128(_mm_cmpeq_epi8(_mm_or_si128(v, _mm_set1_epi8(2)), _mm_set1_epi8('"')),
                                 _mm_cmpeq_epi8(_mm_or_si128(v, _mm_set1_epi8(8)), _mm_set1_epi8('/')));
    __m128i ends = _mm_or_si128(pairs, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('=')),
                                                    _mm_cmpeq_epi8(v, _mm_set1_epi8('>'))));
    __m128i d = _mm_sub_epi8(v, _mm_set1_epi8(9));
    __m128i controls = _mm_andnot_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x0B)),
                                        _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(4)), d));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(ends, controls));
}
#endif

#if defined(__SSE2__)
/// `pack_name` of the first `count` (below 16) of the sixteen bytes `v`: capitals lower-cased and the bytes past
/// the name cleared sixteen at a time, then the two words taken out.
static inline __attribute__((always_inline)) name_t pack_name16(__m128i v, size_t count) {
    static const uint8_t ones_then_zeros[32] = {
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    };
    __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('A'));
    __m128i upper = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8('Z' - 'A')), d);  // 'A' <= v <= 'Z'
    __m128i lower = _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
    lower = _mm_and_si128(lower, _mm_loadu_si128((const __m128i *)(ones_then_zeros + 16 - count)));
    name_t t = {(uint64_t)_mm_cvtsi128_si64(lower), (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(lower, lower)),
                count};
    return t;
}
#endif

/// An attribute as `read_start_tag` reads it: its name, the range of its raw value, and whether the value has a
/// '&' (character references to decode).
typedef struct {
    name_t name;
    size_t vs, ve;
    int amp;
} attribute_span;

/// The index of the quote `q` closing a value that starts at `from`, or `n` when none does; `*amp` is set when a
/// '&' comes before it. Sixteen bytes a step while sixteen can be read.
static inline __attribute__((always_inline)) size_t find_value_end(const uint8_t *s, size_t from, size_t n,
                                                                   uint8_t q, int *amp) {
    size_t i = from;
    int a = 0;
#if defined(__SSE2__)
    const __m128i vq = _mm_set1_epi8((char)q), va = _mm_set1_epi8('&');
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        unsigned mq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vq));
        unsigned ma = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, va));
        if (mq) {
            unsigned before = (mq & -mq) - 1;  // the bytes before the first quote
            *amp = a | ((ma & before) != 0);
            return i + (size_t)__builtin_ctz(mq);
        }
        a |= ma != 0;
        i += 16;
    }
#endif
    for (; i < n; i++) {
        if (s[i] == q) break;
        if (s[i] == '&') a = 1;
    }
    *amp = a;
    return i;
}

/// The index of the first byte at or after `j` (before `n`) whose `attr_class` has none of the bits `cls`.
static __attribute__((noinline)) size_t skip_attr_class(const uint8_t *s, size_t j, size_t n, uint8_t cls) {
    while (j < n && (attr_class[s[j]] & cls)) j++;
    return j;
}

enum { MAX_FAST_ATTRIBUTES = 16 };

/// Reads the start tag at `s[i]` ('<', then a letter; its name ends at `e`, before white space, '/' or '>') in one
/// pass when every attribute is a name, optionally followed by `=` and a quoted value: the start tag token
/// `next_token` gives (`t`, its end `*tag_end` past the '>') and the attributes `next_attribute` gives for it
/// (at most `MAX_FAST_ATTRIBUTES`), without reading the tag twice. Returns 0 for anything else (unquoted values,
/// quotes or '=' where no value starts, no '>'), which the tokenizer reads.
/// Why the readings agree: the tokenizer's quote opens a value exactly when the last byte before it that is not
/// white space is '=', which here is always an attribute's '=' (names end at '=', and a quote anywhere else
/// refuses the tag); so both end the tag at the first '>' outside the quoted values, and the values are the
/// same quoted ranges.
static inline __attribute__((always_inline)) int read_start_tag(const uint8_t *s, size_t n, size_t i, size_t e,
                                                                token *t, size_t *tag_end, attribute_span *spans,
                                                                size_t *span_count) {
    size_t j = e, count = 0;
    for (;;) {
        // Most attributes follow a single space, and most names or values no space: the loops out of line.
        if (j < n && s[j] == ' ') j++;
        if (j < n && (attr_class[s[j]] & (ATTR_SPACE | ATTR_SLASH))) j = skip_attr_class(s, j, n, ATTR_SPACE | ATTR_SLASH);
        if (j >= n) return 0;
        if (s[j] == '>') break;
        // A name ends at white space, '/', '=', '>' or a quote; one ending at a quote has no value, and the next
        // name would start with the quote: refused then.
        size_t ns = j;
#if defined(__SSE2__)
        if (ns + 16 <= n) {
            // The name's end among the sixteen bytes from its start, without a loop (none: a long name, left
            // to the tokenizer).
            __m128i v = _mm_loadu_si128((const __m128i *)(s + ns));
            unsigned m = attribute_name_ends16(v);
            if (!m) return 0;
            j = ns + (size_t)__builtin_ctz(m);
            if (j == ns || j >= n || count == MAX_FAST_ATTRIBUTES) return 0;
            spans[count].name = pack_name16(v, j - ns);
        } else
#endif
        {
            while (j < n && !ends_attribute_name[s[j]]) j++;
            if (j == ns || j >= n || count == MAX_FAST_ATTRIBUTES) return 0;
            spans[count].name = pack_name(s, ns, j, n);
        }
        attribute_span *a = &spans[count++];
        if (j < n && (attr_class[s[j]] & ATTR_SPACE)) j = skip_attr_class(s, j, n, ATTR_SPACE);
        if (j < n && s[j] == '=') {
            j++;
            if (j < n && (attr_class[s[j]] & ATTR_SPACE)) j = skip_attr_class(s, j, n, ATTR_SPACE);
            if (!(j < n && (s[j] == '"' || s[j] == '\''))) return 0;
            a->vs = j + 1;
            a->ve = find_value_end(s, j + 1, n, s[j], &a->amp);
            if (a->ve >= n) return 0;
            j = a->ve + 1;
        } else {
            a->vs = a->ve = j;
            a->amp = 0;
        }
    }
    // `s[j]` is the '>' (`next_token`'s `j`).
    int self_closing = j > e && s[j - 1] == '/';
    size_t attr_end = self_closing ? j - 1 : j;
    t->kind = TOK_START;
    t->name = pack_name(s, i + 1, e, n);
    t->start = e;
    t->end = attr_end > e ? attr_end : e;
    t->self_closing = self_closing;
    *tag_end = j + 1;
    *span_count = count;
    return 1;
}

// MARK: - Character references

/// Windows-1252 code points for bytes 0x80–0x9F (0 = undefined).
static const uint32_t cp1252_high[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,
    0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
    0x0153, 0, 0x017E, 0x0178,
};

static void put_utf8(cfb_buf *out, uint32_t v) {
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) v = 0xFFFD;
    uint8_t b[4];
    if (v < 0x80) {
        put1(out, (uint8_t)v);
    } else if (v < 0x800) {
        b[0] = (uint8_t)(0xC0 | (v >> 6));
        b[1] = (uint8_t)(0x80 | (v & 0x3F));
        put(out, b, 2);
    } else if (v < 0x10000) {
        b[0] = (uint8_t)(0xE0 | (v >> 12));
        b[1] = (uint8_t)(0x80 | ((v >> 6) & 0x3F));
        b[2] = (uint8_t)(0x80 | (v & 0x3F));
        put(out, b, 3);
    } else {
        b[0] = (uint8_t)(0xF0 | (v >> 18));
        b[1] = (uint8_t)(0x80 | ((v >> 12) & 0x3F));
        b[2] = (uint8_t)(0x80 | ((v >> 6) & 0x3F));
        b[3] = (uint8_t)(0x80 | (v & 0x3F));
        put(out, b, 4);
    }
}

/// The code point of a named entity (without `&` and `;`), or 0 when HTML does not define it.
static uint32_t named_entity(const uint8_t *p, size_t n) {
    switch (n) {
    case 2:
        if (p[0] == 'l' && p[1] == 't') return 0x3C;
        if (p[0] == 'g' && p[1] == 't') return 0x3E;
        break;
    case 3:
        if (p[0] == 'a' && p[1] == 'm' && p[2] == 'p') return 0x26;
        break;
    case 4:
        if (memcmp(p, "nbsp", 4) == 0) return 0xA0;
        if (memcmp(p, "quot", 4) == 0) return 0x22;
        if (memcmp(p, "apos", 4) == 0) return 0x27;
        break;
    default:
        break;
    }
    if (n >= 32 || n == 0) return 0;
    xmlChar z[32];
    memcpy(z, p, n);
    z[n] = 0;
    const htmlEntityDesc *d = htmlEntityLookup(z);
    return d ? d->value : 0;
}

/// Decodes the character reference at `s[start]` (an `&`), appending it to `out`; returns the index after
/// it, or 0 when the `&` does not start one.
static size_t decode_reference(const uint8_t *s, size_t n, size_t start, cfb_buf *out) {
    size_t i = start + 1;
    if (i >= n) return 0;
    if (s[i] == '#') {
        i++;
        int hex = 0;
        if (i < n && (s[i] | 0x20) == 'x') {
            hex = 1;
            i++;
        }
        uint32_t v = 0;
        size_t digits = 0;
        while (i < n) {
            uint8_t c = s[i];
            uint32_t d;
            if (c >= '0' && c <= '9') d = c - '0';
            else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f') d = (uint32_t)((c | 0x20) - 'a' + 10);
            else break;
            if (v < 0x110000) v = v * (hex ? 16 : 10) + d;
            digits++;
            i++;
        }
        if (digits == 0) return 0;
        if (i < n && s[i] == ';') i++;
        if (v >= 0x80 && v <= 0x9F) {
            uint32_t m = cp1252_high[v - 0x80];
            if (m) v = m;
        }
        if (v == 0) v = 0xFFFD;
        put_utf8(out, v);
        return i;
    }
    size_t j = i;
    while (j < n && j - i < 32 && is_alnum(s[j])) j++;
    if (j == i) return 0;
    size_t len = j - i;
    if (j < n && s[j] == ';') {
        uint32_t v = named_entity(s + i, len);
        if (!v) return 0;
        put_utf8(out, v);
        return j + 1;
    }
    // Without `;` browsers still decode the legacy few.
    if (len >= 2 && len <= 4) {
        uint32_t v = named_entity(s + i, len);
        if (v == 0x26 || v == 0x3C || v == 0x3E || v == 0xA0 || v == 0x22) {
            put_utf8(out, v);
            return j;
        }
    }
    return 0;
}

void cfb_decode_references(const uint8_t *s, size_t n, cfb_buf *out) {
    size_t run = 0, k = 0;
    while (k < n) {
        k = find_byte(s, k, n, '&');
        if (k >= n) break;
        put(out, s + run, k - run);
        size_t next = decode_reference(s, n, k, out);
        if (next) {
            k = next;
        } else {
            put1(out, '&');
            k++;
        }
        run = k;
    }
    put(out, s + run, n - run);
}

// MARK: - Escaping

// The entity of a byte that escaping replaces.
static inline const char *entity_of(uint8_t c) {
    return c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : "&quot;";
}

#if defined(__SSE2__)
/// Where escaping has something to replace in the sixteen bytes `v`: '<', '&' and `third` ('>' in text, '"' in
/// attribute values). '<' and '>' differ only in bit 1, '&' and '"' only in bit 2: one compare of the bytes with
/// that bit set finds two of the three.
static inline __attribute__((always_inline)) unsigned escapes16(__m128i v, uint8_t third) {
    __m128i m = third == '>' ? _mm_or_si128(_mm_cmpeq_epi8(_mm_or_si128(v, _mm_set1_epi8(2)), _mm_set1_epi8('>')),
                                            _mm_cmpeq_epi8(v, _mm_set1_epi8('&')))
                             : _mm_or_si128(_mm_cmpeq_epi8(_mm_or_si128(v, _mm_set1_epi8(4)), _mm_set1_epi8('&')),
                                            _mm_cmpeq_epi8(v, _mm_set1_epi8('<')));
    return (unsigned)_mm_movemask_epi8(m);
}
#endif

/// A nonzero word when one of the eight bytes of `x` is one escaping replaces, its lowest set bit in the first
/// such byte (the zero-byte test of each compare is exact up to its first zero byte).
static inline uint64_t escapes8(uint64_t x, uint8_t third) {
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t a = third == '>' ? (x | 2 * ones) ^ ('>' * ones) : (x | 4 * ones) ^ ('&' * ones);
    uint64_t b = x ^ ((third == '>' ? '&' : '<') * ones);
    return ((a - ones) & ~a & highs) | ((b - ones) & ~b & highs);
}

/// Copies to `o` (room for `n` bytes) the bytes of `s` before the first one escaping replaces, and returns their
/// count (`n` when there is none): most text has nothing to escape, and is scanned and copied in one pass,
/// sixteen bytes a step, the last step overlapping the one before (reading and writing only `s[0..<n]` and
/// `o[0..<n]`; the bytes written past the count are overwritten or ignored).
static inline __attribute__((always_inline)) size_t copy_unescaped(const uint8_t *s, size_t n, uint8_t third,
                                                                  uint8_t *o) {
#if defined(__SSE2__)
    if (n >= 16) {
        size_t i = 0;
        for (; i + 16 <= n; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
            _mm_storeu_si128((__m128i *)(o + i), v);
            unsigned m = escapes16(v, third);
            if (m) return i + (size_t)__builtin_ctz(m);
        }
        if (i < n) {
            // The last sixteen bytes: bit (16 - (n - i)) is byte `i`.
            __m128i v = _mm_loadu_si128((const __m128i *)(s + n - 16));
            _mm_storeu_si128((__m128i *)(o + n - 16), v);
            unsigned m = escapes16(v, third) >> (16 - (n - i));
            if (m) return i + (size_t)__builtin_ctz(m);
        }
        return n;
    }
#endif
    if (n >= 8 && n <= 16) {
        uint64_t a, z;
        memcpy(&a, s, 8);
        memcpy(&z, s + n - 8, 8);
        memcpy(o, &a, 8);
        memcpy(o + n - 8, &z, 8);
        uint64_t m = escapes8(a, third);
        if (m) return (size_t)__builtin_ctzll(m) / 8;
        if (n > 8 && (m = escapes8(z, third) >> (8 * (16 - n)))) return 8 + (size_t)__builtin_ctzll(m) / 8;
        return n;
    }
    for (size_t k = 0; k < n; k++) {
        uint8_t c = s[k];
        if (c == '<' || c == '&' || c == third) return k;
        o[k] = c;
    }
    return n;
}

#if CFB_AVX2
/// `copy_unescaped` thirty-two bytes a step (only called when `have_avx2`): the same answer and bytes.
__attribute__((target("avx2"), always_inline)) static inline size_t copy_unescaped_avx2(const uint8_t *s, size_t n, uint8_t third,
                                                                         uint8_t *o) {
    if (n < 32) return copy_unescaped(s, n, third, o);
    const __m256i bit = _mm256_set1_epi8(third == '>' ? 2 : 4), pair = _mm256_set1_epi8(third == '>' ? '>' : '&'),
                  other = _mm256_set1_epi8(third == '>' ? '&' : '<');
#define ESCAPES32(v) \
    (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(_mm256_cmpeq_epi8(_mm256_or_si256((v), bit), pair), \
                                                   _mm256_cmpeq_epi8((v), other)))
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(s + i));
        _mm256_storeu_si256((__m256i *)(o + i), v);
        uint32_t m = ESCAPES32(v);
        if (m) return i + (size_t)__builtin_ctz(m);
    }
    if (i < n) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(s + n - 32));
        _mm256_storeu_si256((__m256i *)(o + n - 32), v);
        uint32_t m = ESCAPES32(v) >> (32 - (n - i));
        if (m) return i + (size_t)__builtin_ctz(m);
    }
#undef ESCAPES32
    return n;
}
#endif

/// Appends `s[k..<n]` with '<', '&' and `third` replaced by their entities, `s[k]` being one of them: the rest of
/// an escape after the part `copy_unescaped` copied (out of line: most text never gets here).
static __attribute__((noinline)) void escape_from(const uint8_t *s, size_t n, size_t k, uint8_t third, cfb_buf *out) {
    size_t run = k;
    for (; (k = find_any3(s, k, n, '<', '&', third)) < n; k++) {
        put(out, s + run, k - run);
        const char *e = entity_of(s[k]);
        put(out, (const uint8_t *)e, strlen(e));
        run = k + 1;
    }
    put(out, s + run, n - run);
}

// Copies s, replacing '<', '&' and `third` ('>' in text, '"' in attribute values) by their entities. Each caller
// has its own copy, with `third` a constant (see `escapes16`) and the scan for its processor.
#define ESCAPE_WITH(copy, s, n, third, out)                            \
    do {                                                               \
        reserve((out), (n));                                           \
        size_t k_ = copy((s), (n), (third), (out)->bytes + (out)->count); \
        (out)->count += k_;                                            \
        if (k_ < (n)) escape_from((s), (n), k_, (third), (out));       \
    } while (0)

#if CFB_AVX2
__attribute__((target("avx2"))) static void escape_text_avx2(const uint8_t *s, size_t n, cfb_buf *out) {
    ESCAPE_WITH(copy_unescaped_avx2, s, n, '>', out);
}

__attribute__((target("avx2"))) static void escape_attribute_avx2(const uint8_t *s, size_t n, cfb_buf *out) {
    ESCAPE_WITH(copy_unescaped_avx2, s, n, '"', out);
}
#endif

void cfb_escape_text(const uint8_t *s, size_t n, cfb_buf *out) {
#if CFB_AVX2
    if (have_avx2) {
        escape_text_avx2(s, n, out);
        return;
    }
#endif
    ESCAPE_WITH(copy_unescaped, s, n, '>', out);
}

void cfb_escape_attribute(const uint8_t *s, size_t n, cfb_buf *out) {
#if CFB_AVX2
    if (have_avx2) {
        escape_attribute_avx2(s, n, out);
        return;
    }
#endif
    ESCAPE_WITH(copy_unescaped, s, n, '"', out);
}

size_t cfb_escape_text_into(const uint8_t *s, size_t n, uint8_t *dst) {
    uint8_t *o = dst;
    size_t run = 0;
    for (size_t k = 0; (k = find_any3(s, k, n, '<', '>', '&')) < n; k++) {
        memcpy(o, s + run, k - run);
        o += k - run;
        if (s[k] == '<') memcpy(o, "&lt;", 4), o += 4;
        else if (s[k] == '>') memcpy(o, "&gt;", 4), o += 4;
        else memcpy(o, "&amp;", 5), o += 5;
        run = k + 1;
    }
    memcpy(o, s + run, n - run);
    return (size_t)(o - dst) + (n - run);
}

size_t cfb_escape_attribute_into(const uint8_t *s, size_t n, uint8_t *dst) {
    uint8_t *o = dst;
    size_t run = 0;
    for (size_t k = 0; (k = find_any3(s, k, n, '<', '&', '"')) < n; k++) {
        memcpy(o, s + run, k - run);
        o += k - run;
        if (s[k] == '<') memcpy(o, "&lt;", 4), o += 4;
        else if (s[k] == '&') memcpy(o, "&amp;", 5), o += 5;
        else memcpy(o, "&quot;", 6), o += 6;
        run = k + 1;
    }
    memcpy(o, s + run, n - run);
    return (size_t)(o - dst) + (n - run);
}

// MARK: - Sanitizer

/// Appends `v` escaped as an attribute value (`cfb_escape_attribute`). A value of up to 32 bytes whose 32 bytes
/// from its start can be read (before `readable_end`) and that has nothing to escape is checked and copied
/// sixteen bytes at a time, without a call: most attribute values (widths, alt texts, paths).
static inline void put_escaped_attribute(cfb_buf *out, const uint8_t *v, size_t n, const uint8_t *readable_end) {
#if defined(__SSE2__)
    if (n <= 32 && v && readable_end >= v && (size_t)(readable_end - v) >= 32) {
        const __m128i lt = _mm_set1_epi8('<'), amp = _mm_set1_epi8('&'), quot = _mm_set1_epi8('"');
        __m128i v0 = _mm_loadu_si128((const __m128i *)v), v1 = _mm_loadu_si128((const __m128i *)(v + 16));
        uint32_t m0 = (uint32_t)_mm_movemask_epi8(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v0, lt), _mm_cmpeq_epi8(v0, amp)), _mm_cmpeq_epi8(v0, quot)));
        uint32_t m1 = (uint32_t)_mm_movemask_epi8(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v1, lt), _mm_cmpeq_epi8(v1, amp)), _mm_cmpeq_epi8(v1, quot)));
        uint32_t m = m0 | (m1 << 16);
        if (n < 32) m &= (1u << n) - 1;
        if (!m) {
            reserve(out, 32);
            _mm_storeu_si128((__m128i *)(out->bytes + out->count), v0);
            _mm_storeu_si128((__m128i *)(out->bytes + out->count + 16), v1);
            out->count += n;
            return;
        }
    }
#endif
    cfb_escape_attribute(v, n, out);
}

/// ` name="value"`, the value escaped; `readable_end` as for `put_escaped_attribute`.
static inline __attribute__((always_inline)) void put_attribute(cfb_buf *out, name_t an, const uint8_t *v,
                                                               size_t n, const uint8_t *readable_end) {
    put1(out, ' ');
    cfb_sanitizer_put_name(out, an);
    PUTS(out, "=\"");
    put_escaped_attribute(out, v, n, readable_end);
    put1(out, '"');
}

static inline int needs_cleaning(const uint8_t *v, size_t n) {
    size_t k = 0;
#if defined(__SSE2__)
    // Sixteen bytes at a time: bytes up to 0x20 (unsigned: min(c, 0x20) == c), '"', '<', '>' and '\\'; the last
    // sixteen read by a step overlapping the one before (no byte loop for the tail of a URL).
    const __m128i space = _mm_set1_epi8(0x20), quot = _mm_set1_epi8('"'), lt = _mm_set1_epi8('<'),
                  gt = _mm_set1_epi8('>'), backslash = _mm_set1_epi8('\\');
#define NEEDS_CLEANING16(c)                                                                                    \
    _mm_movemask_epi8(_mm_or_si128(                                                                            \
        _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(c, space), c), _mm_cmpeq_epi8(c, quot)),                      \
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(c, lt), _mm_cmpeq_epi8(c, gt)), _mm_cmpeq_epi8(c, backslash))))
    if (n >= 16) {
        for (; k + 16 <= n; k += 16) {
            __m128i c = _mm_loadu_si128((const __m128i *)(v + k));
            if (NEEDS_CLEANING16(c)) return 1;
        }
        if (k < n) {
            __m128i c = _mm_loadu_si128((const __m128i *)(v + n - 16));
            if (NEEDS_CLEANING16(c)) return 1;
        }
        return 0;
    }
    if (n > 0) {
        // Shorter: copied after bytes that need no cleaning ('a').
        uint8_t room[16];
        _mm_storeu_si128((__m128i *)room, _mm_set1_epi8('a'));
        copy_small(room, v, n);
        __m128i c = _mm_loadu_si128((const __m128i *)room);
        return NEEDS_CLEANING16(c) != 0;
    }
#undef NEEDS_CLEANING16
#endif
    for (; k < n; k++) {
        uint8_t c = v[k];
        if (c <= 0x20 || c == '"' || c == '<' || c == '>' || c == '\\') return 1;
    }
    return 0;
}

/// The base URL as the sanitizer's fast path sees it (see `cfb_sanitize`).
typedef struct {
    const uint8_t *prefix;
    size_t origin_count, prefix_count;
    int directory_has_dots;
    /// Whether the prefix has nothing to escape as an attribute value (checked once per document, not once
    /// per relative URL): then it is copied as it is.
    int prefix_plain;
} url_base;

// MARK: - URL resolution (`URLBytes` and `URLBase.resolve`)

typedef struct {
    size_t lo, hi;
    int has;
} span;

typedef struct {
    span scheme, authority, path, query, fragment;
} url_parts;

/// `URLBytes.split`: the first '#' starts the fragment, a '?' before it the query; a scheme is a letter, then
/// letters, digits, '+', '-', '.', then ':'; `//` after it starts the authority, up to the next '/'.
static url_parts url_split(const uint8_t *s, size_t n) {
    url_parts p = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
    size_t end = n;
    size_t question = (size_t)-1;
    // The first '#' or '?' (sixteen bytes at a time), then the first '#' after a '?'.
    size_t k = find_any3(s, 0, n, '#', '?', '?');
    if (k < n && s[k] == '?') {
        question = k;
        k = find_byte(s, k + 1, n, '#');
    }
    if (k < n) {
        p.fragment = (span){k + 1, end, 1};
        end = k;
    }
    if (question != (size_t)-1) {
        p.query = (span){question + 1, end, 1};
        end = question;
    }
    size_t start = 0;
    if (end > 0 && is_alpha(s[0])) {
        size_t j = 1;
        while (j < end && scheme_byte[s[j]]) j++;
        if (j < end && s[j] == ':') {
            p.scheme = (span){0, j, 1};
            start = j + 1;
        }
    }
    if (start + 1 < end && s[start] == '/' && s[start + 1] == '/') {
        size_t j = find_byte(s, start + 2, end, '/');
        p.authority = (span){start + 2, j, 1};
        start = j;
    }
    p.path = (span){start, end, 1};
    return p;
}

/// `URLBytes.hasDotSegment`: a `.` or `..` segment (not a dot inside a segment name).
static int has_dot_segment(const uint8_t *path, size_t n) {
    for (size_t k = 0; k < n; k++) {
        if (path[k] == '.' && (k == 0 || path[k - 1] == '/')) {
            size_t e = k + 1;
            if (e < n && path[e] == '.') e++;
            if (e == n || path[e] == '/') return 1;
        }
    }
    return 0;
}

/// `URLBytes.appendRemovingDots`: appends `path` with `.` and `..` segments removed.
static void put_removing_dots(cfb_buf *out, const uint8_t *path, size_t n) {
    if (!has_dot_segment(path, n)) {
        put(out, path, n);
        return;
    }
    int absolute = n > 0 && path[0] == '/';
    if (absolute) put1(out, '/');
    size_t body = out->count;
    size_t kept = 0;
    size_t a = absolute ? 1 : 0;
    for (;;) {
        size_t b = a;
        while (b < n && path[b] != '/') b++;
        int last = b == n;
        size_t len = b - a;
        if (len == 1 && path[a] == '.') {
            if (last) {
                if (kept > 0) put1(out, '/');
                kept++;
            }
        } else if (len == 2 && path[a] == '.' && path[a + 1] == '.') {
            if (kept > 0) {
                size_t k = out->count;
                while (k > body && out->bytes[k - 1] != '/') k--;
                // The last kept segment and the '/' before it (none before the first).
                out->count = k > body ? k - 1 : body;
                kept--;
            }
            if (last) {
                if (kept > 0) put1(out, '/');
                kept++;
            }
        } else {
            if (kept > 0) put1(out, '/');
            put(out, path + a, len);
            kept++;
        }
        if (last) break;
        a = b + 1;
    }
}

/// `URLBytes.clean`: trimmed; tabs and line breaks dropped; space, quote and angle brackets percent-encoded;
/// backslashes made slashes; other control characters dropped.
static void put_clean_url(cfb_buf *out, const uint8_t *s, size_t n) {
    size_t lo = 0, hi = n;
    while (lo < hi && s[lo] <= 0x20) lo++;
    while (hi > lo && s[hi - 1] <= 0x20) hi--;
    reserve(out, hi - lo + 8);
    for (size_t k = lo; k < hi; k++) {
        uint8_t c = s[k];
        switch (c) {
        case 0x0A: case 0x0D: case 0x09: break;
        case 0x20: PUTS(out, "%20"); break;
        case 0x22: PUTS(out, "%22"); break;
        case 0x3C: PUTS(out, "%3C"); break;
        case 0x3E: PUTS(out, "%3E"); break;
        case 0x5C: put1(out, '/'); break;
        default:
            if (c >= 0x20) put1(out, c);
        }
    }
}

static void resolve_clean(const cfb_url_base *b, const uint8_t *ref, size_t n, cfb_buf *out) {
    url_parts rp = url_split(ref, n);
    if (rp.scheme.has || !b->usable) {
        put(out, ref, n);
        return;
    }
    const uint8_t *p = b->prefix;
    if (rp.authority.has) {
        put(out, p, b->scheme_count);
        PUTS(out, "//");
        put(out, ref + rp.authority.lo, rp.authority.hi - rp.authority.lo);
        put_removing_dots(out, ref + rp.path.lo, rp.path.hi - rp.path.lo);
        if (rp.query.has) {
            put1(out, '?');
            put(out, ref + rp.query.lo, rp.query.hi - rp.query.lo);
        }
    } else if (rp.path.hi == rp.path.lo) {
        put(out, p, b->origin_count);
        put(out, b->path, b->path_count);
        if (rp.query.has) {
            put1(out, '?');
            put(out, ref + rp.query.lo, rp.query.hi - rp.query.lo);
        } else if (b->has_query) {
            put1(out, '?');
            put(out, b->query, b->query_count);
        }
    } else {
        // The merged path is written straight to `out`; only a path with `.`/`..` segments is taken back out
        // and rewritten (the directory ends in '/' or is empty, so only it or the reference's path can have one).
        const uint8_t *ref_path = ref + rp.path.lo;
        size_t ref_path_count = rp.path.hi - rp.path.lo;
        int dots = has_dot_segment(ref_path, ref_path_count);
        size_t start;
        put(out, p, b->origin_count);
        start = out->count;
        if (ref_path[0] != '/') {
            put(out, p + b->origin_count, b->prefix_count - b->origin_count);
            dots = dots || b->directory_has_dots;
        }
        put(out, ref_path, ref_path_count);
        if (dots) {
            uint8_t small[512];
            size_t m = out->count - start;
            uint8_t *merged = m <= sizeof(small) ? small : malloc(m);
            if (!merged) abort();
            memcpy(merged, out->bytes + start, m);
            out->count = start;
            put_removing_dots(out, merged, m);
            if (merged != small) free(merged);
        }
        if (rp.query.has) {
            put1(out, '?');
            put(out, ref + rp.query.lo, rp.query.hi - rp.query.lo);
        }
    }
    if (rp.fragment.has) {
        put1(out, '#');
        put(out, ref + rp.fragment.lo, rp.fragment.hi - rp.fragment.lo);
    }
}

int cfb_url_needs_cleaning(const uint8_t *s, size_t n) { return needs_cleaning(s, n); }

void cfb_url_resolve(const cfb_url_base *base, const uint8_t *ref, size_t n, cfb_buf *out) {
    if (n > 0 && needs_cleaning(ref, n)) {
        cfb_buf cleaned = {0};
        put_clean_url(&cleaned, ref, n);
        resolve_clean(base, cleaned.bytes, cleaned.count, out);
        cfb_buf_free(&cleaned);
    } else {
        resolve_clean(base, ref, n, out);
    }
}

/// Splits the base `b` into `c` as `URLBase.init` does: cleaned first when it needs it, then `scheme:`,
/// `//authority` and the directory in one prefix.
static void url_cache_split(cfb_url_cache *c, const uint8_t *b, size_t bn) {
    cfb_buf_clear(&c->base);
    put(&c->base, b, bn);
    b = c->base.bytes;
    // Room for the cleaned base (at most three bytes per byte) and its prefix (at most one byte more than the
    // cleaned base), so the pointers into `work` taken below stay valid.
    cfb_buf *work = &c->work;
    cfb_buf_clear(work);
    reserve(work, 6 * bn + 8);
    if (needs_cleaning(b, bn)) {
        put_clean_url(work, b, bn);
        b = work->bytes;
        bn = work->count;
    }
    url_parts parts = url_split(b, bn);
    size_t p0 = work->count;
    if (parts.scheme.has) {
        put(work, b + parts.scheme.lo, parts.scheme.hi - parts.scheme.lo);
        put1(work, ':');
    }
    size_t scheme_count = work->count - p0;
    if (parts.authority.has) {
        PUTS(work, "//");
        put(work, b + parts.authority.lo, parts.authority.hi - parts.authority.lo);
    }
    size_t origin_count = work->count - p0;
    size_t slash = parts.path.hi;
    for (size_t k = parts.path.hi; k > parts.path.lo; k--) {
        if (b[k - 1] == '/') {
            slash = k - 1;
            break;
        }
    }
    if (parts.authority.has && parts.path.hi == parts.path.lo) put1(work, '/');
    else if (slash < parts.path.hi) put(work, b + parts.path.lo, slash + 1 - parts.path.lo);
    else if (parts.authority.has) put1(work, '/');
    const uint8_t *prefix = work->bytes + p0;
    size_t prefix_count = work->count - p0;
    c->split = (cfb_url_base){
        .prefix = prefix,
        .scheme_count = scheme_count,
        .origin_count = origin_count,
        .prefix_count = prefix_count,
        .path = b + parts.path.lo,
        .path_count = parts.path.hi - parts.path.lo,
        .query = parts.query.has ? b + parts.query.lo : NULL,
        .query_count = parts.query.has ? parts.query.hi - parts.query.lo : 0,
        .has_query = parts.query.has,
        .usable = parts.scheme.has,
        .directory_has_dots = has_dot_segment(prefix + origin_count, prefix_count - origin_count),
    };
    c->valid = 1;
}

int cfb_url_resolve_cached(cfb_url_cache *c, const uint8_t *b, size_t bn, const uint8_t *ref, size_t n, cfb_buf *out) {
    if (bn == 0) return 0;
    if (!(c->valid && c->base.count == bn && memcmp(c->base.bytes, b, bn) == 0)) url_cache_split(c, b, bn);
    cfb_url_resolve(&c->split, ref, n, out);
    return 1;
}

void cfb_url_cache_free(cfb_url_cache *c) {
    cfb_buf_free(&c->base);
    cfb_buf_free(&c->work);
    c->valid = 0;
}

/// Whether `v` has no white space, control characters, quotes, angle brackets, backslashes or colons, and no
/// `.`/`..` segment start (a '.' first or after '/') before its query or fragment. Up to 32 bytes are checked
/// sixteen at a time: where they are when 32 bytes can be read from `v` (before `readable_end`), else copied
/// first (XHTML attribute values as libxml2 gives them, with nothing known readable past them).
static inline __attribute__((always_inline)) int is_plain_path(const uint8_t *v, size_t n,
                                                                const uint8_t *readable_end) {
#if defined(__SSE2__)
    uint8_t room[32] = {0};
    if (n <= 32 && !(readable_end >= v && (size_t)(readable_end - v) >= 32)) {
        if (n > 16) {
            _mm_storeu_si128((__m128i *)room, _mm_loadu_si128((const __m128i *)v));
            _mm_storeu_si128((__m128i *)(room + n - 16), _mm_loadu_si128((const __m128i *)(v + n - 16)));
        } else {
            copy_small(room, v, n);
        }
        v = room;
        readable_end = room + 32;
    }
    if (n <= 32 && readable_end >= v && (size_t)(readable_end - v) >= 32) {
        uint32_t bad = 0, dot = 0, slash = 0, query = 0;
        // The second sixteen only when the value reaches them.
        for (int h = 0; h < (n > 16 ? 2 : 1); h++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(v + 16 * h));
            __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x20)), x);  // x <= 0x20, unsigned
            __m128i b = _mm_or_si128(
                _mm_or_si128(low, _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('<')))),
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('>')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
                             _mm_cmpeq_epi8(x, _mm_set1_epi8(':'))));
            bad |= (uint32_t)_mm_movemask_epi8(b) << (16 * h);
            dot |= (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('.'))) << (16 * h);
            slash |= (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('/'))) << (16 * h);
            query |= (uint32_t)_mm_movemask_epi8(
                         _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('?')), _mm_cmpeq_epi8(x, _mm_set1_epi8('#'))))
                     << (16 * h);
        }
        uint32_t valid = n < 32 ? (1u << n) - 1 : ~0u;
        uint32_t q = query & valid;
        uint32_t path = q ? (1u << __builtin_ctz(q)) - 1 : valid;  // the bytes before the query or fragment
        return !(bad & valid) && !(dot & ((slash << 1) | 1) & path);
    }
#endif
    int in_path = 1;
    for (size_t k = 0; k < n; k++) {
        uint8_t c = v[k];
        if (c <= 0x20 || c == '"' || c == '<' || c == '>' || c == '\\' || c == ':') return 0;
        if (c == '?' || c == '#') in_path = 0;
        if (in_path && c == '.' && (k == 0 || v[k - 1] == '/')) return 0;
    }
    return 1;
}

/// Writes the URL attribute without asking Swift when the answer is plain: a clean `http(s)://` URL is kept as
/// it is; a clean path without `.`/`..` segments, scheme or authority is the base's origin (for a path from the
/// root) or the base's origin and directory, followed by it. That is what `HTMLSanitizer.safeURL` and
/// `URLBase.resolve` give for them. Returns 0 for everything else.
static inline __attribute__((always_inline)) int put_simple_url(cfb_buf *out, name_t an, const uint8_t *v,
                                                               size_t n, const uint8_t *readable_end,
                                                               const url_base *base) {
    if ((n >= 7 && memcmp(v, "http://", 7) == 0) || (n >= 8 && memcmp(v, "https://", 8) == 0)) {
        if (needs_cleaning(v, n)) return 0;
        put_attribute(out, an, v, n, readable_end);
        return 1;
    }
    if (!base->prefix || n == 0 || v[0] == '?' || v[0] == '#' || (n > 1 && v[0] == '/' && v[1] == '/')) return 0;
    int rooted = v[0] == '/';
    if (!rooted && base->directory_has_dots) return 0;
    size_t pn = rooted ? base->origin_count : base->prefix_count;
    if (!rooted && v[0] == '.') {
        // Leading `./` and `../` segments (`../read/12.html`, common in Atom content), when a plain path follows:
        // the directory loses its last segment per `../` (none left: the root), as `put_removing_dots` has it
        // (empty segments included: `//` in the directory counts one).
        size_t k = 0, up = 0;
        for (;;) {
            if (k + 1 < n && v[k] == '.' && v[k + 1] == '/') k += 2;
            else if (k + 2 < n && v[k] == '.' && v[k + 1] == '.' && v[k + 2] == '/') k += 3, up++;
            else break;
        }
        if (k == 0 || k == n || v[k] == '/' || v[k] == '?' || v[k] == '#') return 0;
        const uint8_t *dir = base->prefix + base->origin_count;
        size_t dn = base->prefix_count - base->origin_count;
        if (dn == 0 || dir[0] != '/' || dir[dn - 1] != '/') return 0;
        // Drop `up` segments: each is the bytes before the directory's last '/' back to the '/' before them.
        size_t keep = dn;
        for (; up > 0 && keep > 1; up--) {
            keep--;
            while (keep > 0 && dir[keep - 1] != '/') keep--;
        }
        v += k;
        n -= k;
        pn = base->origin_count + keep;
    }
    if (!is_plain_path(v, n, readable_end)) return 0;
    put1(out, ' ');
    cfb_sanitizer_put_name(out, an);
    PUTS(out, "=\"");
    if (base->prefix_plain) put(out, base->prefix, pn);
    else cfb_escape_attribute(base->prefix, pn, out);
    put_escaped_attribute(out, v, n, readable_end);
    put1(out, '"');
    return 1;
}

int cfb_url_prefix(const uint8_t *b, size_t n, cfb_buf *prefix, size_t *origin_count, int *directory_has_dots) {
    if (n == 0 || needs_cleaning(b, n)) return -1;
    // As `URLBytes.split`: the first '#' ends the part before the fragment, a '?' before it the path: the path
    // ends at the first of them.
    size_t end = find_any3(b, 0, n, '#', '?', '?');
    if (!is_alpha(b[0])) return 0;
    size_t j = 1;
    while (j < end && scheme_byte[b[j]]) j++;
    if (!(j < end && b[j] == ':')) return 0;
    size_t start = j + 1;
    int authority = 0;
    if (start + 1 < end && b[start] == '/' && b[start + 1] == '/') {
        authority = 1;
        start = find_any3(b, start + 2, end, '/', '/', '/');
    }
    // `scheme:` and `//authority` are the first `start` bytes; the path is `start..<end`.
    put(prefix, b, start);
    *origin_count = start;
    size_t slash = end;
    for (size_t k = end; k > start; k--) {
        if (b[k - 1] == '/') {
            slash = k - 1;
            break;
        }
    }
    if (authority && end == start) put1(prefix, '/');
    else if (slash < end) put(prefix, b + start, slash + 1 - start);
    else if (authority) put1(prefix, '/');
    // `URLBytes.hasDotSegment` over the directory.
    const uint8_t *d = prefix->bytes + start;
    size_t dn = prefix->count - start;
    *directory_has_dots = 0;
    // Most directories have no '.' at all: one scan for it first.
    if (find_any3(d, 0, dn, '.', '.', '.') == dn) return 1;
    for (size_t k = 0; k < dn; k++) {
        if (d[k] == '.' && (k == 0 || d[k - 1] == '/')) {
            size_t e = k + 1;
            if (e < dn && d[e] == '.') e++;
            if (e == dn || d[e] == '/') {
                *directory_has_dots = 1;
                break;
            }
        }
    }
    return 1;
}

/// Whether `v` has a scheme as `HTMLSanitizer.safeURL` reads it (browsers' way): white space and control
/// characters inside it ignored, a letter first, then letters, digits, '+', '-', '.' (sixteen at most), then ':'.
static int has_scheme(const uint8_t *v, size_t n) {
    size_t count = 0;
    uint8_t first = 0;
    for (size_t k = 0; k < n; k++) {
        uint8_t c = v[k];
        if (c <= 0x20) continue;
        if (c == ':') return count > 0 && is_alpha(first);
        if (!(is_alnum(c) || c == '+' || c == '-' || c == '.') || count >= 16) return 0;
        if (count == 0) first = c;
        count++;
    }
    return 0;
}

/// The body of `cfb_sanitize`, inlined into one copy compiled for AVX2 (with `find_angle_avx2` inlined into
/// its loop: a call per tag was most of that scan's cost) and one for the baseline. The attribute helpers it
/// calls are inlined into both (`always_inline`): in the AVX2 copy the compiler called them otherwise.
static inline __attribute__((always_inline)) void sanitize_body(
    const uint8_t *s, size_t n, cfb_buf *out, const uint8_t *prefix, size_t origin_count, size_t prefix_count,
    int directory_has_dots, const uint8_t *base_url, size_t base_url_count, cfb_url_cache *cache,
    cfb_url_callback resolve, void *context, size_t *trim_start, size_t *trim_end, int avx2) {
    url_base base = {prefix, origin_count, prefix_count, directory_has_dots,
                     prefix && find_any3(prefix, 0, prefix_count, '<', '&', '"') == prefix_count};
    // The tables are built by `cfb_sanitize`, which chooses the copy.
    reserve(out, n + 64);
    size_t out_start = out->count;
    name_t open_small[64];
    name_t *open = open_small;
    size_t open_count = 0, open_capacity = 64;
#define PUSH_OPEN(name)                                                                                        \
    do {                                                                                                       \
        if (open_count == open_capacity) {                                                                     \
            size_t cap = open_capacity * 2;                                                                    \
            name_t *p = malloc(cap * sizeof(name_t));                                                          \
            if (!p) abort();                                                                                   \
            memcpy(p, open, open_count * sizeof(name_t));                                                      \
            if (open != open_small) free(open);                                                                \
            open = p;                                                                                          \
            open_capacity = cap;                                                                               \
        }                                                                                                      \
        open[open_count++] = (name);                                                                           \
    } while (0)
    cfb_buf decoded = {0}, resolved = {0};
    scanner sc = {s, n, 0};
    // Most of the input comes out as it is: text without '>', and plain tags such as `<p>`, `</p>` and `<br>`
    // (kept, lower-case, no attributes, and for an end tag the innermost open element). Those bytes are not
    // written one token at a time: `run` is where the bytes not yet written start, and they are copied in one
    // piece when something has to be written differently (and at the end).
    size_t run = 0, i = 0;
    for (;;) {
#if CFB_AVX2
        i = avx2 ? find_angle_avx2(s, i, n) : find_angle(s, i, n);
#else
        (void)avx2;
        i = find_angle(s, i, n);
#endif
        if (i >= n) break;
        if (s[i] == '>') {
            put(out, s + run, i - run);
            PUTS(out, "&gt;");
            run = ++i;
            continue;
        }
        if (i + 3 < n) {
            // The commonest tags, `<p>`, `</p>`, `<b>`, `</b>`: a lower-case letter alone. The same answer as the
            // general plain-tag check below, without its name loop and packing.
            uint8_t c1 = s[i + 1], c2 = s[i + 2];
            if ((uint8_t)(c1 - 'a') <= 'z' - 'a' && c2 == '>') {
                uint8_t cls = elements1[c1];
                if (cls == EL_KEEP || cls == EL_KEEP_VOID) {
                    if (cls == EL_KEEP) PUSH_OPEN(((name_t){c1, 0, 1}));
                    i += 3;
                    continue;
                }
            } else if (c1 == '/' && (uint8_t)(c2 - 'a') <= 'z' - 'a' && s[i + 3] == '>') {
                if (open_count > 0 && cfb_tag_name_eq(open[open_count - 1], (name_t){c2, 0, 1})) {
                    open_count--;
                    i += 4;
                    continue;
                }
            }
        }
        // Where the name of a start tag (a letter first) ends, for `read_start_tag`; 0 when not known.
        size_t start_name_end = 0;
        if (i + 2 < n) {
            size_t from = s[i + 1] == '/' ? i + 2 : i + 1;
            size_t e = from;
            int upper = 0;
            uint8_t k;
            while (e < n && (k = name_class[s[e]]) != NAME_END) {
                upper |= k;
                e++;
            }
            if (from == i + 1 && e > from && is_alpha(s[from])) start_name_end = e;
            if (e < n && s[e] == '>' && e > from && !upper && is_alpha(s[from])) {
                name_t nm = pack_lower_name(s, from, e, n);
                if (from == i + 1) {
                    uint8_t cls = nm.count == 1 ? elements1[(uint8_t)nm.lo] : table_get(&elements, nm);
                    if (cls == EL_KEEP || cls == EL_KEEP_VOID) {
                        if (cls == EL_KEEP) PUSH_OPEN(nm);
                        i = e + 1;
                        continue;
                    }
                } else if (open_count > 0 && cfb_tag_name_eq(open[open_count - 1], nm)) {
                    open_count--;
                    i = e + 1;
                    continue;
                }
            }
        }
        // Anything else: the bytes before it, then the tag as the tokenizer reads it.
        put(out, s + run, i - run);
        token t;
        attribute_span spans[MAX_FAST_ATTRIBUTES];
        size_t span_count = 0, tag_end;
        int fast = start_name_end && fast_tags && read_start_tag(s, n, i, start_name_end, &t, &tag_end, spans, &span_count);
        if (fast) {
            sc.i = tag_end;
        } else {
            sc.i = i;
            t = next_token(&sc);
        }
        switch (t.kind) {
        case TOK_TEXT:
            // Text not starting with '<' was written above: this is a lone '<' that did not start a tag.
            PUTS(out, "&lt;");
            break;
        case TOK_CDATA:
            cfb_escape_text(s + t.start, t.end - t.start, out);
            break;
        case TOK_IGNORABLE:
            break;
        case TOK_START: {
            // One-letter names (`a`, `b`, `p`, ...) from their byte, as the plain-tag check does.
            uint8_t cls = t.name.count == 1 ? elements1[(uint8_t)t.name.lo] : table_get(&elements, t.name);
            if (cls == EL_DROP_WITH_CONTENT) {
                if (!t.self_closing && !table_get(&void_dropped, t.name)) skip_raw_text(&sc, t.name);
                break;
            }
            if (cls == 0) break;
            put1(out, '<');
            cfb_sanitizer_put_name(out, t.name);
            int is_img = cfb_tag_name_eq(t.name, name_img);
            size_t j = t.start, next_span = 0;
            name_t an;
            size_t vs, ve;
            int amp;
            for (;;) {
                if (fast) {
                    if (next_span == span_count) break;
                    an = spans[next_span].name;
                    vs = spans[next_span].vs;
                    ve = spans[next_span].ve;
                    amp = spans[next_span].amp;
                    next_span++;
                } else {
                    if (!next_attribute(s, n, &j, t.end, &an, &vs, &ve)) break;
                    amp = -1;
                }
                uint8_t acls = attribute_class(an);
                if (!acls) continue;
                const uint8_t *v = s + vs;
                size_t vn = ve - vs;
                const uint8_t *readable_end = s + n;
                // Without references the raw bytes are the value: no copy.
                if (amp < 0) amp = find_byte_near(s, vs, ve, n, '&') < ve;
                if (amp) {
                    cfb_buf_clear(&decoded);
                    cfb_decode_references(v, vn, &decoded);
                    v = decoded.bytes;
                    vn = decoded.count;
                    readable_end = decoded.bytes + decoded.capacity;
                }
                if (acls == AT_PLAIN) {
                    put_attribute(out, an, v, vn, readable_end);
                } else if (acls == AT_URL && put_simple_url(out, an, v, vn, readable_end, &base)) {
                    // written
                } else if (acls == AT_URL && base_url_count > 0 && !has_scheme(v, vn)) {
                    // A relative URL: `safeURL` resolves it against the base (`URLBase.resolve`), here in C.
                    cfb_buf_clear(&resolved);
                    cfb_url_resolve_cached(cache, base_url, base_url_count, v, vn, &resolved);
                    put_attribute(out, an, resolved.bytes, resolved.count, resolved.bytes + resolved.capacity);
                } else {
                    const uint8_t *r = NULL;
                    size_t rn = 0;
                    int image = is_img && cfb_tag_name_eq(an, name_src);
                    if (resolve(context, acls == AT_URL ? CFB_URL : CFB_SRCSET, image, v, vn, &r, &rn))
                        put_attribute(out, an, r, rn, r + rn);
                }
            }
            put1(out, '>');
            if (cls == EL_KEEP && !t.self_closing) PUSH_OPEN(t.name);
            break;
        }
        case TOK_END_TAG: {
            // Only EL_KEEP elements are ever on the stack: a name found there needs no table lookup.
            if (open_count == 0) break;
            size_t k = open_count;
            while (k > 0 && !cfb_tag_name_eq(open[k - 1], t.name)) k--;
            if (k == 0) break;
            while (open_count >= k) {
                name_t nm = open[--open_count];
                PUTS(out, "</");
                cfb_sanitizer_put_name(out, nm);
                put1(out, '>');
            }
            break;
        }
        }
        run = i = sc.i;
    }
    put(out, s + run, n - run);
    while (open_count > 0) {
        name_t nm = open[--open_count];
        PUTS(out, "</");
        cfb_sanitizer_put_name(out, nm);
        put1(out, '>');
    }
    if (open != open_small) free(open);
    cfb_buf_free(&decoded);
    cfb_buf_free(&resolved);
    size_t lo = out_start, hi = out->count;
    while (lo < hi && out->bytes[lo] <= 0x20) lo++;
    while (hi > lo && out->bytes[hi - 1] <= 0x20) hi--;
    *trim_start = lo;
    *trim_end = hi;
}
#undef PUSH_OPEN

#if CFB_AVX2
__attribute__((target("avx2"))) static void sanitize_avx2(
    const uint8_t *s, size_t n, cfb_buf *out, const uint8_t *prefix, size_t origin_count, size_t prefix_count,
    int directory_has_dots, const uint8_t *base_url, size_t base_url_count, cfb_url_cache *cache,
    cfb_url_callback resolve, void *context, size_t *trim_start, size_t *trim_end) {
    sanitize_body(s, n, out, prefix, origin_count, prefix_count, directory_has_dots, base_url, base_url_count, cache,
                  resolve, context, trim_start, trim_end, 1);
}
#endif

void cfb_sanitize(const uint8_t *s, size_t n, cfb_buf *out, const uint8_t *prefix, size_t origin_count,
                  size_t prefix_count, int directory_has_dots, const uint8_t *base_url, size_t base_url_count,
                  cfb_url_cache *cache, cfb_url_callback resolve, void *context, size_t *trim_start,
                  size_t *trim_end) {
    tables();
#if CFB_AVX2
    if (have_avx2) {
        sanitize_avx2(s, n, out, prefix, origin_count, prefix_count, directory_has_dots, base_url, base_url_count,
                      cache, resolve, context, trim_start, trim_end);
        return;
    }
#endif
    sanitize_body(s, n, out, prefix, origin_count, prefix_count, directory_has_dots, base_url, base_url_count, cache,
                  resolve, context, trim_start, trim_end, 0);
}

// MARK: - Plain text

typedef struct {
    cfb_buf *out;
    size_t origin;
    int pending_space;
} text_writer;

static inline void tw_flush_space(text_writer *w) {
    if (w->pending_space) {
        if (w->out->count > w->origin) put1(w->out, ' ');
        w->pending_space = 0;
    }
}

static void tw_utf8(text_writer *w, uint32_t v) {
    tw_flush_space(w);
    put_utf8(w->out, v);
}

static inline int ordinary(uint8_t c) { return c > 0x20 && c != 0xC2 && c != 0xE3; }

#if CFB_AVX2
/// `find_end_of_words`' sixteen-byte loop 32 bytes a step (only called when `have_avx2`): the end of the run if
/// it is found while 33 bytes can be read from `i`, else the first `i` from which fewer can (`*found` 0).
__attribute__((target("avx2"))) static size_t words_avx2(const uint8_t *t, size_t i, size_t n, int *found) {
    const __m256i space = _mm256_set1_epi8(0x20), c2 = _mm256_set1_epi8((char)0xC2),
                  e3 = _mm256_set1_epi8((char)0xE3);
    for (; i + 33 <= n; i += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(t + i));
        __m256i next = _mm256_loadu_si256((const __m256i *)(t + i + 1));
        __m256i special = _mm256_or_si256(_mm256_cmpeq_epi8(v, c2), _mm256_cmpeq_epi8(v, e3));
        __m256i low = _mm256_cmpeq_epi8(_mm256_min_epu8(v, space), v);
        __m256i next_not_ordinary =
            _mm256_or_si256(_mm256_cmpeq_epi8(_mm256_min_epu8(next, space), next),
                            _mm256_or_si256(_mm256_cmpeq_epi8(next, c2), _mm256_cmpeq_epi8(next, e3)));
        __m256i kept_space = _mm256_andnot_si256(next_not_ordinary, _mm256_cmpeq_epi8(v, space));
        uint32_t m = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(special, _mm256_andnot_si256(kept_space, low)));
        if (m) {
            *found = 1;
            return i + (size_t)__builtin_ctz(m);
        }
    }
    *found = 0;
    return i;
}
#endif

/// Literal text, white space (ASCII, no-break and ideographic spaces) collapsed, C1 controls read as
/// windows-1252.
/// The end of a run of ordinary bytes with single spaces between them (from `from`): the first byte that is not
/// ordinary and is not a space followed by an ordinary byte, or `n`.
static inline size_t find_end_of_words(const uint8_t *t, size_t from, size_t n) {
    size_t i = from;
#if defined(__SSE2__)
    const __m128i space = _mm_set1_epi8(0x20), c2 = _mm_set1_epi8((char)0xC2), e3 = _mm_set1_epi8((char)0xE3);
    // With the byte after the sixteen readable too: a byte ends the run when it is not ordinary, unless it is a
    // space and the byte after it is ordinary (the sixteen bytes from `i + 1` tell that), so no per-space loop.
#define RUN_ENDS16(v, next)                                                                                   \
    (unsigned)_mm_movemask_epi8(_mm_or_si128(                                                                  \
        _mm_or_si128(_mm_cmpeq_epi8(v, c2), _mm_cmpeq_epi8(v, e3)),                                            \
        _mm_andnot_si128(                                                                                      \
            _mm_andnot_si128(_mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(next, space), next),                     \
                                          _mm_or_si128(_mm_cmpeq_epi8(next, c2), _mm_cmpeq_epi8(next, e3))),   \
                             _mm_cmpeq_epi8(v, space)),                                                        \
            _mm_cmpeq_epi8(_mm_min_epu8(v, space), v))))
#if CFB_AVX2
    if (have_avx2 && n - i >= 33) {
        int found;
        i = words_avx2(t, i, n, &found);
        if (found) return i;
    }
#endif
    if (n - i < 17) {
        // Short: the bytes copied into room, after zeros (not ordinary: the run ends at the first of them, and a
        // space last ends it there, as at the end of the text).
        uint8_t room[32] = {0};
        copy_small(room, t + i, n - i);
        __m128i v = _mm_loadu_si128((const __m128i *)room), next = _mm_loadu_si128((const __m128i *)(room + 1));
        unsigned m = RUN_ENDS16(v, next);
        return m ? i + (size_t)__builtin_ctz(m) : n;
    }
    while (i + 17 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(t + i));
        __m128i next = _mm_loadu_si128((const __m128i *)(t + i + 1));
        unsigned m = RUN_ENDS16(v, next);
        if (m) return i + (size_t)__builtin_ctz(m);
        i += 16;
    }
    if (i < n) {
        // The last seventeen bytes: bit (i - (n - 17)) is byte `i`; the last byte ends the run unless ordinary.
        __m128i v = _mm_loadu_si128((const __m128i *)(t + n - 17));
        __m128i next = _mm_loadu_si128((const __m128i *)(t + n - 16));
        unsigned m = RUN_ENDS16(v, next) >> (i - (n - 17));
        if (m) return i + (size_t)__builtin_ctz(m);
        return ordinary(t[n - 1]) ? n : n - 1;
    }
    return n;
#undef RUN_ENDS16
#else
    for (;;) {
        while (i < n && ordinary(t[i])) i++;
        if (i < n && t[i] == 0x20 && i + 1 < n && ordinary(t[i + 1])) i += 2;
        else return i;
    }
#endif
}

static void tw_literal(text_writer *w, const uint8_t *t, size_t n) {
    size_t k = 0;
    while (k < n) {
        uint8_t c = t[k];
        if (ordinary(c)) {
            // A run of ordinary bytes, with single spaces between them kept as they are.
            size_t e = find_end_of_words(t, k + 1, n);
            tw_flush_space(w);
            put(w->out, t + k, e - k);
            k = e;
        } else if (c <= 0x20) {
            if (is_space(c) || c == 0x0B) w->pending_space = 1;
            k++;
        } else if (c == 0xC2 && k + 1 < n && t[k + 1] == 0xA0) {
            w->pending_space = 1;
            k += 2;
        } else if (c == 0xC2 && k + 1 < n && t[k + 1] >= 0x80 && t[k + 1] <= 0x9F) {
            uint32_t m = cp1252_high[t[k + 1] - 0x80];
            if (m) tw_utf8(w, m);
            k += 2;
        } else if (c == 0xE3 && k + 2 < n && t[k + 1] == 0x80 && t[k + 2] == 0x80) {
            w->pending_space = 1;
            k += 3;
        } else {
            tw_flush_space(w);
            put1(w->out, c);
            k++;
        }
    }
}

/// HTML text: character references decoded, white space collapsed.
static void tw_html_text(text_writer *w, const uint8_t *t, size_t n, cfb_buf *scratch) {
    size_t k = 0, run = 0;
    while (k < n) {
        k = find_byte(t, k, n, '&');
        if (k >= n) break;
        tw_literal(w, t + run, k - run);
        cfb_buf_clear(scratch);
        size_t next = decode_reference(t, n, k, scratch);
        if (next) {
            tw_literal(w, scratch->bytes, scratch->count);
            k = next;
        } else {
            tw_flush_space(w);
            put1(w->out, '&');
            k++;
        }
        run = k;
    }
    tw_literal(w, t + run, n - run);
}

void cfb_collapse_literal(const uint8_t *s, size_t n, cfb_buf *out) {
    reserve(out, n);
    text_writer w = {out, out->count, 0};
    tw_literal(&w, s, n);
}

#if CFB_AVX2
/// The sixteen-byte loop of `is_words` thirty-two bytes a step (only called when `have_avx2`, with at least 33
/// bytes, the first and last already checked): the same answer.
__attribute__((target("avx2"))) static int is_words_avx2(const uint8_t *t, size_t n) {
    const __m256i space = _mm256_set1_epi8(0x20), c2 = _mm256_set1_epi8((char)0xC2),
                  e3 = _mm256_set1_epi8((char)0xE3), lt = _mm256_set1_epi8('<'), amp = _mm256_set1_epi8('&');
    for (size_t i = 0;; i += 32) {
        if (i + 33 > n) i = n - 33;
        __m256i v = _mm256_loadu_si256((const __m256i *)(t + i));
        __m256i next = _mm256_loadu_si256((const __m256i *)(t + i + 1));
        __m256i not_ordinary = _mm256_or_si256(_mm256_cmpeq_epi8(_mm256_min_epu8(v, space), v),
                                               _mm256_or_si256(_mm256_cmpeq_epi8(v, c2), _mm256_cmpeq_epi8(v, e3)));
        __m256i next_not_ordinary =
            _mm256_or_si256(_mm256_cmpeq_epi8(_mm256_min_epu8(next, space), next),
                            _mm256_or_si256(_mm256_cmpeq_epi8(next, c2), _mm256_cmpeq_epi8(next, e3)));
        __m256i kept_space = _mm256_andnot_si256(next_not_ordinary, _mm256_cmpeq_epi8(v, space));
        __m256i wrong = _mm256_or_si256(_mm256_andnot_si256(kept_space, not_ordinary),
                                        _mm256_or_si256(_mm256_cmpeq_epi8(v, lt), _mm256_cmpeq_epi8(v, amp)));
        if (_mm256_movemask_epi8(wrong)) return 0;
        if (i + 33 >= n) return 1;
    }
}
#endif

/// Whether `t` (`n` bytes, at least one) is one run of ordinary bytes with single spaces between them and no '<'
/// or '&': `ordinary(t[0]) && find_any3(t, 0, n, '<', '&', '&') == n && find_end_of_words(t, 1, n) == n` in one
/// pass, the last sixteen bytes (and the byte after each) read by a step overlapping the one before.
static inline int is_words(const uint8_t *t, size_t n) {
    uint8_t last = t[n - 1];
    if (!ordinary(t[0]) || !ordinary(last) || last == '<' || last == '&') return 0;
#if CFB_AVX2
    if (have_avx2 && n >= 33) return is_words_avx2(t, n);
#endif
#if defined(__SSE2__)
    uint8_t room[32];
    if (n < 17) {
        // Short text (names, categories): copied into room for one step, after an ordinary byte repeated (the
        // byte after the last counts as ordinary: the last byte itself was checked above).
        if (n == 1) return 1;
        _mm_storeu_si128((__m128i *)room, _mm_set1_epi8('a'));
        _mm_storeu_si128((__m128i *)(room + 16), _mm_set1_epi8('a'));
        copy_small(room, t, n);
        t = room;
        n = 17;
    }
    {
        const __m128i space = _mm_set1_epi8(0x20), c2 = _mm_set1_epi8((char)0xC2), e3 = _mm_set1_epi8((char)0xE3),
                      lt = _mm_set1_epi8('<'), amp = _mm_set1_epi8('&');
        // Byte k is wrong when it is '<' or '&', or not ordinary unless a space before an ordinary byte; the
        // sixteen bytes from `i` and the sixteen after each tell that. The last byte was checked above.
        for (size_t i = 0;; i += 16) {
            if (i + 17 > n) i = n - 17;
            __m128i v = _mm_loadu_si128((const __m128i *)(t + i));
            __m128i next = _mm_loadu_si128((const __m128i *)(t + i + 1));
            __m128i not_ordinary = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(v, space), v),
                                                _mm_or_si128(_mm_cmpeq_epi8(v, c2), _mm_cmpeq_epi8(v, e3)));
            __m128i next_not_ordinary = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(next, space), next),
                                                     _mm_or_si128(_mm_cmpeq_epi8(next, c2), _mm_cmpeq_epi8(next, e3)));
            __m128i kept_space = _mm_andnot_si128(next_not_ordinary, _mm_cmpeq_epi8(v, space));
            __m128i wrong = _mm_or_si128(_mm_andnot_si128(kept_space, not_ordinary),
                                         _mm_or_si128(_mm_cmpeq_epi8(v, lt), _mm_cmpeq_epi8(v, amp)));
            if (_mm_movemask_epi8(wrong)) return 0;
            if (i + 17 >= n) return 1;
        }
    }
#endif
    for (size_t k = 0; k + 1 < n; k++) {
        uint8_t c = t[k];
        if (c == '<' || c == '&') return 0;
        if (!ordinary(c) && !(c == 0x20 && ordinary(t[k + 1]))) return 0;
    }
    return 1;
}

void cfb_plain_text(const uint8_t *s, size_t n, size_t limit, cfb_buf *out) {
    // Text without markup, references or white space to collapse (most titles, names, categories) is its own
    // plain text: one run of ordinary bytes with single spaces, no '<' and no '&'.
    if (n > 0 && n <= limit && is_words(s, n)) {
        put(out, s, n);
        return;
    }
    tables();
    reserve(out, n < limit ? n : limit);
    text_writer w = {out, out->count, 0};
    cfb_buf scratch = {0};
    scanner sc = {s, n, 0};
    while (out->count - w.origin < limit) {
        token t = next_token(&sc);
        if (t.kind == TOK_END) break;
        switch (t.kind) {
        case TOK_TEXT:
            tw_html_text(&w, s + t.start, t.end - t.start, &scratch);
            break;
        case TOK_CDATA:
            tw_literal(&w, s + t.start, t.end - t.start);
            break;
        case TOK_START: {
            uint8_t fx = table_get(&effects, t.name);
            if (fx & FX_DROP) {
                if (!t.self_closing) skip_raw_text(&sc, t.name);
                w.pending_space = 1;
            } else if (fx & FX_BLOCK) {
                w.pending_space = 1;
            }
            break;
        }
        case TOK_END_TAG:
            if (table_get(&effects, t.name) & FX_BLOCK) w.pending_space = 1;
            break;
        default:
            break;
        }
    }
    cfb_buf_free(&scratch);
}

// MARK: - UTF-8

size_t cfb_decode_single_byte(const uint8_t *s, size_t n, const uint32_t *table, uint8_t *dst) {
    // Each byte's UTF-8 (0-3 bytes; 0 for a character XML forbids), computed once per table entry.
    uint8_t enc[256][4];
    for (int c = 0; c < 256; c++) {
        uint32_t v = table[c];
        uint8_t *e = enc[c];
        if (v < 0x80) {
            e[3] = (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D) ? 0 : 1;
            e[0] = (uint8_t)v;
        } else if (v < 0x800) {
            e[0] = (uint8_t)(0xC0 | (v >> 6));
            e[1] = (uint8_t)(0x80 | (v & 0x3F));
            e[3] = 2;
        } else if ((v >= 0xD800 && v <= 0xDFFF) || v == 0xFFFE || v == 0xFFFF) {
            e[3] = 0;
        } else {
            e[0] = (uint8_t)(0xE0 | (v >> 12));
            e[1] = (uint8_t)(0x80 | ((v >> 6) & 0x3F));
            e[2] = (uint8_t)(0x80 | (v & 0x3F));
            e[3] = 3;
        }
    }
    uint8_t *o = dst;
    size_t k = 0;
#if defined(__SSE2__)
    // Sixteen ASCII bytes at a time, copied as they are, when the table maps every ASCII byte to itself
    // (windows-1252, the ISO 8859 family) and none of the sixteen is a control character XML forbids: most of
    // a document. Sixteen bytes that are not all such go through the byte loop, then the fast loop resumes.
    // (Writing 16 bytes at `o` stays in bounds: `o - dst <= 3 * k` and `k + 16 <= n`.)
    int ascii_identity = 1;
    for (int c = 0; c < 0x80; c++)
        if (table[c] != (uint32_t)c) ascii_identity = 0;
    const __m128i space = _mm_set1_epi8(0x20);
#endif
    while (k < n) {
#if defined(__SSE2__)
        while (ascii_identity && k + 16 <= n) {
            __m128i v = _mm_loadu_si128((const __m128i *)(s + k));
            // Bytes >= 0x80 are negative as signed bytes, so one compare finds them and the controls.
            int stop = _mm_movemask_epi8(_mm_cmplt_epi8(v, space));
            if (stop) {
                __m128i ok = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x09)),
                                                       _mm_cmpeq_epi8(v, _mm_set1_epi8(0x0A))),
                                          _mm_cmpeq_epi8(v, _mm_set1_epi8(0x0D)));
                if (stop & ~_mm_movemask_epi8(ok)) break;
            }
            _mm_storeu_si128((__m128i *)o, v);
            o += 16;
            k += 16;
        }
#endif
        size_t stop = n - k > 16 ? k + 16 : n;
        for (; k < stop; k++) {
            uint8_t c = s[k];
            if (c < 0x80 && enc[c][3] == 1) {
                *o++ = enc[c][0];
                continue;
            }
            const uint8_t *e = enc[c];
            // Three bytes are always in bounds (room for `3 * n`); only `e[3]` of them count.
            o[0] = e[0];
            o[1] = e[1];
            o[2] = e[2];
            o += e[3];
        }
    }
    return (size_t)(o - dst);
}

/// The length of the UTF-8 sequence whose lead byte (>= 0x80) is at `i`, or 0 when it is no valid sequence: not a
/// lead byte, cut short, a continuation byte missing, an overlong form, a surrogate, or past U+10FFFF.
static inline size_t utf8_sequence(const uint8_t *b, size_t i, size_t n) {
    uint8_t c = b[i];
    if (c < 0xC2) return 0;
    if (c < 0xE0) return i + 1 < n && (b[i + 1] & 0xC0) == 0x80 ? 2 : 0;
    if (c < 0xF0) {
        if (i + 2 >= n) return 0;
        uint8_t d = b[i + 1];
        if ((d & 0xC0) != 0x80 || (b[i + 2] & 0xC0) != 0x80) return 0;
        if ((c == 0xE0 && d < 0xA0) || (c == 0xED && d >= 0xA0)) return 0;
        return 3;
    }
    if (c < 0xF5) {
        if (i + 3 >= n) return 0;
        uint8_t d = b[i + 1];
        if ((d & 0xC0) != 0x80 || (b[i + 2] & 0xC0) != 0x80 || (b[i + 3] & 0xC0) != 0x80) return 0;
        if ((c == 0xF0 && d < 0x90) || (c == 0xF4 && d >= 0x90)) return 0;
        return 4;
    }
    return 0;
}

int cfb_is_clean_utf8(const uint8_t *b, size_t n) {
    size_t i = 0;
    if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) return 0;
    while (i < n) {
        // Sixteen ASCII bytes at a time (most of any document): only tab, line feed and carriage return may be
        // below 0x20.
#if defined(__SSE2__)
        const __m128i space = _mm_set1_epi8(0x20);
        while (i + 64 <= n) {
            // Sixty-four bytes: all ASCII, none below 0x20 (the common case: no line break in them).
            __m128i v0 = _mm_loadu_si128((const __m128i *)(b + i));
            __m128i v1 = _mm_loadu_si128((const __m128i *)(b + i + 16));
            __m128i v2 = _mm_loadu_si128((const __m128i *)(b + i + 32));
            __m128i v3 = _mm_loadu_si128((const __m128i *)(b + i + 48));
            __m128i any = _mm_or_si128(_mm_or_si128(v0, v1), _mm_or_si128(v2, v3));
            __m128i low = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v0, space), _mm_cmplt_epi8(v1, space)),
                                       _mm_or_si128(_mm_cmplt_epi8(v2, space), _mm_cmplt_epi8(v3, space)));
            if (_mm_movemask_epi8(_mm_or_si128(any, low))) break;
            i += 64;
        }
        while (i + 16 <= n) {
            __m128i v = _mm_loadu_si128((const __m128i *)(b + i));
            if (_mm_movemask_epi8(v)) break;
            int control = _mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
            if (control) {
                __m128i ok = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x09)),
                                                       _mm_cmpeq_epi8(v, _mm_set1_epi8(0x0A))),
                                          _mm_cmpeq_epi8(v, _mm_set1_epi8(0x0D)));
                if (control & ~_mm_movemask_epi8(ok)) return 0;
            }
            i += 16;
        }
#else
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, b + i, 8);
            // All ASCII, so no carries between bytes: (byte + 0x60) sets the high bit iff byte >= 0x20.
            if ((w & 0x8080808080808080ull) || (~(w + 0x6060606060606060ull) & 0x8080808080808080ull)) break;
            i += 8;
        }
#endif
        if (i >= n) break;
        uint8_t c = b[i];
        if (c < 0x80) {
            if (c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D) return 0;
            i++;
            continue;
        }
        size_t len = utf8_sequence(b, i, n);
        if (!len) return 0;
        // Valid UTF-8 that is not clean: C1 controls (U+0080–U+009F, C2 80–9F) and U+FFFE/U+FFFF (EF BF BE/BF).
        if (c == 0xC2 && b[i + 1] <= 0x9F) return 0;
        if (c == 0xEF && b[i + 1] == 0xBF && b[i + 2] >= 0xBE) return 0;
        i += len;
    }
    return 1;
}

#if CFB_AVX2
/// Skips ASCII from `i` 128 bytes a step with AVX2 (only called when `have_avx2`): returns the start of the first
/// 128 bytes that hold a byte >= 0x80, or of the last bytes (fewer than 128), for the loops after it.
__attribute__((target("avx2"), noinline)) static size_t skip_ascii_avx2(const uint8_t *b, size_t i, size_t n) {
    while (i + 128 <= n) {
        const __m256i *p = (const __m256i *)(b + i);
        __m256i any = _mm256_or_si256(_mm256_or_si256(_mm256_loadu_si256(p), _mm256_loadu_si256(p + 1)),
                                      _mm256_or_si256(_mm256_loadu_si256(p + 2), _mm256_loadu_si256(p + 3)));
        if (_mm256_movemask_epi8(any)) break;
        i += 128;
    }
    return i;
}
#endif

/// Checks the sequences whose lead bytes are the set bits of `mask` (bit k: the byte at `block + k`, in a block of
/// `width` bytes); each sequence's bytes leave the mask as it is checked. Returns where the next block starts (past
/// a sequence that runs out of this one), or 0 when a sequence is invalid (never an answer otherwise: every other
/// answer is past at least one byte).
static inline __attribute__((always_inline)) size_t utf8_block(const uint8_t *b, size_t n, size_t block, size_t width,
                                                               unsigned mask) {
    size_t next = block + width;
    while (mask) {
        size_t k = block + (size_t)__builtin_ctz(mask);
        size_t len = utf8_sequence(b, k, n);
        if (!len) return 0;
        size_t end = k + len;
        if (end >= block + width) return end;
        mask &= ~0u << (end - block);
    }
    return next;
}

#if CFB_AVX2
/// `cfb_utf8_validate`'s loop thirty-two bytes at a time; returns where it stopped (fewer than 32 bytes left), or
/// SIZE_MAX when the bytes are invalid.
__attribute__((target("avx2"))) static size_t utf8_validate_avx2(const uint8_t *b, size_t n, size_t i, int *ascii) {
    while (i + 32 <= n) {
        unsigned mask = (unsigned)_mm256_movemask_epi8(_mm256_loadu_si256((const __m256i *)(b + i)));
        if (!mask) {
            i += 32;
            continue;
        }
        *ascii = 0;
        size_t next = utf8_block(b, n, i, 32, mask);
        if (!next) return SIZE_MAX;
        i = next;
    }
    return i;
}
#endif

int cfb_utf8_validate(const uint8_t *b, size_t n) {
    size_t i = 0;
    int ascii = 1;
#if CFB_AVX2
    tables();
    if (have_avx2) {
        i = utf8_validate_avx2(b, n, skip_ascii_avx2(b, 0, n), &ascii);
        if (i == SIZE_MAX) return 0;
    }
#endif
#if defined(__SSE2__)
    // Sixteen bytes at a time, then the last sixteen (overlapping what was checked, whose bits are dropped: `i` is
    // always where a sequence starts).
    while (i < n && n >= 16) {
        size_t block = i + 16 <= n ? i : n - 16;
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(b + block)));
        mask &= ~0u << (i - block);
        if (mask) {
            ascii = 0;
            size_t next = utf8_block(b, n, block, 16, mask);
            if (!next) return 0;
            i = next;
        } else {
            i = block + 16;
        }
    }
#endif
    while (i < n) {
        if (b[i] < 0x80) {
            i++;
            continue;
        }
        ascii = 0;
        size_t len = utf8_sequence(b, i, n);
        if (!len) return 0;
        i += len;
    }
    return ascii ? 1 : 2;
}

/// Nonzero when one of the eight bytes of `x` is >= 0x80 or '&' (the zero-byte test is exact about whether there
/// is one).
static inline uint64_t high_or_amp8(uint64_t x) {
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t a = x ^ ('&' * ones);
    return (x | ((a - ones) & ~a)) & highs;
}

int cfb_is_ascii_without_amp(const uint8_t *s, size_t n) {
    // The last bytes are read by a step overlapping the one before (attribute values are short: no byte loop).
#if defined(__SSE2__)
    if (n >= 16) {
        // Sixteen bytes at a time: the sign bit marks bytes >= 0x80.
        const __m128i amp = _mm_set1_epi8('&');
        size_t k = 0;
        for (; k + 16 <= n; k += 16) {
            __m128i c = _mm_loadu_si128((const __m128i *)(s + k));
            if (_mm_movemask_epi8(_mm_or_si128(c, _mm_cmpeq_epi8(c, amp)))) return 0;
        }
        __m128i c = _mm_loadu_si128((const __m128i *)(s + n - 16));
        return !_mm_movemask_epi8(_mm_or_si128(c, _mm_cmpeq_epi8(c, amp)));
    }
#endif
    if (n >= 8 && n <= 16) {
        uint64_t a, z;
        memcpy(&a, s, 8);
        memcpy(&z, s + n - 8, 8);
        return !high_or_amp8(a) && !high_or_amp8(z);
    }
    if (n >= 4 && n < 8) {
        uint32_t a, z;
        memcpy(&a, s, 4);
        memcpy(&z, s + n - 4, 4);
        return !high_or_amp8(a) && !high_or_amp8(z);
    }
    for (size_t k = 0; k < n; k++) {
        if (s[k] >= 0x80 || s[k] == '&') return 0;
    }
    return 1;
}

int cfb_has_unchecked_bytes(const uint8_t *b, size_t n) {
    if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) return 1;
    // Leading white space is skipped before libxml2 sees the document: control characters there too.
    for (size_t k = 0; k < n && b[k] <= 0x20; k++) {
        if (b[k] != 0x20 && b[k] != 0x09 && b[k] != 0x0A && b[k] != 0x0D) return 1;
    }
    // C1 controls are valid XML, and libxml2 2.9 decodes some sequences that are not UTF-8 (overlong forms in
    // CDATA sections, for one): any lead byte whose sequence may be one of those sends the document the old way
    // (they are rare; sixteen bytes without a byte >= 0x80 are skipped at once).
#if CFB_AVX2
    tables();
#endif
    for (size_t i = 0; i < n; i++) {
#if CFB_AVX2
        if (have_avx2) i = skip_ascii_avx2(b, i, n);
#endif
#if defined(__SSE2__)
        while (i + 128 <= n) {
            // 128 bytes a step (nearly every document is ASCII from end to end).
            const __m128i *p = (const __m128i *)(b + i);
            __m128i any = _mm_or_si128(
                _mm_or_si128(_mm_or_si128(_mm_loadu_si128(p), _mm_loadu_si128(p + 1)),
                             _mm_or_si128(_mm_loadu_si128(p + 2), _mm_loadu_si128(p + 3))),
                _mm_or_si128(_mm_or_si128(_mm_loadu_si128(p + 4), _mm_loadu_si128(p + 5)),
                             _mm_or_si128(_mm_loadu_si128(p + 6), _mm_loadu_si128(p + 7))));
            if (_mm_movemask_epi8(any)) break;
            i += 128;
        }
        while (i + 64 <= n) {
            const __m128i *p = (const __m128i *)(b + i);
            __m128i any = _mm_or_si128(_mm_or_si128(_mm_loadu_si128(p), _mm_loadu_si128(p + 1)),
                                       _mm_or_si128(_mm_loadu_si128(p + 2), _mm_loadu_si128(p + 3)));
            if (_mm_movemask_epi8(any)) break;
            i += 64;
        }
        while (i + 16 <= n && !_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(b + i)))) i += 16;
        if (i >= n) break;
#endif
        uint8_t c = b[i];
        if (c < 0xC0) continue;
        uint8_t d = i + 1 < n ? b[i + 1] : 0;
        if (c == 0xC0 || c == 0xC1 || c >= 0xF5) return 1;
        if (c == 0xC2 && d >= 0x80 && d <= 0x9F) return 1;   // C1 controls
        if (c == 0xE0 && d < 0xA0) return 1;                 // overlong three-byte forms
        if (c == 0xED && d >= 0xA0) return 1;                // surrogates
        if (c == 0xEF && d == 0xBF) return 1;                // U+FFC0–U+FFFF: U+FFFE and U+FFFF among them
        if (c == 0xF0 && d < 0x90) return 1;                 // overlong four-byte forms
        if (c == 0xF4 && d >= 0x90) return 1;                // past U+10FFFF
    }
    return 0;
}

// MARK: - Sanitizer decisions one tag at a time (see sanitizer.h)

// `cfb_sanitize`'s tables and attribute code for XHTML content sanitized as libxml2 reports it (feedsax.c):
// the same choices as the loop above makes for the tag it reads back.

void cfb_sanitize_base_ready(cfb_sanitize_base *b) {
    tables();
    b->prefix_plain = b->prefix && find_any3(b->prefix, 0, b->prefix_count, '<', '&', '"') == b->prefix_count;
}

cfb_tag cfb_sanitizer_tag(const uint8_t *s, size_t n) {
    name_t t = pack_name(s, 0, n, 0);
    uint8_t cls = t.count == 1 ? elements1[(uint8_t)t.lo] : table_get(&elements, t);
    cfb_tag r = {t, 0, 0, 0, 0, 0, 0};
    r.keep = cls == EL_KEEP;
    r.keep_void = cls == EL_KEEP_VOID;
    r.drop = cls == EL_DROP_WITH_CONTENT;
    r.drop_tag_only = r.drop && table_get(&void_dropped, t);
    r.plain = table_get(&effects, t) != 0;
    r.is_img = cfb_tag_name_eq(t, name_img);
    return r;
}

uint8_t cfb_sanitizer_attribute_class(const uint8_t *s, size_t n, cfb_tag_name *name) {
    *name = pack_name(s, 0, n, 0);
    return attribute_class(*name);
}

void cfb_sanitizer_attribute(cfb_buf *out, int is_img, cfb_tag_name an, uint8_t acls, const uint8_t *v, size_t vn,
                             const uint8_t *readable_end, const cfb_sanitize_base *b, cfb_buf *resolved) {
    if (acls == AT_PLAIN) {
        put_attribute(out, an, v, vn, readable_end);
        return;
    }
    url_base base = {b->prefix, b->origin_count, b->prefix_count, b->directory_has_dots, b->prefix_plain};
    if (acls == AT_URL && put_simple_url(out, an, v, vn, readable_end, &base)) return;
    if (acls == AT_URL && b->base_url_count > 0 && !has_scheme(v, vn)) {
        cfb_buf_clear(resolved);
        cfb_url_resolve_cached(b->cache, b->base_url, b->base_url_count, v, vn, resolved);
        put_attribute(out, an, resolved->bytes, resolved->count, resolved->bytes + resolved->capacity);
        return;
    }
    const uint8_t *r = NULL;
    size_t rn = 0;
    int image = is_img && cfb_tag_name_eq(an, name_src);
    if (b->resolve(b->context, acls == AT_URL ? CFB_URL : CFB_SRCSET, image, v, vn, &r, &rn))
        put_attribute(out, an, r, rn, r + rn);
}
