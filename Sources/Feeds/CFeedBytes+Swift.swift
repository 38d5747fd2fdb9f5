import CFeedBytes

/// Swift's side of the C byte loops (`CFeedBytes`): a buffer owner and the calls that return Swift values.
/// The C types stay inside this module.
enum FeedBytes {
    /// Runs `body` with an empty C buffer and returns its result and the buffer's bytes as a string
    /// (invalid UTF-8 repaired, as `String(decoding:as:)` always did).
    @inline(__always)
    static func string(_ body: (inout cfb_buf) -> Range<Int>?) -> String {
        var buf = cfb_buf()
        defer { cfb_buf_free(&buf) }
        let r = body(&buf) ?? 0..<buf.count
        guard let p = buf.bytes, !r.isEmpty else { return "" }
        return String(decoding: UnsafeBufferPointer(start: p + r.lowerBound, count: r.count), as: UTF8.self)
    }

    /// The sanitized HTML of `s` (see `HTMLSanitizer`), with URLs resolved against `base`.
    static func sanitize(_ s: UnsafeBufferPointer<UInt8>, base: String?) -> String {
        let context = SanitizerContext(base: base)
        var prefix = cfb_buf()
        defer { cfb_buf_free(&prefix) }
        var originCount = 0
        var dots: Int32 = 0
        var split: Int32 = -1
        if var b = base {
            split = b.withUTF8 { cfb_url_prefix($0.baseAddress, $0.count, &prefix, &originCount, &dots) }
        }
        if split < 0, let b = context.base, b.usable {
            // A base to clean first: split by `URLBase`.
            cfb_buf_clear(&prefix)
            b.prefix.withUnsafeBufferPointer { cfb_buf_append(&prefix, $0.baseAddress, $0.count) }
            originCount = b.originCount
            dots = b.directoryHasDots ? 1 : 0
            split = 1
        }
        return withExtendedLifetime(context) {
            string { out in
                var lo = 0
                var hi = 0
                let ctx = Unmanaged.passUnretained(context).toOpaque()
                cfb_sanitize(
                    s.baseAddress, s.count, &out, split == 1 ? UnsafePointer(prefix.bytes) : nil, originCount,
                    prefix.count, dots, sanitizerURL, ctx, &lo, &hi)
                return lo..<hi
            }
        }
    }

    /// The plain text of the HTML in `s` (see `HTMLText.plainText`).
    static func plainText(_ s: UnsafeBufferPointer<UInt8>, limit: Int) -> String {
        string { out in
            cfb_plain_text(s.baseAddress, s.count, limit, &out)
            return nil
        }
    }

    /// Literal text with white space collapsed (see `TextWriter.appendLiteral`).
    static func collapsed(_ s: UnsafeBufferPointer<UInt8>) -> String {
        string { out in
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
}

/// What the sanitizer's URL callback needs: the base (split only when a URL needs Swift), and a buffer that
/// holds the last answer.
private final class SanitizerContext {
    let baseString: String?
    lazy var base: URLBase? = URLBase(baseString)
    let url = ByteBuffer(capacity: 256)

    init(base: String?) { self.baseString = base }
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
