// CDATA sections read without libxml2 (see `cfb_cdata_lift` in include/CFeedBytes.h).
//
// libxml2 2.9's push parser reads a CDATA section byte by byte, twice (looking for `]]>`, then checking every
// character), at some twenty instructions a byte: more than half of all its work on feeds whose bodies are in
// CDATA. Here the section is found with `memchr` and checked 16 or 32 bytes at a time, and libxml2 is given a
// processing instruction in its place, which `cfb_sax` answers with the section's bytes: the same events in the
// same order. The lexer below only lifts sections whose surroundings it reads exactly as libxml2 does: the first
// thing it does not fully understand ends the lifting, and the rest of the document goes to libxml2 as it is.
#include "CFeedBytes.h"
#include "buffer.h"

#include <string.h>

/// Limits well under libxml2's own (depth 256, names 50,000 bytes, attribute values 10,000,000), past which it
/// reports errors and recovers in ways not copied here; sections longer than `MAX_SECTION` are left to it too.
enum { MAX_DEPTH = 200, MAX_NAME = 1000, MAX_VALUE = 1 << 20, MAX_SECTION = 1 << 20 };

static inline int blank(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// ASCII name characters: `NAME_START` for letters and `_`, `NAME` for those and digits, `-` and `.`.
enum { NAME = 1, NAME_START = 2 };
#define L2(c) [c] = NAME | NAME_START, [c + 32] = NAME | NAME_START
static const uint8_t name_class[256] = {
    L2('A'), L2('B'), L2('C'), L2('D'), L2('E'), L2('F'), L2('G'), L2('H'), L2('I'), L2('J'), L2('K'), L2('L'),
    L2('M'), L2('N'), L2('O'), L2('P'), L2('Q'), L2('R'), L2('S'), L2('T'), L2('U'), L2('V'), L2('W'), L2('X'),
    L2('Y'), L2('Z'), ['_'] = NAME | NAME_START, ['0'] = NAME, ['1'] = NAME, ['2'] = NAME, ['3'] = NAME,
    ['4'] = NAME, ['5'] = NAME, ['6'] = NAME, ['7'] = NAME, ['8'] = NAME, ['9'] = NAME, ['-'] = NAME, ['.'] = NAME,
};
#undef L2

/// The end of an ASCII qualified name at `i` (`prefix:local`, or `local`), or 0 when there is none.
static inline size_t qname_end(const uint8_t *s, size_t i, size_t n) {
    if (n - i > MAX_NAME) n = i + MAX_NAME;  // a longer name ends at `n` and is refused by the caller
    for (int part = 0; part < 2; part++) {
        if (i >= n || !(name_class[s[i]] & NAME_START)) return 0;
        i++;
        while (i < n && (name_class[s[i]] & NAME)) i++;
        if (part == 1 || i >= n || s[i] != ':') return i;
        i++;
    }
    return i;
}

static inline size_t skip_blanks(const uint8_t *s, size_t i, size_t n) {
    while (i < n && blank(s[i])) i++;
    return i;
}

/// The start of the first `<![CDATA[` at or after `i` (found by its rarer `[`), or `n`.
static size_t find_cdata_start(const uint8_t *s, size_t i, size_t n) {
    size_t k = i + 2;
    while (k + 7 <= n) {
        const uint8_t *p = memchr(s + k, '[', n - k - 6);
        if (!p) return n;
        k = (size_t)(p - s);
        if (s[k - 2] == '<' && s[k - 1] == '!' && memcmp(s + k + 1, "CDATA[", 6) == 0) return k - 2;
        k++;
    }
    return n;
}

/// The index of the first `a b` at or after `i`, or `n`.
static size_t find2(const uint8_t *s, size_t i, size_t n, uint8_t a, uint8_t b) {
    while (i + 2 <= n) {
        const uint8_t *p = memchr(s + i, a, n - i - 1);
        if (!p) return n;
        size_t k = (size_t)(p - s);
        if (s[k + 1] == b) return k;
        i = k + 1;
    }
    return n;
}

/// The index of the first `a b c` at or after `i`, or `n`.
static size_t find3(const uint8_t *s, size_t i, size_t n, uint8_t a, uint8_t b, uint8_t c) {
    while (i + 3 <= n) {
        const uint8_t *p = memchr(s + i, a, n - i - 2);
        if (!p) return n;
        size_t k = (size_t)(p - s);
        if (s[k + 1] == b && s[k + 2] == c) return k;
        i = k + 1;
    }
    return n;
}

/// A start tag at `s[i] == '<'` exactly as XML has it (names ASCII, every attribute `name="value"` with no `<`
/// in the value, blanks between attributes): its end (after `>`), and `*empty` for `/>`; else 0.
static size_t start_tag_end(const uint8_t *s, size_t i, size_t n, int *empty) {
    size_t k = qname_end(s, i + 1, n);
    if (k == 0) return 0;
    for (;;) {
        size_t b = skip_blanks(s, k, n);
        if (b >= n) return 0;
        if (s[b] == '>') {
            *empty = 0;
            return b + 1;
        }
        if (s[b] == '/') {
            if (b + 1 >= n || s[b + 1] != '>') return 0;
            *empty = 1;
            return b + 2;
        }
        if (b == k) return 0;  // no blank before an attribute
        k = qname_end(s, b, n);
        if (k == 0) return 0;
        k = skip_blanks(s, k, n);
        if (k >= n || s[k] != '=') return 0;
        k = skip_blanks(s, k + 1, n);
        if (k >= n || (s[k] != '"' && s[k] != '\'')) return 0;
        uint8_t quote = s[k];
        size_t v = find_any3(s, k + 1, n, quote, '<', '<');
        if (v >= n || s[v] != quote || v - k > MAX_VALUE) return 0;
        k = v + 1;
    }
}

/// An end tag at `s[i] == '<'`, `s[i + 1] == '/'`: its end (after `>`), else 0.
static size_t end_tag_end(const uint8_t *s, size_t i, size_t n) {
    size_t k = qname_end(s, i + 2, n);
    if (k == 0) return 0;
    k = skip_blanks(s, k, n);
    return k < n && s[k] == '>' ? k + 1 : 0;
}

/// A comment at `s[i]` (`<!--`): its end (after `-->`), or 0 when it has `--` elsewhere or no end.
static size_t comment_end(const uint8_t *s, size_t i, size_t n) {
    size_t k = i + 4;
    while (k + 1 < n) {
        const uint8_t *p = memchr(s + k, '-', n - k - 1);
        if (!p) return 0;
        k = (size_t)(p - s);
        if (s[k + 1] == '-') return k + 2 < n && s[k + 2] == '>' ? k + 3 : 0;
        k++;
    }
    return 0;
}

/// Whether `s[0..<n]` is text libxml2 takes in a CDATA section without complaint: valid UTF-8 (`cfb_utf8_validate`,
/// which is stricter than libxml2), no C0 control but tab, line feed and carriage return, no U+FFFE or U+FFFF.
/// Counts the line feeds in `*lines`.
#if CFB_AVX2
/// `cdata_text_ok`'s loop thirty-two bytes a step (only called when AVX2 is on): 0 at a forbidden control
/// character, else 1, with the line feeds counted and `*has_ef` set when an EF byte was seen; `*i` is where it
/// stopped.
__attribute__((target("avx2"))) static int text_avx2(const uint8_t *s, size_t n, size_t *i, size_t *count,
                                                     int *has_ef) {
    const __m256i tab = _mm256_set1_epi8(9), lf = _mm256_set1_epi8(10), cr = _mm256_set1_epi8(13),
                  c1f = _mm256_set1_epi8(0x1F), ef = _mm256_set1_epi8((char)0xEF);
    size_t k = *i, c = 0;
    int e = 0;
    for (; k + 32 <= n; k += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(s + k));
        __m256i is_lf = _mm256_cmpeq_epi8(v, lf);
        __m256i control = _mm256_cmpeq_epi8(_mm256_min_epu8(v, c1f), v);
        unsigned m = (unsigned)_mm256_movemask_epi8(control);
        if (m) {
            __m256i allowed = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, tab), is_lf), _mm256_cmpeq_epi8(v, cr));
            if (m & ~(unsigned)_mm256_movemask_epi8(allowed)) return 0;
            c += (size_t)__builtin_popcount((unsigned)_mm256_movemask_epi8(is_lf));
        }
        e |= _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, ef));
    }
    *i = k;
    *count += c;
    *has_ef |= e != 0;
    return 1;
}
#endif

static int cdata_text_ok(const uint8_t *s, size_t n, size_t *lines) {
    size_t count = 0, i = 0;
    int has_ef = 0;
#if CFB_AVX2
    if (n >= 32 && cfb_avx2_enabled() && !text_avx2(s, n, &i, &count, &has_ef)) return 0;
#endif
#if defined(__SSE2__)
    const __m128i tab = _mm_set1_epi8(9), lf = _mm_set1_epi8(10), cr = _mm_set1_epi8(13),
                  c1f = _mm_set1_epi8(0x1F), ef = _mm_set1_epi8((char)0xEF);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i is_lf = _mm_cmpeq_epi8(v, lf);
        __m128i allowed = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, tab), is_lf), _mm_cmpeq_epi8(v, cr));
        __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, c1f), v);
        if (_mm_movemask_epi8(_mm_andnot_si128(allowed, control))) return 0;
        count += (size_t)__builtin_popcount((unsigned)_mm_movemask_epi8(is_lf));
        has_ef |= _mm_movemask_epi8(_mm_cmpeq_epi8(v, ef));
    }
#endif
    for (; i < n; i++) {
        uint8_t c = s[i];
        if (c < 0x20 && c != 9 && c != 10 && c != 13) return 0;
        count += c == 10;
        has_ef |= c == 0xEF;
    }
    if (cfb_utf8_validate(s, n) == 0) return 0;
    if (has_ef) {
        // U+FFFE and U+FFFF are EF BF BE and EF BF BF (the UTF-8 is valid, so an EF has two bytes after it).
        for (const uint8_t *p = s, *end = s + n; (p = memchr(p, 0xEF, (size_t)(end - p))) != NULL; p++) {
            if (p[1] == 0xBF && (p[2] & 0xFE) == 0xBE) return 0;
        }
    }
    *lines = count;
    return 1;
}

/// `<?cfb K` and `lines` line feeds and `?>`.
static void put_placeholder(cfb_buf *out, size_t k, size_t lines) {
    uint8_t digits[24];
    size_t d = sizeof digits;
    do {
        digits[--d] = (uint8_t)('0' + k % 10);
        k /= 10;
    } while (k > 0);
    reserve(out, 6 + (sizeof digits - d) + lines + 2);
    PUTS(out, "<?cfb ");
    put(out, digits + d, sizeof digits - d);
    memset(out->bytes + out->count, '\n', lines);
    out->count += lines;
    PUTS(out, "?>");
}

size_t cfb_cdata_lift(const uint8_t *s, size_t n, cfb_buf *out, cfb_buf *sections) {
    cfb_buf_clear(out);
    cfb_buf_clear(sections);
    if (n > 0x7FFFFFFF) return 0;  // `characters` takes an `int` length
    size_t i = 0, copied = 0, count = 0;
    if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) i = 3;
    // The prolog: blanks, comments and processing instructions (none of them `cfb`, which would be taken for a
    // placeholder); a document type declaration (which may declare entities whose text is markup), or anything
    // else, and nothing is lifted.
    for (;;) {
        i = skip_blanks(s, i, n);
        if (i + 1 >= n || s[i] != '<') return 0;
        if (s[i + 1] == '?') {
            // A target name, then a blank or `?>`; no `<` or `>` before the first `?>`, so that it ends there
            // however libxml2 takes it (a broken XML declaration is skipped to the next `>`).
            size_t t = i + 2;
            if (t >= n || !(name_class[s[t]] & NAME_START)) return 0;
            while (t < n && (name_class[s[t]] & NAME)) t++;
            if (t - (i + 2) >= 3 && memcmp(s + i + 2, "cfb", 3) == 0) return 0;
            if (t >= n || !(blank(s[t]) || s[t] == '?')) return 0;
            size_t k = find2(s, t, n, '?', '>');
            if (k >= n || memchr(s + t, '<', k - t) || memchr(s + t, '>', k - t)) return 0;
            i = k + 2;
        } else if (i + 4 <= n && memcmp(s + i, "<!--", 4) == 0) {
            i = comment_end(s, i, n);
            if (i == 0) return 0;
        } else {
            break;
        }
    }
    // Nothing to do without a section after the prolog.
    size_t next = find_cdata_start(s, i, n);
    if (next >= n) return 0;
    int empty;
    size_t e = start_tag_end(s, i, n, &empty);
    if (e == 0 || empty) return 0;
    i = e;
    size_t depth = 1;
    // The root's content, until the root ends, something is not plainly XML, or no section is left.
    while (i < n) {
        if (next < i) {
            // The `<![CDATA[` found was inside a comment or an attribute value: the next one.
            next = find_cdata_start(s, i, n);
            if (next >= n) break;
        }
        const uint8_t *p = memchr(s + i, '<', n - i);
        if (!p) break;
        i = (size_t)(p - s);
        if (i + 1 >= n) break;
        uint8_t next = s[i + 1];
        if (next == '/') {
            e = end_tag_end(s, i, n);
            if (e == 0 || --depth == 0) break;
            i = e;
        } else if (next == '!') {
            if (i + 4 <= n && memcmp(s + i, "<!--", 4) == 0) {
                e = comment_end(s, i, n);
                if (e == 0) break;
                i = e;
                continue;
            }
            if (i + 9 > n || memcmp(s + i, "<![CDATA[", 9) != 0) break;
            size_t start = i + 9;
            size_t end = find3(s, start, n, ']', ']', '>');
            size_t lines;
            if (end >= n || end - start > MAX_SECTION || !cdata_text_ok(s + start, end - start, &lines)) break;
            put(out, s + copied, i - copied);
            put_placeholder(out, count, lines);
            cfb_cdata_section section = {s + start, end - start};
            put(sections, (const uint8_t *)&section, sizeof section);
            count++;
            i = end + 3;
            copied = i;
        } else {
            e = start_tag_end(s, i, n, &empty);
            if (e == 0) break;
            if (!empty && ++depth > MAX_DEPTH) break;
            i = e;
        }
    }
    if (count == 0) {
        cfb_buf_clear(out);
        return 0;
    }
    put(out, s + copied, n - copied);
    return count;
}
