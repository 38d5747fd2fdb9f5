import CFeedBytes

/// RFC 3986 resolution over UTF-8 bytes: the hot path of the sanitizer (every href/src of every item).
struct URLBytes {
    struct Parts {
        var scheme: Range<Int>?
        var authority: Range<Int>?
        var path: Range<Int>
        var query: Range<Int>?
        var fragment: Range<Int>?
    }

    static func split(_ s: UnsafeBufferPointer<UInt8>) -> Parts {
        // One pass: the first `#` starts the fragment; a `?` before it starts the query.
        var end = s.count
        var fragment: Range<Int>?
        var query: Range<Int>?
        var questionMark = -1
        var k = 0
        while k < end {
            let c = s[k]
            if c == UInt8(ascii: "#") {
                fragment = (k + 1)..<end
                end = k
                break
            }
            if c == UInt8(ascii: "?"), questionMark < 0 { questionMark = k }
            k += 1
        }
        if questionMark >= 0 {
            query = (questionMark + 1)..<end
            end = questionMark
        }
        var start = 0
        var scheme: Range<Int>?
        if end > 0, HTMLScanner.isAlpha(s[0]) {
            var j = 1
            while j < end {
                let c = s[j]
                if HTMLEntities.isAlnum(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") {
                    j += 1
                } else {
                    break
                }
            }
            if j < end, s[j] == UInt8(ascii: ":") {
                scheme = 0..<j
                start = j + 1
            }
        }
        var authority: Range<Int>?
        if start + 1 < end, s[start] == UInt8(ascii: "/"), s[start + 1] == UInt8(ascii: "/") {
            var j = start + 2
            while j < end, s[j] != UInt8(ascii: "/") { j += 1 }
            authority = (start + 2)..<j
            start = j
        }
        return Parts(scheme: scheme, authority: authority, path: start..<end, query: query, fragment: fragment)
    }

    /// Whether `s` starts with a scheme (`split` finds one: a letter, then letters, digits, `+`, `-`, `.`, then
    /// `:`) and needs no cleaning, so that resolving it against any base gives it back unchanged.
    static func isCleanAbsolute(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { isCleanAbsolute($0) }
    }

    /// `isCleanAbsolute` of the string these bytes are.
    static func isCleanAbsolute(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let f = u.first, HTMLScanner.isAlpha(f) else { return false }
        var j = 1
        while j < u.count {
            let c = u[j]
            if HTMLEntities.isAlnum(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") {
                j += 1
            } else {
                break
            }
        }
        return j < u.count && u[j] == UInt8(ascii: ":") && !needsCleaning(u)
    }

    /// Whether `s` needs cleaning (white space, quotes, angle brackets, backslashes).
    static func needsCleaning(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        // In C, sixteen bytes at a time (every URL an item gives goes through here).
        cfb_url_needs_cleaning(s.baseAddress, s.count) != 0
    }

    static func clean(_ s: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var lo = 0
        var hi = s.count
        while lo < hi, s[lo] <= 0x20 { lo += 1 }
        while hi > lo, s[hi - 1] <= 0x20 { hi -= 1 }
        var out: [UInt8] = []
        out.reserveCapacity(hi - lo + 8)
        for k in lo..<hi {
            let c = s[k]
            switch c {
            case 0x0A, 0x0D, 0x09: continue
            case 0x20: out.append(contentsOf: [0x25, 0x32, 0x30])
            case 0x22: out.append(contentsOf: [0x25, 0x32, 0x32])
            case 0x3C: out.append(contentsOf: [0x25, 0x33, 0x43])
            case 0x3E: out.append(contentsOf: [0x25, 0x33, 0x45])
            case 0x5C: out.append(0x2F)
            default: if c >= 0x20 { out.append(c) }
            }
        }
        return out
    }

    /// Whether `path` has a `.` or `..` segment (a dot inside a segment name, as in `a.jpg`, is not one).
    static func hasDotSegment(_ path: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = path.count
        var k = 0
        while k < n {
            if path[k] == UInt8(ascii: "."), k == 0 || path[k - 1] == UInt8(ascii: "/") {
                var e = k + 1
                if e < n, path[e] == UInt8(ascii: ".") { e += 1 }
                if e == n || path[e] == UInt8(ascii: "/") { return true }
            }
            k += 1
        }
        return false
    }

    /// Appends `path` with `.` and `..` segments removed: the same result as the array version below, written
    /// straight to `out` (segments kept are joined by `/` there; `..` cuts back to the last `/`).
    static func appendRemovingDots<S: ByteSink>(_ path: UnsafeBufferPointer<UInt8>, to out: inout S) {
        guard hasDotSegment(path) else {
            out.append(contentsOf: path)
            return
        }
        let n = path.count
        let absolute = n > 0 && path[0] == UInt8(ascii: "/")
        if absolute { out.append(UInt8(ascii: "/")) }
        let body = out.count
        var kept = 0
        var a = absolute ? 1 : 0
        while true {
            var b = a
            while b < n, path[b] != UInt8(ascii: "/") { b += 1 }
            let last = b == n
            let len = b - a
            if len == 1 && path[a] == UInt8(ascii: ".") {
                if last {
                    if kept > 0 { out.append(UInt8(ascii: "/")) }
                    kept += 1
                }
            } else if len == 2 && path[a] == UInt8(ascii: ".") && path[a + 1] == UInt8(ascii: ".") {
                if kept > 0 {
                    var k = out.count
                    while k > body, out[k - 1] != UInt8(ascii: "/") { k -= 1 }
                    // The last kept segment and the `/` before it (none before the first).
                    out.truncate(to: k > body ? k - 1 : body)
                    kept -= 1
                }
                if last {
                    if kept > 0 { out.append(UInt8(ascii: "/")) }
                    kept += 1
                }
            } else {
                if kept > 0 { out.append(UInt8(ascii: "/")) }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: path[a..<b]))
                kept += 1
            }
            if last { break }
            a = b + 1
        }
    }

    /// Appends `path` with `.` and `..` segments removed.
    static func appendRemovingDots(_ path: [UInt8], to out: inout [UInt8]) {
        guard path.contains(UInt8(ascii: ".")) else {
            out.append(contentsOf: path)
            return
        }
        var segments: [ArraySlice<UInt8>] = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        let absolute = path.first == UInt8(ascii: "/")
        if absolute { segments.removeFirst() }
        var kept: [ArraySlice<UInt8>] = []
        for (k, seg) in segments.enumerated() {
            let last = k == segments.count - 1
            if seg.count == 1 && seg.first == UInt8(ascii: ".") {
                if last { kept.append([]) }
            } else if seg.count == 2 && seg.first == UInt8(ascii: ".") && seg.last == UInt8(ascii: ".") {
                if !kept.isEmpty { kept.removeLast() }
                if last { kept.append([]) }
            } else {
                kept.append(seg)
            }
        }
        if absolute { out.append(UInt8(ascii: "/")) }
        for (k, seg) in kept.enumerated() {
            if k > 0 { out.append(UInt8(ascii: "/")) }
            out.append(contentsOf: seg)
        }
    }
}

/// A base URL split once, against which many references are resolved. A class, so the sanitizer's loops
/// pass it around without copying its fields. Resolution runs in C (`cfb_url_resolve`) on a copy of the
/// split base and writes to a scratch buffer, both owned here and freed in `deinit`; one thread at a time.
final class URLBase {
    let bytes: [UInt8]
    let parts: URLBytes.Parts
    let usable: Bool
    /// `scheme:`, then `//authority` when there is one (together: what every reference without its own scheme
    /// or authority starts with), then the base path through its last `/` (or `/` alone): what a relative
    /// path is appended to. One array; the counts below mark the parts.
    let prefix: [UInt8]
    /// `scheme:` is `prefix[..<schemeCount]`.
    let schemeCount: Int
    /// The origin (`scheme:` and `//authority`) is `prefix[..<originCount]`, the directory the rest.
    let originCount: Int
    /// The directory has a `.` or `..` segment, so merged paths must be rewritten.
    let directoryHasDots: Bool
    /// One allocation for C: the split as `cfb_url_resolve` takes it, the scratch buffer holding its last answer,
    /// then copies of `prefix` and `bytes` (which the split points into).
    private let storage: UnsafeMutableRawPointer
    private var split: UnsafeMutablePointer<cfb_url_base> { storage.assumingMemoryBound(to: cfb_url_base.self) }
    private var scratch: UnsafeMutablePointer<cfb_buf> {
        (storage + URLBase.scratchOffset).assumingMemoryBound(to: cfb_buf.self)
    }
    private static let scratchOffset = (MemoryLayout<cfb_url_base>.stride + 15) & ~15
    private static let bytesOffset = scratchOffset + ((MemoryLayout<cfb_buf>.stride + 15) & ~15)

    init?(_ base: String?) {
        guard let base, !base.isEmpty else { return nil }
        var b = Array(base.utf8)
        if b.withUnsafeBufferPointer({ URLBytes.needsCleaning($0) }) { b = b.withUnsafeBufferPointer { URLBytes.clean($0) } }
        bytes = b
        let parts = b.withUnsafeBufferPointer { URLBytes.split($0) }
        self.parts = parts
        usable = parts.scheme != nil
        var prefix: [UInt8] = []
        prefix.reserveCapacity(b.count + 2)
        if let s = parts.scheme {
            prefix.append(contentsOf: b[s])
            prefix.append(UInt8(ascii: ":"))
        }
        schemeCount = prefix.count
        if let a = parts.authority {
            prefix.append(contentsOf: [0x2F, 0x2F])
            prefix.append(contentsOf: b[a])
        }
        originCount = prefix.count
        let bp = b[parts.path]
        if parts.authority != nil && bp.isEmpty {
            prefix.append(UInt8(ascii: "/"))
        } else if let slash = bp.lastIndex(of: UInt8(ascii: "/")) {
            prefix.append(contentsOf: b[parts.path.lowerBound..<(slash + 1)])
        } else if parts.authority != nil {
            prefix.append(UInt8(ascii: "/"))
        }
        let originCount = self.originCount
        directoryHasDots = prefix.withUnsafeBufferPointer {
            URLBytes.hasDotSegment(UnsafeBufferPointer(rebasing: $0[originCount...]))
        }
        self.prefix = prefix
        storage = .allocate(byteCount: URLBase.bytesOffset + prefix.count + b.count, alignment: 16)
        let p = (storage + URLBase.bytesOffset).assumingMemoryBound(to: UInt8.self)
        prefix.withUnsafeBufferPointer { if let a = $0.baseAddress { p.initialize(from: a, count: $0.count) } }
        b.withUnsafeBufferPointer { if let a = $0.baseAddress { (p + prefix.count).initialize(from: a, count: $0.count) } }
        let bb = UnsafePointer(p + prefix.count)
        var c = cfb_url_base()
        c.prefix = UnsafePointer(p)
        c.scheme_count = schemeCount
        c.origin_count = originCount
        c.prefix_count = prefix.count
        c.path = bb + parts.path.lowerBound
        c.path_count = parts.path.count
        if let q = parts.query {
            c.query = bb + q.lowerBound
            c.query_count = q.count
            c.has_query = 1
        }
        c.usable = usable ? 1 : 0
        c.directory_has_dots = directoryHasDots ? 1 : 0
        storage.initializeMemory(as: cfb_url_base.self, repeating: c, count: 1)
        (storage + URLBase.scratchOffset).initializeMemory(as: cfb_buf.self, repeating: cfb_buf(), count: 1)
    }

    deinit {
        cfb_buf_free(scratch)
        storage.deallocate()
    }

    /// Resolves `ref` into `scratch` and returns its bytes (valid until the next call).
    private func resolved(_ ref: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        cfb_buf_clear(scratch)
        cfb_url_resolve(split, ref.baseAddress, ref.count, scratch)
        return UnsafeBufferPointer(start: scratch.pointee.bytes, count: scratch.pointee.count)
    }

    /// Appends `ref` resolved against this base to `out`.
    func resolve<S: ByteSink>(_ refRaw: UnsafeBufferPointer<UInt8>, into out: inout S) {
        out.append(contentsOf: resolved(refRaw))
    }

    /// `resolve(_:into:)` in Swift, as it was before `cfb_url_resolve` (kept for the tests that hold both to
    /// the same bytes).
    func resolveInSwift<S: ByteSink>(_ refRaw: UnsafeBufferPointer<UInt8>, into out: inout S) {
        if URLBytes.needsCleaning(refRaw) {
            URLBytes.clean(refRaw).withUnsafeBufferPointer { resolveClean($0, into: &out) }
        } else {
            resolveClean(refRaw, into: &out)
        }
    }

    private func resolveClean<S: ByteSink>(_ ref: UnsafeBufferPointer<UInt8>, into out: inout S) {
        let rp = URLBytes.split(ref)
        if rp.scheme != nil || !usable {
            out.append(contentsOf: ref)
            return
        }
        prefix.withUnsafeBufferPointer { p in
            if let a = rp.authority {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: p[..<schemeCount]))
                out.append(literal: "//")
                out.append(contentsOf: UnsafeBufferPointer(rebasing: ref[a]))
                URLBytes.appendRemovingDots(UnsafeBufferPointer(rebasing: ref[rp.path]), to: &out)
                if let q = rp.query {
                    out.append(UInt8(ascii: "?"))
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: ref[q]))
                }
            } else if rp.path.isEmpty {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: p[..<originCount]))
                bytes.withUnsafeBufferPointer { b in
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: b[parts.path]))
                    if let q = rp.query {
                        out.append(UInt8(ascii: "?"))
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: ref[q]))
                    } else if let q = parts.query {
                        out.append(UInt8(ascii: "?"))
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: b[q]))
                    }
                }
            } else {
                // The merged path is written straight to `out`; only a path with `.`/`..` segments is taken back
                // out and rewritten. The directory ends in `/` (or is empty), so the merged path has such a
                // segment only when the directory or the reference's own path has one.
                let refPath = UnsafeBufferPointer(rebasing: ref[rp.path])
                var dots = URLBytes.hasDotSegment(refPath)
                let start: Int
                if refPath[0] != UInt8(ascii: "/") {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: p[..<originCount]))
                    start = out.count
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: p[originCount...]))
                    dots = dots || directoryHasDots
                } else {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: p[..<originCount]))
                    start = out.count
                }
                out.append(contentsOf: refPath)
                if dots {
                    var merged: [UInt8] = []
                    merged.reserveCapacity(out.count - start)
                    for k in start..<out.count { merged.append(out[k]) }
                    out.truncate(to: start)
                    merged.withUnsafeBufferPointer { URLBytes.appendRemovingDots($0, to: &out) }
                }
                if let q = rp.query {
                    out.append(UInt8(ascii: "?"))
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: ref[q]))
                }
            }
        }
        if let f = rp.fragment {
            out.append(UInt8(ascii: "#"))
            out.append(contentsOf: UnsafeBufferPointer(rebasing: ref[f]))
        }
    }

    func resolve(_ ref: String) -> String {
        var r = ref
        return r.withUTF8 { String(decoding: resolved($0), as: UTF8.self) }
    }
}
