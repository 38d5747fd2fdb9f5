import Foundation

/// Allowlist HTML sanitizer: keeps harmless formatting, drops scripts, frames, forms, event handlers, styles
/// and dangerous URL schemes, resolves every relative URL (href, src, srcset, ...) against a base, and
/// closes what it opened so the fragment cannot swallow the page around it.
enum HTMLSanitizer {
    // The element and attribute allowlists (and which attributes carry URLs) are the tables in
    // Sources/CFeedBytes/feedbytes.c (`build_tables`), next to the loop that uses them.

    /// Sanitized copy of the HTML in `s`.
    static func sanitize(_ s: UnsafeBufferPointer<UInt8>, base: String?) -> [UInt8] {
        Array(sanitizedString(s, base: base).utf8)
    }

    /// Sanitized HTML as a string. The byte loop (tokenizer, allowlists, escaping, closing what it opened)
    /// runs in C (`cfb_sanitize`); URL-carrying attributes come back
    /// here for `safeURL` / `resolveSrcset`.
    static func sanitizedString(_ s: UnsafeBufferPointer<UInt8>, base: String?) -> String {
        FeedBytes.sanitize(s, base: base)
    }

    static let allowedSchemes: Set<String> = [
        "http", "https", "mailto", "ftp", "tel", "news", "magnet", "irc", "ircs", "feed", "xmpp", "sms",
    ]
    static let allowedSchemeTable = TagNameTable<Bool>(allowedSchemes.map { ($0, true) })
    static let dataScheme = TagName("data")

    /// The URL resolved against `base`, or nil when its scheme is not allowed.
    static func safeURL(_ raw: [UInt8], base: URLBase?, image: Bool) -> [UInt8]? {
        var out: [UInt8] = []
        let ok = raw.withUnsafeBufferPointer { safeURL($0, base: base, image: image, into: &out) }
        return ok ? out : nil
    }

    /// Appends the URL resolved against `base` to `out`; false (nothing appended) when its scheme is not allowed.
    static func safeURL<S: ByteSink>(
        _ raw: UnsafeBufferPointer<UInt8>, base: URLBase?, image: Bool, into out: inout S
    ) -> Bool {
        // The scheme, as browsers read it: control characters and white space inside it are ignored.
        var scheme = TagName()
        var hasScheme = false
        var first: UInt8 = 0
        for c in raw {
            if c <= 0x20 { continue }
            if c == UInt8(ascii: ":") {
                hasScheme = scheme.count > 0
                break
            }
            guard HTMLEntities.isAlnum(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: "."),
                scheme.count < 16
            else { break }
            let l = UInt64(c | (HTMLScanner.isAlpha(c) ? 0x20 : 0))
            if scheme.count == 0 { first = c }
            if scheme.count < 8 {
                scheme.lo |= l << (8 * UInt64(scheme.count))
            } else {
                scheme.hi |= l << (8 * UInt64(scheme.count - 8))
            }
            scheme.count += 1
        }
        if hasScheme, HTMLScanner.isAlpha(first) {
            if allowedSchemeTable[scheme] != nil {
                if URLBytes.needsCleaning(raw) { out.append(array: URLBytes.clean(raw)) } else { out.append(contentsOf: raw) }
                return true
            }
            if scheme == dataScheme, image {
                let t = String(decoding: raw.prefix(32), as: UTF8.self).lowercased().trimmingASCIISpace()
                if t.hasPrefix("data:image/") && !t.hasPrefix("data:image/svg") {
                    out.append(contentsOf: raw)
                    return true
                }
            }
            return false
        }
        if let base {
            base.resolve(raw, into: &out)
        } else if URLBytes.needsCleaning(raw) {
            out.append(array: URLBytes.clean(raw))
        } else {
            out.append(contentsOf: raw)
        }
        return true
    }

    static func resolveSrcset(_ value: [UInt8], base: URLBase?) -> [UInt8] {
        var out: [UInt8] = []
        for candidate in value.split(separator: UInt8(ascii: ",")) {
            let fields = candidate.split(whereSeparator: { $0 <= 0x20 })
            guard let u = fields.first, let url = safeURL(Array(u), base: base, image: true) else { continue }
            if !out.isEmpty { out.append(contentsOf: [0x2C, 0x20]) }
            out.append(contentsOf: url)
            for f in fields.dropFirst() {
                out.append(0x20)
                out.append(contentsOf: f)
            }
        }
        return out
    }

    /// The index of the first `a` or `b` (or `c`) in `t` at or after `from`, or `t.count`; memchr finds each
    /// needle, so runs without markup cost next to nothing.
    @inline(__always)
    static func index(of needle: UInt8, in t: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        guard from < t.count, let base = t.baseAddress,
            let p = memchr(base + from, Int32(needle), t.count - from)
        else { return t.count }
        return UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self) - base
    }

    /// Copies `t` to `out`, replacing each byte in `needles` with `replace(byte)`; runs are copied in bulk.
    @inline(__always)
    static func copyEscaping<S: ByteSink>(
        _ t: UnsafeBufferPointer<UInt8>, _ needles: (UInt8, UInt8, UInt8?), into out: inout S,
        _ replace: (UInt8, inout S) -> Void
    ) {
        let n = t.count
        var pa = index(of: needles.0, in: t, from: 0)
        var pb = index(of: needles.1, in: t, from: 0)
        var pc = needles.2.map { index(of: $0, in: t, from: 0) } ?? n
        var run = 0
        while true {
            let k = min(pa, pb, pc)
            guard k < n else { break }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: t[run..<k]))
            replace(t[k], &out)
            run = k + 1
            if pa == k { pa = index(of: needles.0, in: t, from: run) }
            if pb == k { pb = index(of: needles.1, in: t, from: run) }
            if pc == k, let c = needles.2 { pc = index(of: c, in: t, from: run) }
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: t[run..<n]))
    }

    static func escapeText<S: ByteSink>(_ t: UnsafeBufferPointer<UInt8>, into out: inout S) {
        copyEscaping(t, (UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&")), into: &out) { c, o in
            switch c {
            case UInt8(ascii: "<"): appendEntity("&lt;", to: &o)
            case UInt8(ascii: ">"): appendEntity("&gt;", to: &o)
            default: appendEntity("&amp;", to: &o)
            }
        }
    }

    static func escapeAttribute<S: ByteSink>(_ t: UnsafeBufferPointer<UInt8>, into out: inout S) {
        copyEscaping(t, (UInt8(ascii: "<"), UInt8(ascii: "&"), UInt8(ascii: "\"")), into: &out) { c, o in
            switch c {
            case UInt8(ascii: "<"): appendEntity("&lt;", to: &o)
            case UInt8(ascii: "&"): appendEntity("&amp;", to: &o)
            default: appendEntity("&quot;", to: &o)
            }
        }
    }

    @inline(__always)
    static func appendEntity<S: ByteSink>(_ e: StaticString, to out: inout S) {
        out.append(contentsOf: UnsafeBufferPointer(start: e.utf8Start, count: e.utf8CodeUnitCount))
    }
}
