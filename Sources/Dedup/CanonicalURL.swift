import Foundation

extension Deduplicator {
    /// Query parameters that only track the reader, never select content.
    static let trackingParameters: Set<String> = [
        "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid", "_ga", "_gl",
        "ref", "ref_src", "ref_url", "cmpid", "ocid", "spm", "smid", "soc_src", "soc_trk", "src", "share",
        "amp", "output", "page",
    ]

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
