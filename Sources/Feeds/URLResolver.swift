/// RFC 3986 reference resolution on strings (feeds carry URLs Foundation's `URL` refuses: spaces, raw
/// Unicode, stray characters), so relative links, `xml:base` and HTML `href`/`src` resolve the way browsers do.
enum URLResolver {
    struct Parts {
        var scheme: Substring?
        var authority: Substring?
        var path: Substring
        var query: Substring?
        var fragment: Substring?
    }

    static func split(_ s: Substring) -> Parts {
        var rest = s
        var fragment: Substring?
        if let h = rest.firstIndex(of: "#") {
            fragment = rest[rest.index(after: h)...]
            rest = rest[..<h]
        }
        var query: Substring?
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var scheme: Substring?
        if let colon = rest.firstIndex(of: ":") {
            let candidate = rest[..<colon]
            if let f = candidate.first, f.isASCII, f.isLetter,
                candidate.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") })
            {
                scheme = candidate
                rest = rest[rest.index(after: colon)...]
            }
        }
        var authority: Substring?
        if rest.hasPrefix("//") {
            let a = rest.dropFirst(2)
            let end = a.firstIndex(of: "/") ?? a.endIndex
            authority = a[..<end]
            rest = a[end...]
        }
        return Parts(scheme: scheme, authority: authority, path: rest, query: query, fragment: fragment)
    }

    static func join(_ p: Parts) -> String {
        var out = ""
        if let s = p.scheme { out += s + ":" }
        if let a = p.authority { out += "//" + a }
        out += p.path
        if let q = p.query { out += "?" + q }
        if let f = p.fragment { out += "#" + f }
        return out
    }

    static func removeDotSegments(_ path: Substring) -> String {
        guard path.contains(".") else { return String(path) }
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let absolute = path.hasPrefix("/")
        for (k, seg) in segments.enumerated() {
            if k == 0 && absolute { continue }
            if seg == "." {
                if k == segments.count - 1 { output.append("") }
            } else if seg == ".." {
                if !output.isEmpty { output.removeLast() }
                if k == segments.count - 1 { output.append("") }
            } else {
                output.append(seg)
            }
        }
        return (absolute ? "/" : "") + output.joined(separator: "/")
    }

    /// Trims white space and percent-encodes the characters that cannot appear in a URL as is.
    static func clean(_ s: String) -> Substring {
        var needs = false
        for u in s.utf8 where u <= 0x20 || u == 0x22 || u == 0x3C || u == 0x3E || u == 0x5C {
            needs = true
            break
        }
        guard needs else { return Substring(s) }
        var out = ""
        for ch in s.trimmingASCIISpace() {
            switch ch {
            case "\n", "\r", "\t": continue
            case " ": out += "%20"
            case "\"": out += "%22"
            case "<": out += "%3C"
            case ">": out += "%3E"
            case "\\": out += "/"
            default: out.append(ch)
            }
        }
        return Substring(out)
    }

    /// `ref` resolved against `base`; `ref` unchanged (cleaned) when there is no usable base.
    static func resolve(_ ref: String, against base: String?) -> String {
        guard let b = URLBase(base) else {
            var r = ref
            return r.withUTF8 { u in
                URLBytes.needsCleaning(u) ? String(decoding: URLBytes.clean(u), as: UTF8.self) : ref
            }
        }
        return b.resolve(ref)
    }

    /// Whether `s` is an absolute http(s) URL.
    static func isHTTP(_ s: String) -> Bool {
        let l = s.utf8.prefix(8)
        return l.starts(with: "http://".utf8) || l.starts(with: "https://".utf8)
            || s.lowercased().hasPrefix("http://") || s.lowercased().hasPrefix("https://")
    }
}

/// The canonical form of a link, used for item identity and exact-duplicate detection.
public enum URLCanonicalizer {
    /// Query parameters that only track the click, never select content.
    static let trackingParameters: Set<String> = [
        "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga", "_gl",
        "twclid", "ttclid", "wt.mc_id", "ocid", "cmpid", "spm", "_hsenc", "_hsmi", "mkt_tok", "ref_src",
    ]

    /// Lower-cases scheme and host, drops the default port, the fragment and tracking parameters
    /// (`utm_*`, `fbclid`, `gclid`, ...), and gives an empty path as `/`.
    public static func canonical(_ url: String) -> String {
        var p = URLResolver.split(URLResolver.clean(url))
        guard let scheme = p.scheme?.lowercased() else { return String(URLResolver.clean(url)) }
        p.scheme = Substring(scheme)
        p.fragment = nil
        if var a = p.authority {
            let hostStart = a.lastIndex(of: "@").map { a.index(after: $0) } ?? a.startIndex
            var host = a[hostStart...].lowercased()
            if host.hasSuffix(":80"), scheme == "http" { host.removeLast(3) }
            if host.hasSuffix(":443"), scheme == "https" { host.removeLast(4) }
            if host.hasSuffix(".") { host.removeLast() }
            a = a[..<hostStart] + host
            p.authority = a
            if p.path.isEmpty { p.path = "/" }
        }
        if let q = p.query {
            let kept = q.split(separator: "&").filter { pair in
                let name = (pair.split(separator: "=", maxSplits: 1).first ?? "").lowercased()
                return !name.hasPrefix("utm_") && !trackingParameters.contains(name)
            }
            p.query = kept.isEmpty ? nil : Substring(kept.joined(separator: "&"))
        }
        return URLResolver.join(p)
    }
}

extension StringProtocol {
    /// The string without leading and trailing ASCII white space.
    func trimmingASCIISpace() -> SubSequence { trimmingASCIISpaceByCharacter() }

    func trimmingASCIISpaceByCharacter() -> SubSequence {
        var s = self[...]
        while let f = s.first, f == " " || f == "\n" || f == "\t" || f == "\r" || f == "\r\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\n" || l == "\t" || l == "\r" || l == "\r\n" { s = s.dropLast() }
        return s
    }
}

extension String {
    /// Whether the string's UTF-8 is exactly `b` (a count check first: most candidates differ in length).
    @inline(__always)
    func hasUTF8(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard utf8.count == b.count else { return false }
        let same: Bool? = utf8.withContiguousStorageIfAvailable { u in
            guard let p = u.baseAddress, let q = b.baseAddress else { return u.count == 0 }
            return bytesEqual(p, q, count: u.count)
        }
        return same ?? false
    }
}

extension Substring {
    /// The substring without leading and trailing ASCII white space, found on UTF-8 bytes. A trimmed space next
    /// to a non-ASCII byte might belong to a larger grapheme (" \u{301}"), so then the Character-level loop
    /// decides, exactly as before.
    func trimmingASCIISpace() -> Substring {
        let u = utf8
        var lo = u.startIndex
        var hi = u.endIndex
        @inline(__always) func ws(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D }
        while lo < hi, ws(u[lo]) { lo = u.index(after: lo) }
        while hi > lo, ws(u[u.index(before: hi)]) { hi = u.index(before: hi) }
        if lo == u.startIndex && hi == u.endIndex { return self }
        let leadSafe = lo == u.startIndex || lo == hi || u[lo] < 0x80
        let trailSafe = hi == u.endIndex || hi == lo || u[u.index(before: hi)] < 0x80
        if leadSafe && trailSafe { return self[lo..<hi] }
        return trimmingASCIISpaceByCharacter()
    }
}

extension String {
    /// The string without leading and trailing ASCII white space (see `Substring.trimmingASCIISpace`).
    func trimmingASCIISpace() -> Substring { self[...].trimmingASCIISpace() }
}

/// Whether the `count` bytes at `p` and `q` are the same, eight at a time (short strings: no call to `memcmp`).
@inline(__always)
func bytesEqual(_ p: UnsafePointer<UInt8>, _ q: UnsafePointer<UInt8>, count n: Int) -> Bool {
    let pr = UnsafeRawPointer(p)
    let qr = UnsafeRawPointer(q)
    var k = 0
    while k + 8 <= n {
        guard pr.loadUnaligned(fromByteOffset: k, as: UInt64.self) == qr.loadUnaligned(fromByteOffset: k, as: UInt64.self)
        else { return false }
        k += 8
    }
    while k < n {
        guard p[k] == q[k] else { return false }
        k += 1
    }
    return true
}
