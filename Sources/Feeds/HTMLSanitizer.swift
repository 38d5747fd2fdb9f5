import CFeedBytes
import Foundation

/// Allowlist HTML sanitizer: keeps harmless formatting, drops scripts, frames, forms, event handlers, styles
/// and dangerous URL schemes, resolves every relative URL (href, src, srcset, ...) against a base, and
/// closes what it opened so the fragment cannot swallow the page around it.
enum HTMLSanitizer {
    // The element and attribute allowlists (and which attributes carry URLs) are the tables in
    // Sources/CFeedBytes/feedbytes.c (`build_tables`), next to the loop that uses them.

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

    /// Appends `t` with `<`, `>` and `&` escaped (`cfb_escape_text_into`).
    static func escapeText<S: ByteSink>(_ t: UnsafeBufferPointer<UInt8>, into out: inout S) {
        guard let p = t.baseAddress, t.count > 0 else { return }
        out.append(reserving: 5 * t.count) { cfb_escape_text_into(p, t.count, $0) }
    }

    /// Appends `t` with `<`, `&` and `"` escaped (`cfb_escape_attribute_into`).
    static func escapeAttribute<S: ByteSink>(_ t: UnsafeBufferPointer<UInt8>, into out: inout S) {
        guard let p = t.baseAddress, t.count > 0 else { return }
        out.append(reserving: 6 * t.count) { cfb_escape_attribute_into(p, t.count, $0) }
    }
}
