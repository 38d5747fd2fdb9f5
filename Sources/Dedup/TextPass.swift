/// The fingerprint's hot path: one pass over a text's UTF-8 bytes that applies exactly the line rules of
/// `TextNormalizer.normalize` and feeds each kept word straight into the line hash, the text hash and the
/// k-word shingle hashes, so no normalized text, per-line `String` or per-word array is built.
///
/// A line is taken one of two ways, with the same result (`bench-dedup verify` and `TextPassTests` check):
/// - fast: after the first three content lines, an ASCII line that starts with no boilerplate prefix and
///   no "(": words are hashed as the bytes are scanned. A "|" or a non-ASCII byte sends the line back
///   to the careful way.
/// - careful: the `normalize` rules as written (line end, trim, boilerplate patterns, datelines), then
///   the byte-level ASCII word loop or, for a non-ASCII line, the Foundation-based `Tokenizer`.
///
/// A line's words are taken speculatively and rolled back when the line is dropped (too few words,
/// learned boilerplate). Owns its buffers: call `deallocate()` when done.
struct TextPass {
    /// The running state a dropped line rolls back.
    struct Stream {
        /// Kept words so far.
        var count = 0
        /// Shingles so far.
        var shingleCount = 0
        /// Rotate-xor hash of the last k words (see `Shingles.hashes`).
        var rolling: UInt64 = 0
        /// `Hashing.combine` chain over the kept words.
        var textHash: UInt64 = 0x7465_7874
        /// Multiply-xor chain of the current line's words (`TextNormalizer.lineHash` before its mix).
        var lineHash: UInt64 = lineSeed
    }

    static let lineSeed: UInt64 = 0x6C69_6E65

    let k: Int
    let rotation: UInt32
    let tag: UInt64
    let minLineWords: Int
    /// False: only line hashes are wanted (no text hash, no shingles).
    let shingling: Bool

    /// Word hashes, with `k` zero words before index 0 so the rolling hash needs no branch.
    private(set) var base: UnsafeMutablePointer<UInt64>
    /// Shingle hashes, in text order.
    private(set) var shingleBase: UnsafeMutablePointer<UInt64>
    private var capacity: Int
    var stream = Stream()
    /// Hash of each kept line (before learned-boilerplate removal), in order.
    var lineHashes: [UInt64] = []
    /// A learned-boilerplate line was dropped before the third content line (the line hashes of the
    /// same text without the model may then differ: datelines are only looked for in the first three).
    var droppedLearnedEarly = false
    private var tokenizer: Tokenizer?

    init(settings: DedupSettings, bytes: Int, shingling: Bool) {
        k = max(1, settings.shingleSize)
        rotation = UInt32(k % 64)
        tag = UInt64(k)
        minLineWords = settings.minLineWords
        self.shingling = shingling
        capacity = bytes / 2 + 2
        base = .allocate(capacity: capacity + k)
        base.initialize(repeating: 0, count: k)
        shingleBase = .allocate(capacity: capacity + 1)
        lineHashes.reserveCapacity(16)
    }

    func deallocate() {
        base.deallocate()
        shingleBase.deallocate()
    }

    /// Kept word hashes.
    var tokens: UnsafeBufferPointer<UInt64> { UnsafeBufferPointer(start: base + k, count: stream.count) }

    /// Shingle hashes (after `finish()`).
    var shingles: UnsafeBufferPointer<UInt64> { UnsafeBufferPointer(start: shingleBase, count: stream.shingleCount) }

    /// The text hash as stored: 0 for an empty text.
    var textHash: UInt64 { stream.count == 0 ? 0 : stream.textHash }

    /// Makes room for `extra` more words.
    private mutating func reserve(_ extra: Int) {
        guard stream.count + extra > capacity else { return }
        let newCapacity = max(capacity * 2, stream.count + extra)
        let newBase = UnsafeMutablePointer<UInt64>.allocate(capacity: newCapacity + k)
        newBase.initialize(from: base, count: k + stream.count)
        base.deallocate()
        base = newBase
        let newShingles = UnsafeMutablePointer<UInt64>.allocate(capacity: newCapacity + 1)
        newShingles.initialize(from: shingleBase, count: stream.shingleCount)
        shingleBase.deallocate()
        shingleBase = newShingles
        capacity = newCapacity
    }

    // MARK: - Words

    /// Byte classes for the word loops: the folded word byte (letters lower-cased, digits) or 0 for a
    /// separator; in `fastClasses` 1 marks a byte the fast path stops at (line breaks, "|", non-ASCII).
    static let plainClasses: [UInt8] = (0..<256).map { b in
        switch b {
        case 0x30...0x39, 0x61...0x7A: UInt8(b)
        case 0x41...0x5A: UInt8(b) | 0x20
        default: 0
        }
    }
    static let fastClasses: [UInt8] = (0..<256).map { b in
        b == 0x0A || b == 0x0D || b == 0x7C || b >= 0x80 ? 1 : plainClasses[b]
    }

    /// Takes one word hash (the body of both word loops).
    @inline(__always)
    private static func absorb(
        _ t: UInt64, _ s: inout Stream, words: UnsafeMutablePointer<UInt64>, shingles: UnsafeMutablePointer<UInt64>,
        k: Int, rotation: UInt32, tag: UInt64, shingling: Bool
    ) {
        words[s.count] = t
        s.count += 1
        s.lineHash = (s.lineHash ^ t) &* 0x9E37_79B9_7F4A_7C15
        guard shingling else { return }
        s.textHash = Hashing.combine(s.textHash, t)
        s.rolling = Shingles.rotl(s.rolling, 1) ^ t ^ Shingles.rotl(words[s.count - 1 - k], rotation)
        if s.count >= k {
            shingles[s.shingleCount] = Hashing.mix(s.rolling ^ tag)
            s.shingleCount += 1
        }
    }

    /// Hashes the ASCII words of p[from..<to] (FNV-1a, then mixed: `Hashing.bytes` of the folded word)
    /// and stops early at a byte of class 1. The caller has reserved room for (to - from + 1) / 2 words.
    /// - Returns: where it stopped: `to`, or the index of the class-1 byte.
    @inline(__always)
    private mutating func words(
        _ p: UnsafePointer<UInt8>, from: Int, to: Int, classes: UnsafePointer<UInt8>
    ) -> Int {
        var s = stream
        let words = base + k
        let shingles = shingleBase
        let k = self.k
        let rotation = self.rotation
        let tag = self.tag
        let shingling = self.shingling
        var h = Hashing.fnvOffset
        var inWord = false
        var i = from
        while i < to {
            let c = classes[Int(p[i])]
            if c >= 0x30 {
                h = (h ^ UInt64(c)) &* Hashing.fnvPrime
                inWord = true
            } else {
                if inWord {
                    Self.absorb(
                        Hashing.mix(h), &s, words: words, shingles: shingles, k: k, rotation: rotation, tag: tag,
                        shingling: shingling)
                    h = Hashing.fnvOffset
                    inWord = false
                }
                if c == 1 { break }
            }
            i += 1
        }
        if inWord {
            Self.absorb(
                Hashing.mix(h), &s, words: words, shingles: shingles, k: k, rotation: rotation, tag: tag,
                shingling: shingling)
        }
        stream = s
        return i
    }

    /// Takes word hashes made by the general tokenizer.
    private mutating func absorb(_ hashes: [UInt64]) {
        reserve(hashes.count)
        var s = stream
        for t in hashes {
            Self.absorb(
                t, &s, words: base + k, shingles: shingleBase, k: k, rotation: rotation, tag: tag,
                shingling: shingling)
        }
        stream = s
    }

    // MARK: - Lines

    /// Runs the line rules over a whole text.
    mutating func scan(_ text: String, boilerplate: BoilerplateModel?) {
        var text = text
        text.withUTF8 { buf in
            guard let p = buf.baseAddress, buf.count > 0 else { return }
            Self.fastClasses.withUnsafeBufferPointer { fast in
                Self.plainClasses.withUnsafeBufferPointer { plain in
                    // Both tables are 256 entries: the base addresses are never nil.
                    guard let fast = fast.baseAddress, let plain = plain.baseAddress else { return }
                    scan(buf, p, fast: fast, plain: plain, boilerplate: boilerplate)
                }
            }
        }
        if shingling && stream.count > 0 && stream.count < k {
            // Shorter than one shingle: one shingle of all its words (`Shingles.hashes`).
            shingleBase[0] = Hashing.mix(stream.rolling ^ UInt64(stream.count))
            stream.shingleCount = 1
        }
    }

    private mutating func scan(
        _ buf: UnsafeBufferPointer<UInt8>, _ p: UnsafePointer<UInt8>, fast: UnsafePointer<UInt8>,
        plain: UnsafePointer<UInt8>, boilerplate: BoilerplateModel?
    ) {
        let n = buf.count
        var next = 0
        var contentLines = 0
        while next < n {
            if contentLines >= 3 && minLineWords >= 1 {
                var lo = next
                while lo < n && Bytes.isSpace(p[lo]) { lo += 1 }
                guard lo < n else { return }
                let b = p[lo]
                if b == 0x0A || b == 0x0D {
                    next = lo + 1
                    continue
                }
                if b < 0x80 && b != 0x28 && !Self.mayStartBoilerplate(p, lo, n) {
                    reserve((n - lo + 1) / 2)
                    let saved = stream
                    stream.lineHash = Self.lineSeed
                    let stop = words(p, from: lo, to: n, classes: fast)
                    if stop == n || p[stop] == 0x0A || p[stop] == 0x0D {
                        next = stop + 1
                        finishLine(saved, boilerplate: boilerplate, contentLines: &contentLines)
                        continue
                    }
                    stream = saved
                }
            }
            next = carefulLine(buf, p, from: next, plain: plain, boilerplate: boilerplate, contentLines: &contentLines)
        }
    }

    /// Keeps or drops the line just scanned (`saved` is the state before it).
    @inline(__always)
    private mutating func finishLine(_ saved: Stream, boilerplate: BoilerplateModel?, contentLines: inout Int) {
        if stream.count - saved.count < minLineWords {
            stream = saved
            return
        }
        let lineHash = Hashing.mix(stream.lineHash)
        lineHashes.append(lineHash)
        if let boilerplate, boilerplate.isBoilerplate(lineHash) {
            stream = saved
            if contentLines < 3 { droppedLearnedEarly = true }
            return
        }
        contentLines += 1
    }

    /// True when the line at lo could start with a known boilerplate prefix (then it takes the careful
    /// way, which decides). Compares up to the end of the text: a prefix never holds a line break.
    @inline(__always)
    static func mayStartBoilerplate(_ p: UnsafePointer<UInt8>, _ lo: Int, _ n: Int) -> Bool {
        for prefix in Bytes.prefixesByFirstByte[Int(Bytes.lower(p[lo]))] where prefix.count <= n - lo {
            var j = 1
            while j < prefix.count && Bytes.lower(p[lo + j]) == prefix[j] { j += 1 }
            if j == prefix.count { return true }
        }
        return false
    }

    /// One line by the `normalize` rules as written.
    /// - Returns: where the next line starts.
    private mutating func carefulLine(
        _ buf: UnsafeBufferPointer<UInt8>, _ p: UnsafePointer<UInt8>, from start: Int, plain: UnsafePointer<UInt8>,
        boilerplate: BoilerplateModel?, contentLines: inout Int
    ) -> Int {
        let n = buf.count
        var lo = start
        var hi = lo
        while hi < n && p[hi] != 0x0A && p[hi] != 0x0D { hi += 1 }
        let next = hi + 1
        Bytes.trim(buf, &lo, &hi)
        if lo >= hi { return next }
        if Bytes.isPatternBoilerplate(buf, lo, hi) {
            guard contentLines < 3, let rest = Bytes.datelineEnd(buf, lo, hi),
                Bytes.wordCount(buf, rest, hi, limit: 8) >= 8, !Bytes.isPatternBoilerplate(buf, rest, hi)
            else { return next }
            lo = rest
        } else if contentLines < 3, let rest = Bytes.datelineEnd(buf, lo, hi) {
            lo = rest
        }
        let saved = stream
        stream.lineHash = Self.lineSeed
        var ascii = true
        for i in lo..<hi where p[i] >= 0x80 {
            ascii = false
            break
        }
        if ascii {
            reserve((hi - lo + 1) / 2)
            _ = words(p, from: lo, to: hi, classes: plain)
        } else {
            var hashes: [UInt64] = []
            var none: [String]? = nil
            if tokenizer == nil { tokenizer = Tokenizer() }
            tokenizer?.tokenize(UnsafeBufferPointer(rebasing: buf[lo..<hi]), into: &hashes, words: &none)
            absorb(hashes)
        }
        finishLine(saved, boilerplate: boilerplate, contentLines: &contentLines)
        return next
    }

    /// The distinct line hashes in first-seen order (`Deduplicator.lineHashes(of:)`).
    static func distinct(_ hashes: [UInt64]) -> [UInt64] {
        guard hashes.count > 48 else {
            var out: [UInt64] = []
            out.reserveCapacity(hashes.count)
            for h in hashes where !out.contains(h) { out.append(h) }
            return out
        }
        var seen = Set<UInt64>()
        return hashes.filter { seen.insert($0).inserted }
    }
}
