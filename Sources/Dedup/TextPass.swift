import Foundation

/// The fingerprint's hot path: one pass over a text's UTF-8 bytes that applies exactly the line rules of
/// `TextNormalizer.normalize` and feeds each kept line's words into the line hash, the text hash and the
/// k-word shingle hashes, so no normalized text, per-line `String` or per-word array is built.
///
/// A line is taken one of two ways, with the same result (`bench-dedup verify` and `TextPassTests` check):
/// - fast: an ASCII line with no "|" or CR that starts with no boilerplate prefix and no "(" (and, among
///   the first three content lines, has no "-" in its first 140 bytes, so no dateline): no rule can apply
///   but the word count, so its words are hashed.
/// - careful: the `normalize` rules as written (line end, trim, boilerplate patterns, datelines), then
///   the same ASCII word hashing or, for a non-ASCII line, the Foundation-based `Tokenizer`.
///
/// ASCII words are hashed branch-free in two interleaved halves of the line (FNV-1a states stored at
/// every byte, the write index advancing at word ends), which avoids a mispredicted branch per word and
/// overlaps the two multiply chains; then each word is mixed (`Hashing.bytes`), the line is kept or
/// dropped, and the kept words extend the text hash and the shingles. Owns its buffers: call
/// `deallocate()` when done.
struct TextPass {
    /// The running state over kept lines.
    struct Stream {
        /// Kept words so far.
        var count = 0
        /// Shingles so far.
        var shingleCount = 0
        /// Rotate-xor hash of the last k words (see `Shingles.hashes`).
        var rolling: UInt64 = 0
        /// `Hashing.combine` chain over the kept words.
        var textHash: UInt64 = 0x7465_7874
        /// Distinct shingles so far (while they fit the table).
        var distinct = 0
    }

    static let lineSeed: UInt64 = 0x6C69_6E65

    let k: Int
    let rotation: UInt32
    let tag: UInt64
    let minLineWords: Int
    /// False: only line hashes are wanted (no text hash, no shingles).
    let shingling: Bool
    /// False: `lineHashes` stays empty (the fingerprint alone does not need them).
    let collectsLines: Bool

    /// Word hashes, with `k` zero words before index 0 so the rolling hash needs no branch.
    private var base: UnsafeMutablePointer<UInt64>
    /// Shingle hashes, in text order.
    private var shingleBase: UnsafeMutablePointer<UInt64>
    /// Room for words (and shingles) in `base` and `shingleBase`.
    private var capacity: Int
    /// Per-line scratch for raw word states: two halves of `scratchCapacity`.
    private var scratch: UnsafeMutablePointer<UInt64>
    private var scratchCapacity: Int
    var stream = Stream()
    /// Hash of each kept line (before learned-boilerplate removal), in order.
    var lineHashes: [UInt64] = []
    /// A learned-boilerplate line was dropped before the third content line (the line hashes of the
    /// same text without the model may then differ: datelines are only looked for in the first three).
    var droppedLearnedEarly = false
    private var tokenizer: Tokenizer?

    /// MinHash bins (`permutations` of them) and whether each got a value, filled as shingles are made.
    let bins: UnsafeMutablePointer<UInt32>
    let filled: UnsafeMutablePointer<Bool>
    let binCount: Int

    /// Open-addressing set of the shingles seen (1-based indices into the shingles; 0 is empty), at
    /// most a quarter full while `stream.shingleCount <= tableLimit`; past that `distinctShingles`
    /// counts afresh.
    private let table: UnsafeMutablePointer<UInt16>
    private let tableMask: Int
    private let tableLimit: Int

    /// The one allocation everything starts in (a buffer that outgrows it moves to its own).
    private let block: UnsafeMutableRawPointer
    private var ownsWords = false
    private var ownsScratch = false

    init(settings: DedupSettings, bytes: Int, shingling: Bool, collectsLines: Bool = true) {
        k = max(1, settings.shingleSize)
        rotation = UInt32(k % 64)
        tag = UInt64(k)
        minLineWords = settings.minLineWords
        self.shingling = shingling
        self.collectsLines = collectsLines
        capacity = bytes / 4 + 16
        scratchCapacity = min(bytes / 2 + 2, 1024)
        binCount = shingling ? max(1, settings.permutations) : 0
        let shingleRoom = shingling ? capacity + 1 : 0
        var slots = 0
        if shingling {
            slots = 64
            while slots < 4 * capacity { slots <<= 1 }
        }
        tableMask = slots - 1
        tableLimit = min(slots / 4, Int(UInt16.max) - 1)
        let words = capacity + k + shingleRoom + 2 * scratchCapacity
        block = .allocate(byteCount: 8 * words + 4 * binCount + 2 * slots + binCount, alignment: 8)
        base = block.bindMemory(to: UInt64.self, capacity: words)
        base.initialize(repeating: 0, count: k)
        shingleBase = base + capacity + k
        scratch = shingleBase + shingleRoom
        var offset = 8 * words
        bins = (block + offset).bindMemory(to: UInt32.self, capacity: binCount)
        bins.initialize(repeating: MinHasher.empty, count: binCount)
        offset += 4 * binCount
        table = (block + offset).bindMemory(to: UInt16.self, capacity: slots)
        table.initialize(repeating: 0, count: slots)
        offset += 2 * slots
        filled = (block + offset).bindMemory(to: Bool.self, capacity: binCount)
        filled.initialize(repeating: false, count: binCount)
        if collectsLines { lineHashes.reserveCapacity(16) }
    }

    func deallocate() {
        if ownsWords {
            base.deallocate()
            shingleBase.deallocate()
        }
        if ownsScratch { scratch.deallocate() }
        block.deallocate()
    }

    /// Distinct shingles (after `scan`): as counted on the way, or afresh if they outgrew the table.
    var distinctShingles: Int {
        stream.shingleCount <= tableLimit ? stream.distinct : Shingles.distinctCount(shingles)
    }

    /// Adds shingle number `index` to the set of distinct shingles (as `Shingles.distinctCount` counts:
    /// 0 and 1 are one value).
    @inline(__always)
    private static func insert(
        _ shingle: UInt64, index: Int, _ s: inout Stream, table: UnsafeMutablePointer<UInt16>, mask: Int,
        shingles: UnsafeMutablePointer<UInt64>
    ) {
        let key = shingle == 0 ? 1 : shingle
        var i = Int(truncatingIfNeeded: key >> 7) & mask
        while true {
            let slot = table[i]
            if slot == 0 {
                table[i] = UInt16(truncatingIfNeeded: index + 1)
                s.distinct += 1
                return
            }
            let other = shingles[Int(slot) - 1]
            if (other == 0 ? 1 : other) == key { return }
            i = (i + 1) & mask
        }
    }

    /// The MinHash signature of the shingles (after `scan`).
    func signature(_ hasher: MinHasher) -> [UInt32] {
        hasher.signature(
            bins: UnsafeBufferPointer(start: bins, count: binCount),
            filled: UnsafeBufferPointer(start: filled, count: binCount), count: stream.shingleCount)
    }

    /// Kept word hashes.
    var tokens: UnsafeBufferPointer<UInt64> { UnsafeBufferPointer(start: base + k, count: stream.count) }

    /// Shingle hashes (complete after `scan`).
    var shingles: UnsafeBufferPointer<UInt64> { UnsafeBufferPointer(start: shingleBase, count: stream.shingleCount) }

    /// The text hash as stored: 0 for an empty text.
    var textHash: UInt64 { stream.count == 0 ? 0 : stream.textHash }

    /// Makes room for `extra` more words after the kept ones.
    private mutating func reserve(_ extra: Int) {
        guard stream.count + extra > capacity else { return }
        let newCapacity = max(capacity * 2, stream.count + extra)
        let newBase = UnsafeMutablePointer<UInt64>.allocate(capacity: newCapacity + k)
        newBase.initialize(from: base, count: k + stream.count)
        let newShingles = UnsafeMutablePointer<UInt64>.allocate(capacity: shingling ? newCapacity + 1 : 1)
        newShingles.initialize(from: shingleBase, count: stream.shingleCount)
        if ownsWords {
            base.deallocate()
            shingleBase.deallocate()
        }
        base = newBase
        shingleBase = newShingles
        ownsWords = true
        capacity = newCapacity
    }

    /// Makes room for the raw words of a line of `bytes` bytes (at most half of them, rounded up, per half).
    private mutating func reserveScratch(_ bytes: Int) {
        let needed = bytes / 2 + 2
        guard needed > scratchCapacity else { return }
        if ownsScratch { scratch.deallocate() }
        scratchCapacity = max(needed, scratchCapacity * 2)
        scratch = .allocate(capacity: 2 * scratchCapacity)
        ownsScratch = true
    }

    // MARK: - Words

    /// Byte classes for the word loop: the folded word byte (letters lower-cased, digits), 0 for a separator.
    static let classes: [UInt8] = (0..<256).map { b in
        switch b {
        case 0x30...0x39, 0x61...0x7A: UInt8(b)
        case 0x41...0x5A: UInt8(b) | 0x20
        default: 0
        }
    }

    /// FNV-1a states of the words of p[lo..<hi] (ASCII), written to `out` (`Hashing.bytes` before its
    /// final mix). Branch-free: the state of every byte is stored, and the write index moves on at the
    /// end of a word.
    /// - Returns: the number of words.
    @inline(__always)
    static func rawWords(
        _ p: UnsafePointer<UInt8>, _ lo: Int, _ hi: Int, _ classes: UnsafePointer<UInt8>,
        _ out: UnsafeMutablePointer<UInt64>
    ) -> Int {
        var h = Hashing.fnvOffset
        var n = 0
        var inWord = 0
        var i = lo
        while i < hi {
            let c = classes[Int(p[i])]
            let isWord = c == 0 ? 0 : 1
            out[n] = h
            n += inWord & (isWord ^ 1)
            h = isWord == 1 ? (h ^ UInt64(c)) &* Hashing.fnvPrime : Hashing.fnvOffset
            inWord = isWord
            i += 1
        }
        out[n] = h
        return n + inWord
    }

    /// `rawWords` over two halves of the line at once (split at a separator), so the two multiply chains
    /// overlap. Write positions are pointers that advance at word ends (few live values: the loop stays
    /// in registers).
    /// - Returns: the word counts of the halves, at `scratch` and `scratch + scratchCapacity`.
    @inline(__always)
    private mutating func rawWordsInHalves(
        _ p: UnsafePointer<UInt8>, _ lo: Int, _ hi: Int, _ classes: UnsafePointer<UInt8>
    ) -> (Int, Int) {
        reserveScratch(hi - lo)
        let outA = scratch
        let outB = scratch + scratchCapacity
        guard hi - lo >= 64 else { return (Self.rawWords(p, lo, hi, classes, outA), 0) }
        var mid = lo + (hi - lo) / 2
        while mid < hi && classes[Int(p[mid])] != 0 { mid += 1 }
        let shared = min(mid - lo, hi - mid)
        var hA = Hashing.fnvOffset
        var hB = Hashing.fnvOffset
        var qA = outA
        var qB = outB
        var inA = 0
        var inB = 0
        var a = p + lo
        var b = p + mid
        let endA = a + shared
        while a < endA {
            let cA = classes[Int(a.pointee)]
            let cB = classes[Int(b.pointee)]
            let wA = cA == 0 ? 0 : 1
            let wB = cB == 0 ? 0 : 1
            qA.pointee = hA
            qB.pointee = hB
            qA += inA & (wA ^ 1)
            qB += inB & (wB ^ 1)
            hA = wA == 1 ? (hA ^ UInt64(cA)) &* Hashing.fnvPrime : Hashing.fnvOffset
            hB = wB == 1 ? (hB ^ UInt64(cB)) &* Hashing.fnvPrime : Hashing.fnvOffset
            inA = wA
            inB = wB
            a += 1
            b += 1
        }
        // The rest of the longer half.
        let aEnd = p + mid
        while a < aEnd {
            let c = classes[Int(a.pointee)]
            let w = c == 0 ? 0 : 1
            qA.pointee = hA
            qA += inA & (w ^ 1)
            hA = w == 1 ? (hA ^ UInt64(c)) &* Hashing.fnvPrime : Hashing.fnvOffset
            inA = w
            a += 1
        }
        let bEnd = p + hi
        while b < bEnd {
            let c = classes[Int(b.pointee)]
            let w = c == 0 ? 0 : 1
            qB.pointee = hB
            qB += inB & (w ^ 1)
            hB = w == 1 ? (hB ^ UInt64(c)) &* Hashing.fnvPrime : Hashing.fnvOffset
            inB = w
            b += 1
        }
        qA.pointee = hA
        qA += inA
        qB.pointee = hB
        qB += inB
        return (qA - outA, qB - outB)
    }

    /// Takes one line's words, given as raw FNV states (`RawFNV`) or as finished word hashes, in two
    /// runs (`a` then `b`): the line hash, then (if the line is kept) the text hash, the shingles and
    /// their MinHash bins.
    @inline(__always)
    private mutating func takeLine<Form: WordForm>(
        _ a: UnsafePointer<UInt64>, _ nA: Int, _ b: UnsafePointer<UInt64>, _ nB: Int, form: Form.Type,
        boilerplate: BoilerplateModel?, contentLines: inout Int
    ) {
        let mixed = Form.isMixed
        let n = nA + nB
        guard n >= minLineWords else { return }
        reserve(n)
        let out = base + k + stream.count
        var lineHash = Self.lineSeed
        let fused = boilerplate == nil && shingling
        if !fused {
            for j in 0..<n {
                let w = j < nA ? a[j] : b[j - nA]
                let t = mixed ? w : Hashing.mix(w)
                out[j] = t
                lineHash = (lineHash ^ t) &* 0x9E37_79B9_7F4A_7C15
            }
            let finished = Hashing.mix(lineHash)
            if collectsLines { lineHashes.append(finished) }
            if let boilerplate, boilerplate.isBoilerplate(finished) {
                if contentLines < 3 { droppedLearnedEarly = true }
                return
            }
            contentLines += 1
            guard shingling else {
                stream.count += n
                return
            }
        }
        // The line is kept: text hash, shingles, bins (when fused, also the words and line hash, since
        // nothing can drop the line now).
        if fused && stream.count >= k - 1 && stream.shingleCount + n <= tableLimit {
            takeSteadyLine(a, nA, b, nB, form: form)
            contentLines += 1
            return
        }
        var s = stream
        let lag = base + s.count
        let shingles = shingleBase
        let k = self.k
        let rotation = self.rotation
        let tag = self.tag
        let bins = self.bins
        let filled = self.filled
        let kk = UInt64(binCount)
        let table = self.table
        let tableMask = self.tableMask
        let tableLimit = self.tableLimit
        for j in 0..<n {
            let t: UInt64
            if fused {
                let w = j < nA ? a[j] : b[j - nA]
                t = mixed ? w : Hashing.mix(w)
                out[j] = t
                lineHash = (lineHash ^ t) &* 0x9E37_79B9_7F4A_7C15
            } else {
                t = out[j]
            }
            s.textHash = Hashing.combine(s.textHash, t)
            s.rolling = Shingles.rotl(s.rolling, 1) ^ t ^ Shingles.rotl(lag[j], rotation)
            if s.count + j + 1 >= k {
                let shingle = Hashing.mix(s.rolling ^ tag)
                shingles[s.shingleCount] = shingle
                if s.shingleCount < tableLimit {
                    Self.insert(shingle, index: s.shingleCount, &s, table: table, mask: tableMask, shingles: shingles)
                }
                s.shingleCount += 1
                MinHasher.add(shingle, k: kk, bins: bins, filled: filled)
            }
        }
        s.count += n
        stream = s
        if fused {
            if collectsLines { lineHashes.append(Hashing.mix(lineHash)) }
            contentLines += 1
        }
    }

    /// The fused part of `takeLine` in the common case: every word completes a shingle and every shingle
    /// fits the distinct table, so the loop has no such checks (and no choice between the two runs).
    @inline(__always)
    private mutating func takeSteadyLine<Form: WordForm>(
        _ a: UnsafePointer<UInt64>, _ nA: Int, _ b: UnsafePointer<UInt64>, _ nB: Int, form: Form.Type
    ) {
        var s = stream
        var lineHash = Self.lineSeed
        // words[j]: the word k places back; words[j + k]: where this one goes.
        var words = base + s.count
        let shingles = shingleBase
        let k = self.k
        let rotation = self.rotation
        let tag = self.tag
        let bins = self.bins
        let filled = self.filled
        let kk = UInt64(binCount)
        let table = self.table
        let mask = tableMask
        var index = s.shingleCount
        var distinct = s.distinct
        var textHash = s.textHash
        var rolling = s.rolling
        for run in 0..<2 {
            var source = run == 0 ? a : b
            let end = source + (run == 0 ? nA : nB)
            while source < end {
                let t = Form.isMixed ? source.pointee : Hashing.mix(source.pointee)
                source += 1
                words[k] = t
                lineHash = (lineHash ^ t) &* 0x9E37_79B9_7F4A_7C15
                textHash = Hashing.combine(textHash, t)
                rolling = Shingles.rotl(rolling, 1) ^ t ^ Shingles.rotl(words[0], rotation)
                words += 1
                let h = Hashing.mix(rolling ^ tag)
                shingles[index] = h
                if h > 1 {
                    // Neither 0 nor 1: equal keys are equal values.
                    var i = Int(truncatingIfNeeded: h >> 7) & mask
                    while true {
                        let slot = table[i]
                        if slot == 0 {
                            table[i] = UInt16(truncatingIfNeeded: index &+ 1)
                            distinct &+= 1
                            break
                        }
                        if shingles[Int(slot) &- 1] == h { break }
                        i = (i &+ 1) & mask
                    }
                } else {
                    var t = s
                    t.distinct = distinct
                    Self.insert(h, index: index, &t, table: table, mask: mask, shingles: shingles)
                    distinct = t.distinct
                }
                index &+= 1
                MinHasher.add(h, k: kk, bins: bins, filled: filled)
            }
        }
        s.count += nA + nB
        s.shingleCount = index
        s.distinct = distinct
        s.textHash = textHash
        s.rolling = rolling
        stream = s
        if collectsLines { lineHashes.append(Hashing.mix(lineHash)) }
    }

    // MARK: - Lines

    /// Runs the line rules over a whole text.
    mutating func scan(_ text: String, boilerplate: BoilerplateModel?) {
        var text = text
        text.withUTF8 { buf in
            guard let p = buf.baseAddress, buf.count > 0 else { return }
            Self.classes.withUnsafeBufferPointer { classes in
                // A 256-entry table: the base address is never nil.
                guard let classes = classes.baseAddress else { return }
                scan(buf, p, classes: classes, boilerplate: boilerplate)
            }
        }
        if shingling && stream.count > 0 && stream.count < k {
            // Shorter than one shingle: one shingle of all its words (`Shingles.hashes`).
            shingleBase[0] = Hashing.mix(stream.rolling ^ UInt64(stream.count))
            stream.shingleCount = 1
            stream.distinct = 1
            MinHasher.add(shingleBase[0], k: UInt64(binCount), bins: bins, filled: filled)
        }
    }

    private mutating func scan(
        _ buf: UnsafeBufferPointer<UInt8>, _ p: UnsafePointer<UInt8>, classes: UnsafePointer<UInt8>,
        boilerplate: BoilerplateModel?
    ) {
        let n = buf.count
        var next = 0
        var contentLines = 0
        while next < n {
            if minLineWords >= 1 {
                var lo = next
                while lo < n && Bytes.isSpace(p[lo]) { lo += 1 }
                guard lo < n else { return }
                let b = p[lo]
                if b == 0x0A || b == 0x0D {
                    next = lo + 1
                    continue
                }
                if b < 0x80 && b != 0x28 && !Self.mayStartBoilerplate(p, lo, n) {
                    let end = memchr(p + lo, 0x0A, n - lo).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - p } ?? n
                    // Among the first three content lines, only a line with no "-" where a dateline's dash
                    // could be (the first 140 bytes; the line is ASCII) is sure to have none.
                    if Self.isPlainASCII(p, lo, end)
                        && (contentLines >= 3 || memchr(p + lo, 0x2D, min(end - lo, 140)) == nil)
                    {
                        // No rule but the word count applies: trailing blanks hold no words.
                        let (nA, nB) = rawWordsInHalves(p, lo, end, classes)
                        takeLine(
                            scratch, nA, scratch + scratchCapacity, nB, form: RawFNV.self, boilerplate: boilerplate,
                            contentLines: &contentLines)
                        next = end + 1
                        continue
                    }
                }
            }
            next = carefulLine(buf, p, from: next, classes: classes, boilerplate: boilerplate, contentLines: &contentLines)
        }
    }

    /// True when p[lo..<hi] has no byte >= 0x80, no "|" and no CR.
    @inline(__always)
    static func isPlainASCII(_ p: UnsafePointer<UInt8>, _ lo: Int, _ hi: Int) -> Bool {
        let flags = lineFlags(p, lo, hi)
        return !flags.high && !flags.pipe && !flags.cr
    }

    /// Whether p[lo..<hi] holds a byte >= 0x80, a "|", a CR: an OR of its 8-byte words, and memchr
    /// (vectorized in the C library) for the two bytes.
    @inline(__always)
    static func lineFlags(_ p: UnsafePointer<UInt8>, _ lo: Int, _ hi: Int) -> (high: Bool, pipe: Bool, cr: Bool) {
        var high: UInt64 = 0
        let raw = UnsafeRawPointer(p)
        var i = lo
        while i &+ 8 <= hi {
            high |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i &+= 8
        }
        while i < hi {
            high |= UInt64(p[i])
            i &+= 1
        }
        let count = hi - lo
        return (
            high & 0x8080_8080_8080_8080 != 0, count > 0 && memchr(p + lo, 0x7C, count) != nil,
            count > 0 && memchr(p + lo, 0x0D, count) != nil
        )
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
        _ buf: UnsafeBufferPointer<UInt8>, _ p: UnsafePointer<UInt8>, from start: Int, classes: UnsafePointer<UInt8>,
        boilerplate: BoilerplateModel?, contentLines: inout Int
    ) -> Int {
        let n = buf.count
        var lo = start
        var hi = memchr(p + start, 0x0A, n - start).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - p } ?? n
        let flags = Self.lineFlags(p, start, hi)
        if flags.cr {
            hi = start
            while p[hi] != 0x0A && p[hi] != 0x0D { hi += 1 }
        }
        let next = hi + 1
        Bytes.trim(buf, &lo, &hi)
        if lo >= hi { return next }
        let pipe = flags.pipe
        if Bytes.isPatternBoilerplate(buf, lo, hi, mayHavePipe: pipe) {
            guard contentLines < 3, let rest = Bytes.datelineEnd(buf, lo, hi),
                Bytes.wordCount(buf, rest, hi, limit: 8) >= 8,
                !Bytes.isPatternBoilerplate(buf, rest, hi, mayHavePipe: pipe)
            else { return next }
            lo = rest
        } else if contentLines < 3, let rest = Bytes.datelineEnd(buf, lo, hi) {
            lo = rest
        }
        var ascii = !flags.high
        if !ascii {
            ascii = true
            for i in lo..<hi where p[i] >= 0x80 {
                ascii = false
                break
            }
        }
        if ascii {
            let (nA, nB) = rawWordsInHalves(p, lo, hi, classes)
            takeLine(
                scratch, nA, scratch + scratchCapacity, nB, form: RawFNV.self, boilerplate: boilerplate,
                contentLines: &contentLines)
        } else {
            var hashes: [UInt64] = []
            var none: [String]? = nil
            if tokenizer == nil { tokenizer = Tokenizer() }
            tokenizer?.tokenize(UnsafeBufferPointer(rebasing: buf[lo..<hi]), into: &hashes, words: &none)
            hashes.withUnsafeBufferPointer { h in
                let words = h.baseAddress ?? UnsafePointer(scratch)
                takeLine(
                    words, h.count, words, 0, form: WordHash.self, boilerplate: boilerplate,
                    contentLines: &contentLines)
            }
        }
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

/// How `TextPass.takeLine` receives words (a type parameter, so each form gets its own loop).
protocol WordForm {
    /// True: finished word hashes; false: FNV-1a states still to be mixed.
    static var isMixed: Bool { get }
}

/// FNV-1a states of ASCII words (`Hashing.bytes` before its final mix).
enum RawFNV: WordForm {
    static var isMixed: Bool { false }
}

/// Word hashes as the general `Tokenizer` makes them.
enum WordHash: WordForm {
    static var isMixed: Bool { true }
}
