import CFeedBytes

/// Swift's side of the C byte loops (`CFeedBytes`): a buffer owner and the calls that return Swift values.
/// The C types stay inside this module.
enum FeedBytes {
    /// The string of `b`'s bytes. Valid UTF-8 (nearly always) is checked by `cfb_utf8_validate`, many times faster
    /// than `String(decoding:as:)` checks text with non-ASCII letters in it; anything else is repaired by
    /// `String(decoding:as:)` as before. Short strings (stored inline, no allocation) are left to the latter.
    @inline(__always)
    static func string(utf8 b: UnsafeBufferPointer<UInt8>) -> String {
        guard b.count > 15 else { return String(decoding: b, as: UTF8.self) }
        switch cfb_utf8_validate(b.baseAddress, b.count) {
        case 1: return unsafe String(copying: UTF8Span(unchecked: b.span, isKnownASCII: true))
        case 2: return unsafe String(copying: UTF8Span(unchecked: b.span, isKnownASCII: false))
        default: return String(decoding: b, as: UTF8.self)
        }
    }

    /// Runs `body` with an empty C buffer and returns its result and the buffer's bytes as a string
    /// (invalid UTF-8 repaired, as `String(decoding:as:)` always did).
    @inline(__always)
    static func string(_ body: (inout cfb_buf) -> Range<Int>?) -> String {
        var buf = cfb_buf()
        defer { cfb_buf_free(&buf) }
        let r = body(&buf) ?? 0..<buf.count
        guard let p = buf.bytes, !r.isEmpty else { return "" }
        return string(utf8: UnsafeBufferPointer(start: p + r.lowerBound, count: r.count))
    }

    /// `string(_:)` writing to `scratch` (emptied first, kept by the caller for the next string) when there is
    /// one: no allocation besides the string's.
    @inline(__always)
    static func string(scratch: UnsafeMutablePointer<cfb_buf>?, _ body: (inout cfb_buf) -> Range<Int>?) -> String {
        guard let scratch else { return string(body) }
        cfb_buf_clear(scratch)
        let r = body(&scratch.pointee) ?? 0..<scratch.pointee.count
        guard let p = scratch.pointee.bytes, !r.isEmpty else { return "" }
        return string(utf8: UnsafeBufferPointer(start: p + r.lowerBound, count: r.count))
    }

    /// The sanitized HTML of `s` (see `HTMLSanitizer`), with URLs resolved against `base`.
    static func sanitize(_ s: UnsafeBufferPointer<UInt8>, base: String?) -> String {
        Sanitizer().sanitize(s, base: base)
    }

    /// The plain text of the HTML in `s` (see `HTMLText.plainText`).
    static func plainText(
        _ s: UnsafeBufferPointer<UInt8>, limit: Int, scratch: UnsafeMutablePointer<cfb_buf>? = nil
    ) -> String {
        string(scratch: scratch) { out in
            cfb_plain_text(s.baseAddress, s.count, limit, &out)
            return nil
        }
    }

    /// Literal text with white space collapsed (see `TextWriter.appendLiteral`).
    static func collapsed(_ s: UnsafeBufferPointer<UInt8>, scratch: UnsafeMutablePointer<cfb_buf>? = nil) -> String {
        string(scratch: scratch) { out in
            cfb_collapse_literal(s.baseAddress, s.count, &out)
            return nil
        }
    }

    /// `s` with `<`, `>` and `&` escaped.
    static func escapedText(_ s: UnsafeBufferPointer<UInt8>) -> String {
        string { out in
            cfb_escape_text(s.baseAddress, s.count, &out)
            return nil
        }
    }

    static func isCleanUTF8(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        cfb_is_clean_utf8(s.baseAddress, s.count) != 0
    }

    /// Whether `s` has no byte >= 0x80 and no `&`.
    @inline(__always)
    static func isASCIIWithoutAmpersand(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        s.isEmpty || cfb_is_ascii_without_amp(s.baseAddress, s.count) != 0
    }

    static func hasUncheckedBytes(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        cfb_has_unchecked_bytes(s.baseAddress, s.count) != 0
    }

    /// Turns the C loops' AVX2 versions on or off (for the tests); returns whether they are used now.
    @discardableResult
    static func useAVX2(_ on: Bool) -> Bool { cfb_use_avx2(on ? 1 : 0) != 0 }
}

/// Runs `cfb_sanitize` for one document's items: the output buffer, the split base and the URL callback's
/// context are kept from one item to the next (most items of a feed share their base), so an item costs no
/// allocation besides its string. Owns its C buffers (freed in `deinit`); one per document, never shared.
final class Sanitizer {
    @exclusivity(unchecked) private var out = cfb_buf()
    @exclusivity(unchecked) private var prefix = cfb_buf()
    /// The base split for the relative URLs `cfb_sanitize` resolves itself (allocated: `cfb_sax` keeps a pointer
    /// to it while it sanitizes XHTML content, see `prepare`).
    private let urlCache: UnsafeMutablePointer<cfb_url_cache>
    /// The bytes of the last base (for `prepare`, which copies them when `use` changed the base).
    @exclusivity(unchecked) private var baseBytes = cfb_buf()
    @exclusivity(unchecked) private var baseBytesStale = true
    /// Whether the fields below were computed for a base, `context.baseString` (false before the first item):
    /// the context keeps the base, one copy of it to store per item.
    @exclusivity(unchecked) private var hasBase = false
    private let context = SanitizerContext(base: nil)
    @exclusivity(unchecked) private var originCount = 0
    @exclusivity(unchecked) private var dots: Int32 = 0
    @exclusivity(unchecked) private var split: Int32 = -1
    /// `prefix`, `originCount` and `dots` are what `cfb_url_prefix` gave for the last base (not a `URLBase` split).
    @exclusivity(unchecked) private var prefixFromC = false

    init() {
        urlCache = .allocate(capacity: 1)
        urlCache.initialize(to: cfb_url_cache())
    }

    deinit {
        cfb_buf_free(&out)
        cfb_buf_free(&prefix)
        cfb_buf_free(&baseBytes)
        cfb_url_cache_free(urlCache)
        urlCache.deinitialize(count: 1)
        urlCache.deallocate()
    }

    /// Sets `b` to what `cfb_sanitize` would be given for `base` (see `sanitize`), for `cfb_sax` to sanitize XHTML
    /// content as it arrives. `b` points into this sanitizer: valid until the next call with another base.
    func prepare(_ b: UnsafeMutablePointer<cfb_sanitize_base>, base: String) {
        if !hasBase || context.baseString != base { use(base) }
        if baseBytesStale {
            cfb_buf_clear(&baseBytes)
            var s = base
            s.withUTF8 { cfb_buf_append(&baseBytes, $0.baseAddress, $0.count) }
            baseBytesStale = false
        }
        b.pointee = cfb_sanitize_base(
            prefix: split == 1 ? UnsafePointer(prefix.bytes) : nil, origin_count: originCount,
            prefix_count: prefix.count, directory_has_dots: dots, prefix_plain: 0,
            base_url: UnsafePointer(baseBytes.bytes), base_url_count: baseBytes.count, cache: urlCache,
            resolve: sanitizerURL, context: Unmanaged.passUnretained(context).toOpaque())
    }

    /// The sanitized HTML of `s` (see `HTMLSanitizer`), with URLs resolved against `base`.
    func sanitize(_ s: UnsafeBufferPointer<UInt8>, base: String?) -> String {
        if !hasBase || context.baseString != base { use(base) }
        cfb_buf_clear(&out)
        var lo = 0
        var hi = 0
        let ctx = Unmanaged.passUnretained(context).toOpaque()
        var baseURL = base ?? ""
        baseURL.withUTF8 { b in
            cfb_sanitize(
                s.baseAddress, s.count, &out, split == 1 ? UnsafePointer(prefix.bytes) : nil, originCount,
                prefix.count, dots, b.baseAddress, b.count, urlCache, sanitizerURL, ctx, &lo, &hi)
        }
        guard let p = out.bytes, lo < hi else { return "" }
        return FeedBytes.string(utf8: UnsafeBufferPointer(start: p + lo, count: hi - lo))
    }

    /// Whether `cfb_url_prefix` gives `b` the split it gave the last base (`prefixFromC`): `b` starts with that
    /// prefix (its scheme, authority and directory, which hold no `?` or `#`), has no `/` after it before its
    /// query or fragment (so its directory ends where the prefix does), and needs no cleaning (checked after the
    /// prefix only: cleaning is about single bytes, and the prefix's are the last base's, which needed none).
    /// Then its scheme, origin, directory and dots are the prefix's, as `cfb_url_prefix` would find them.
    private func keepsPrefix(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let pc = prefix.count
        guard let p = prefix.bytes, let q = b.baseAddress, b.count >= pc, pc > 0, bytesEqual(UnsafePointer(p), q, count: pc)
        else { return false }
        var k = pc
        let n = b.count
        while k < n {
            let c = q[k]
            // `needs_cleaning`'s bytes, and a '/' before the query or fragment.
            if c <= 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "<") || c == UInt8(ascii: ">")
                || c == UInt8(ascii: "\\") || c == UInt8(ascii: "/")
            {
                return false
            }
            if c == UInt8(ascii: "?") || c == UInt8(ascii: "#") { break }
            k += 1
        }
        // The query and fragment: cleaning only (here, not in C: they are short, and the C loop went byte by byte
        // below sixteen bytes, after a call).
        while k < n {
            let c = q[k]
            if c <= 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "<") || c == UInt8(ascii: ">")
                || c == UInt8(ascii: "\\")
            {
                return false
            }
            k += 1
        }
        return true
    }

    /// Splits `base` for `cfb_sanitize` (as `URLBase` does when it needs cleaning first).
    private func use(_ base: String?) {
        hasBase = true
        context.baseString = base
        baseBytesStale = true
        // Items' bases are mostly their links, one directory for many of them: the split is then the last one.
        if prefixFromC, let base, base.utf8.withContiguousStorageIfAvailable({ keepsPrefix($0) }) == true { return }
        prefixFromC = false
        cfb_buf_clear(&prefix)
        originCount = 0
        dots = 0
        split = -1
        if var b = base {
            split = b.withUTF8 { cfb_url_prefix($0.baseAddress, $0.count, &prefix, &originCount, &dots) }
            prefixFromC = split == 1
        }
        if split < 0, let b = context.base, b.usable {
            // A base to clean first: split by `URLBase`.
            cfb_buf_clear(&prefix)
            b.prefix.withUnsafeBufferPointer { cfb_buf_append(&prefix, $0.baseAddress, $0.count) }
            originCount = b.originCount
            dots = b.directoryHasDots ? 1 : 0
            split = 1
        }
    }
}

/// What the sanitizer's URL callback needs: the base (split only when a URL needs Swift), and a buffer that
/// holds the last answer.
private final class SanitizerContext {
    /// The base URL; setting it forgets the split one.
    var baseString: String? {
        didSet { split = nil }
    }
    private var split: URLBase??
    let url = ByteBuffer(capacity: 256)

    init(base: String?) { self.baseString = base }

    /// `baseString` split (once, when a URL first needs it).
    var base: URLBase? {
        if let split { return split }
        let b = URLBase(baseString)
        split = .some(b)
        return b
    }
}

/// Resolves a URL-carrying attribute for `cfb_sanitize` (URL resolution stays in Swift).
private let sanitizerURL: cfb_url_callback = { context, kind, image, value, count, out, outCount in
    guard let context, let out, let outCount else { return 0 }
    let c = Unmanaged<SanitizerContext>.fromOpaque(context).takeUnretainedValue()
    let raw = UnsafeBufferPointer(start: value, count: count)
    c.url.removeAll()
    if kind == Int32(CFB_SRCSET) {
        let value = HTMLSanitizer.resolveSrcset(Array(raw), base: c.base)
        if value.isEmpty { return 0 }
        c.url.append(contentsOf: value)
    } else {
        var sink = c.url
        guard HTMLSanitizer.safeURL(raw, base: c.base, image: image != 0, into: &sink) else { return 0 }
    }
    out.pointee = UnsafePointer(c.url.start)
    outCount.pointee = c.url.count
    return 1
}
