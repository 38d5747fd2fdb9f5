import Foundation

extension Deduplicator {
    /// Query parameters that only track the reader, never select content.
    static let trackingParameters: Set<String> = [
        "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid", "_ga", "_gl",
        "ref", "ref_src", "ref_url", "cmpid", "ocid", "spm", "smid", "soc_src", "soc_trk", "src", "share",
        "amp", "output", "page",
    ]

    /// True when both links canonicalize to the same string. Most pairs of links differ in their path, which
    /// canonicalization never changes apart from trailing slashes: that is checked on bytes first.
    public static func sameCanonicalURL(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        var a = a
        var b = b
        let pathsDiffer = a.withUTF8 { x in
            b.withUTF8 { y in
                guard let p = pathBytes(x), let q = pathBytes(y) else { return false }
                return !p.elementsEqual(q)
            }
        }
        if pathsDiffer { return false }
        return canonicalURL(a) == canonicalURL(b)
    }

    /// The path of a link exactly as `canonicalURL` keeps it (after the first `://` and the host, before the
    /// first `?` or `#`, trailing slashes dropped); nil when the link starts or ends with whitespace or non-ASCII
    /// bytes (canonicalization trims Unicode whitespace: the caller compares canonical forms instead).
    private static func pathBytes(_ url: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        guard let first = url.first, let last = url.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80
        else { return nil }
        var stop = 0
        while stop < url.count && url[stop] != UInt8(ascii: "?") && url[stop] != UInt8(ascii: "#") { stop += 1 }
        var start = 0
        var i = 0
        while i + 2 < stop {
            if url[i] == UInt8(ascii: ":") && url[i + 1] == UInt8(ascii: "/") && url[i + 2] == UInt8(ascii: "/") {
                start = i + 3
                break
            }
            i += 1
        }
        var slash = start
        while slash < stop && url[slash] != UInt8(ascii: "/") { slash += 1 }
        while stop > slash && url[stop - 1] == UInt8(ascii: "/") { stop -= 1 }
        return UnsafeBufferPointer(rebasing: url[slash..<stop])
    }

    /// A link with its fragment, tracking parameters (`utm_*` and others), `www.` and trailing slash
    /// removed, scheme and host lower-cased; two links to the same article compare equal.
    public static func canonicalURL(_ url: String) -> String {
        var s = Substring(url).trimmingPrefixAndSuffixWhitespace()
        if let hash = s.firstIndex(of: "#") { s = s[s.startIndex..<hash] }
        var query: Substring = ""
        if let q = s.firstIndex(of: "?") {
            query = s[s.index(after: q)...]
            s = s[s.startIndex..<q]
        }
        var scheme: Substring = ""
        var rest = s
        if let r = s.range(of: "://") {
            scheme = s[s.startIndex..<r.lowerBound]
            rest = s[r.upperBound...]
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var host = rest[rest.startIndex..<slash].lowercased()
        if host.hasPrefix("www.") { host.removeFirst(4) }
        var path = rest[slash...]
        while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        if path == "/" { path = "" }
        let kept = query.split(separator: "&").filter { pair in
            let name = pair.split(separator: "=", maxSplits: 1).first.map { $0.lowercased() } ?? ""
            return !name.isEmpty && !name.hasPrefix("utm_") && !trackingParameters.contains(name)
        }.sorted()
        var out = scheme.isEmpty ? "" : scheme.lowercased() + "://"
        out += host + path
        if !kept.isEmpty { out += "?" + kept.joined(separator: "&") }
        return out
    }
}
