// A frozen copy of the Dedup fingerprint code as of commit dbe2d03 (before the single-pass fast path),
// used only by `bench-dedup verify` to check that fingerprints and line hashes stay bit-identical.
// Do not "fix" or speed up anything here: it is the reference.
import Dedup
import Foundation

/// The reference implementation of `Deduplicator.fingerprint(_:boilerplate:)` and `lineHashes(of:)`.
struct ReferenceFingerprint: Sendable {
    let settings: DedupSettings
    let normalizer: RefTextNormalizer
    let hasher: RefMinHasher
    let bands: Int
    let rows: Int

    init(settings: DedupSettings) {
        self.settings = settings
        (bands, rows) = settings.bandsAndRows
        normalizer = RefTextNormalizer(minLineWords: settings.minLineWords)
        hasher = RefMinHasher(permutations: settings.permutations)
    }

    func lineHashes(of text: String) -> [UInt64] {
        var seen = Set<UInt64>()
        return normalizer.normalize(text).lineHashes.filter { seen.insert($0).inserted }
    }

    func fingerprint(_ doc: DedupDocument, boilerplate: BoilerplateModel?) -> Fingerprint {
        let text = normalizer.normalize(doc.text, boilerplate: boilerplate)
        return fingerprint(tokens: text.tokens, title: doc.title)
    }

    /// The normalized words of each kept line (the `explain` view).
    func keptLines(_ text: String, boilerplate: BoilerplateModel?) -> [String] {
        normalizer.normalize(text, boilerplate: boilerplate, verbose: true).keptLines
    }

    func fingerprint(tokens: [UInt64], title: String) -> Fingerprint {
        let shingles = RefShingles.hashes(of: tokens, k: settings.shingleSize)
        let count = RefShingles.distinctCount(shingles)
        let signature = hasher.signature(of: shingles)
        var textHash: UInt64 = 0
        if !tokens.isEmpty {
            textHash = 0x7465_7874
            for t in tokens { textHash = RefHashing.combine(textHash, t) }
        }
        let lead = RefShingles.sortedDistinct32(shingles.prefix(max(0, settings.leadShingles)))

        var bandKeys: [Int64] = []
        if count > 0 {
            bandKeys.reserveCapacity(bands)
            for band in 0..<bands {
                var h = RefHashing.combine(RefKeyDomain.band.rawValue, UInt64(band))
                for r in 0..<rows { h = RefHashing.combine(h, UInt64(signature[band * rows + r])) }
                bandKeys.append(Int64(bitPattern: h))
            }
        }

        var leadKeys: [Int64] = []
        for v in RefShingles.winnow(
            shingles.prefix(max(0, min(settings.leadShingles, settings.leadKeyShingles))), window: settings.leadKeyWindow)
        {
            leadKeys.append(Int64(bitPattern: RefHashing.combine(RefKeyDomain.lead.rawValue, UInt64(v))))
        }

        let titleTokens = normalizer.words(Self.cleanTitle(title)).tokens
        var titleKey: UInt64 = 0
        if !titleTokens.isEmpty {
            titleKey = 0x7469_746C
            for t in titleTokens { titleKey = RefHashing.combine(titleKey, t) }
        }
        let titleWords = RefShingles.sortedDistinct32(titleTokens[...])
        var titleKeys: [Int64] = []
        let n = max(1, settings.titleKeyWords)
        if !titleTokens.isEmpty {
            // Runs of n adjacent title words (the whole title when shorter): edited, truncated or
            // prefixed headlines still share some; n >= 3 keeps runs of common words from matching everything.
            for start in 0...max(0, titleTokens.count - n) {
                var h = RefKeyDomain.title.rawValue
                for t in titleTokens[start..<min(titleTokens.count, start + n)] { h = RefHashing.combine(h, t) }
                let key = Int64(bitPattern: h)
                if !titleKeys.contains(key) { titleKeys.append(key) }
                if titleKeys.count >= 16 { break }
            }
        }

        return Fingerprint(
            signature: signature, shingleCount: count, wordCount: tokens.count, textHash: textHash,
            titleKey: titleKey, titleWords: titleWords, leadShingles: lead, bandKeys: bandKeys,
            titleKeys: titleKeys, leadKeys: leadKeys)
    }

    /// Removes an all-capitals label before a colon ("BREAKING NEWS:", "UPDATE:") and a short site
    /// suffix after the last " - " or " | " ("... - Tribunnews.com"). Byte-level: titles are cleaned
    /// for every item.
    static func cleanTitle(_ title: String) -> String {
        var bytes = Array(title.utf8)
        // Label: up to 30 bytes before the first ":", letters all upper-case ASCII (or non-letters).
        if let colon = bytes.prefix(31).firstIndex(of: 0x3A) {
            let label = bytes[..<colon]
            let hasUpper = label.contains { $0 >= 0x41 && $0 <= 0x5A }
            let hasLower = label.contains { ($0 >= 0x61 && $0 <= 0x7A) || $0 >= 0x80 }
            if hasUpper && !hasLower { bytes.removeSubrange(...colon) }
        }
        // Suffix: the last " - ", " | ", " – " or " — " followed by at most 3 words.
        let separators: [[UInt8]] = [Array(" | ".utf8), Array(" - ".utf8), Array(" – ".utf8), Array(" — ".utf8)]
        var cut: Int?
        for sep in separators where bytes.count > sep.count {
            var i = bytes.count - sep.count
            while i > 10 {
                if bytes[i] == sep[0] && Array(bytes[i..<(i + sep.count)]) == sep {
                    let words = bytes[(i + sep.count)...].split(separator: 0x20).count
                    if words <= 3 { cut = max(cut ?? 0, i) }
                    break
                }
                i -= 1
            }
        }
        if let cut { bytes.removeSubrange(cut...) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A line removed before shingling, and why.
struct RefRemovedLine: Sendable, Equatable {
    enum Reason: String, Sendable {
        case pattern = "known boilerplate pattern"
        case learned = "learned feed boilerplate"
        case short = "too few words"
        case dateline = "dateline prefix"
    }
    var text: String
    var reason: Reason
}

/// The result of normalizing one text: content tokens in order, plus what was removed.
struct RefNormalizedText {
    /// Hashes of the content words, in order, across all kept lines.
    var tokens: [UInt64] = []
    /// Hash of each kept line's words (the unit of learned boilerplate), before learned removal.
    var lineHashes: [UInt64] = []
    /// Kept lines as normalized words (only when asked for, for `explain`).
    var keptLines: [String] = []
    /// Removed lines and prefixes (only when asked for).
    var removed: [RefRemovedLine] = []
}

/// Unicode normalization, tokenization and rule-based boilerplate removal.
///
/// Words are NFKC-normalized, case-folded and diacritic-folded; punctuation separates words and is
/// dropped; digits are kept. Each word is reduced to a deterministic 64-bit hash.
struct RefTextNormalizer: Sendable {
    var minLineWords: Int

    /// Normalizes a text line by line. Works on the UTF-8 bytes: lines, trimming, the boilerplate
    /// patterns and ASCII words never build `Character`s; only non-ASCII lines go through Foundation.
    /// - Parameters:
    ///   - text: plain text, paragraphs separated by "\n".
    ///   - boilerplate: learned per-feed boilerplate, if any.
    ///   - verbose: collect kept and removed lines (for `explain`).
    func normalize(_ text: String, boilerplate: BoilerplateModel? = nil, verbose: Bool = false) -> RefNormalizedText {
        var result = RefNormalizedText()
        result.tokens.reserveCapacity(text.utf8.count / 6)
        var scratch = RefTokenizer()
        var words: [String]? = verbose ? [] : nil
        var contentLines = 0
        var text = text
        text.withUTF8 { buf in
            let n = buf.count
            var next = 0
            while next < n {
                var lo = next
                var hi = lo
                while hi < n && buf[hi] != 0x0A && buf[hi] != 0x0D { hi += 1 }
                next = hi + 1
                RefBytes.trim(buf, &lo, &hi)
                if lo >= hi { continue }
                func string(_ a: Int, _ b: Int) -> String {
                    String(decoding: UnsafeBufferPointer(rebasing: buf[a..<b]), as: UTF8.self)
                }
                if RefBytes.isPatternBoilerplate(buf, lo, hi) {
                    // "Laporan Wartawan X, Name TRIBUNNEWS.COM, JAKARTA - lead..." (a byline run into the
                    // dateline of a summary): the byline goes, the lead after the dateline stays.
                    if contentLines < 3, let rest = RefBytes.datelineEnd(buf, lo, hi),
                        RefBytes.wordCount(buf, rest, hi, limit: 8) >= 8, !RefBytes.isPatternBoilerplate(buf, rest, hi)
                    {
                        if verbose { result.removed.append(RefRemovedLine(text: string(lo, rest), reason: .pattern)) }
                        lo = rest
                    } else {
                        if verbose { result.removed.append(RefRemovedLine(text: string(lo, hi), reason: .pattern)) }
                        continue
                    }
                } else if contentLines < 3, let rest = RefBytes.datelineEnd(buf, lo, hi) {
                    if verbose { result.removed.append(RefRemovedLine(text: string(lo, rest), reason: .dateline)) }
                    lo = rest
                }
                let first = result.tokens.count
                if verbose { words = [] }
                scratch.tokenize(UnsafeBufferPointer(rebasing: buf[lo..<hi]), into: &result.tokens, words: &words)
                let count = result.tokens.count - first
                if count < minLineWords {
                    result.tokens.removeLast(count)
                    if verbose && count > 0 {
                        result.removed.append(RefRemovedLine(text: string(lo, hi), reason: .short))
                    }
                    continue
                }
                let lineHash = Self.lineHash(result.tokens[first...])
                result.lineHashes.append(lineHash)
                if let boilerplate, boilerplate.isBoilerplate(lineHash) {
                    result.tokens.removeLast(count)
                    if verbose { result.removed.append(RefRemovedLine(text: string(lo, hi), reason: .learned)) }
                    continue
                }
                contentLines += 1
                if let words { result.keptLines.append(words.joined(separator: " ")) }
            }
        }
        return result
    }

    /// Tokenizes a short text (a title) without any line rules.
    func words(_ text: String, verbose: Bool = false) -> (tokens: [UInt64], words: [String]) {
        var scratch = RefTokenizer()
        var tokens: [UInt64] = []
        var words: [String]? = verbose ? [] : nil
        var text = text
        text.withUTF8 { scratch.tokenize($0, into: &tokens, words: &words) }
        return (tokens, words ?? [])
    }

    static func lineHash(_ tokens: ArraySlice<UInt64>) -> UInt64 {
        // Word hashes are already mixed: a multiply-xor chain and one final mix suffice.
        var h: UInt64 = 0x6C69_6E65
        for t in tokens { h = (h ^ t) &* 0x9E37_79B9_7F4A_7C15 }
        return RefHashing.mix(h)
    }

    // MARK: - Known boilerplate

    /// Line starts (lower-cased) of related-link lines, bylines, credits, footers and calls to action.
    static let boilerplatePrefixes: [String] = [
        "baca juga", "baca selengkapnya", "baca berita", "baca dan ikuti", "baca artikel", "baca:", "simak juga",
        "simak berita", "simak video", "lihat juga", "lihat video", "tonton juga", "artikel ini telah tayang",
        "artikel ini sudah tayang", "ikuti kami", "ikuti berita", "ikuti saluran", "bergabunglah", "gabung ke",
        "dapatkan update", "dapatkan berita", "dapatkan informasi", "download aplikasi", "unduh aplikasi",
        "penulis:", "penulis :", "editor:", "editor :", "reporter:", "reporter :", "pewarta:", "pewarta :",
        "laporan wartawan", "laporan reporter", "sumber:", "sumber :", "foto:", "foto :", "(foto", "ilustrasi:",
        "read also", "read more", "also read", "related:", "related coverage", "related stories", "see also",
        "more:", "follow us", "follow the", "sign up", "subscribe", "click here", "copyright", "©", "(c) ",
        "all rights reserved", "all right reserved", "photo:", "image:", "video:", "watch:", "listen:",
        "share this", "rekomendasi untuk anda", "berita terkait", "advertisement", "scroll to continue",
        "scroll untuk", "klik di sini", "klik tautan", "reporting by", "writing by", "editing by",
        "additional reporting", "(reporting by",
    ]

    /// True when the line is a known kind of boilerplate (checked on the raw line, before tokenizing).
    static func isPatternBoilerplate(_ line: Substring) -> Bool {
        var s = String(line)
        return s.withUTF8 { RefBytes.isPatternBoilerplate($0, 0, $0.count) }
    }

    /// If the line starts with a dateline ("SERAMBINEWS.COM, BANDA ACEH - ", "LONDON (Reuters) - ",
    /// "Malang, CNN Indonesia -- "), returns the rest of the line.
    static func strippingDateline(_ line: Substring) -> Substring? {
        var s = String(line)
        guard let end = s.withUTF8({ RefBytes.datelineEnd($0, 0, $0.count) }) else { return nil }
        return line.utf8.dropFirst(end).isEmpty ? nil : Substring(line.utf8.dropFirst(end))
    }

    /// A dateline is a prefix of at most 14 words, all capitalized (or parenthesized, or numbers), that
    /// looks like a place or an agency (a comma, parentheses, a ".com" or a word in capitals), followed
    /// by a dash. Ordinary sentences rarely capitalize every word, so they are left alone.
    static func looksLikeDateline(_ prefix: Substring) -> Bool {
        let words = prefix.split(whereSeparator: { $0 == " " || $0 == "\u{00A0}" })
        guard !words.isEmpty, words.count <= 14 else { return false }
        var marker = prefix.contains(",") || prefix.contains("(")
        for word in words {
            guard let first = word.first(where: { $0 != "(" && $0 != "\"" }) else { continue }
            if !(first.isUppercase || first.isNumber) { return false }
            let letters = word.filter(\.isLetter)
            if letters.count >= 3 && letters.allSatisfy(\.isUppercase) { marker = true }
            if word.lowercased().contains(".com") { marker = true }
        }
        return marker
    }
}

/// Byte-level line helpers (UTF-8), so the hot path never segments grapheme clusters.
enum RefBytes {
    typealias Buffer = UnsafeBufferPointer<UInt8>

    static let prefixes: [[UInt8]] = RefTextNormalizer.boilerplatePrefixes.map { Array($0.utf8) }

    @inline(__always)
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0B || b == 0x0C }

    /// Trims ASCII whitespace and no-break spaces (C2 A0) from both ends of lo..<hi.
    static func trim(_ buf: Buffer, _ lo: inout Int, _ hi: inout Int) {
        while lo < hi {
            if isSpace(buf[lo]) {
                lo += 1
            } else if buf[lo] == 0xC2 && lo + 1 < hi && buf[lo + 1] == 0xA0 {
                lo += 2
            } else {
                break
            }
        }
        while hi > lo {
            if isSpace(buf[hi - 1]) {
                hi -= 1
            } else if hi - 2 >= lo && buf[hi - 2] == 0xC2 && buf[hi - 1] == 0xA0 {
                hi -= 2
            } else {
                break
            }
        }
    }

    /// Words (space-separated runs) in lo..<hi, counting no further than `limit + 1`.
    static func wordCount(_ buf: Buffer, _ lo: Int, _ hi: Int, limit: Int) -> Int {
        var count = 0
        var inWord = false
        var i = lo
        while i < hi {
            if isSpace(buf[i]) {
                inWord = false
            } else if !inWord {
                inWord = true
                count += 1
                if count > limit { return count }
            }
            i += 1
        }
        return count
    }

    /// Prefixes grouped by their first byte, so a line is compared only with the few that can match.
    static let prefixesByFirstByte: [[[UInt8]]] = {
        var table = [[[UInt8]]](repeating: [], count: 256)
        for p in prefixes { table[Int(p[0])].append(p) }
        return table
    }()

    @inline(__always)
    static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    static func isPatternBoilerplate(_ buf: Buffer, _ lo: Int, _ hi: Int) -> Bool {
        guard lo < hi else { return false }
        var prefixMatch = false
        for p in prefixesByFirstByte[Int(lower(buf[lo]))] where p.count <= hi - lo {
            var match = true
            for k in 1..<max(1, p.count) where lower(buf[lo + k]) != p[k] {
                match = false
                break
            }
            if match {
                prefixMatch = true
                break
            }
        }
        let parenthesized = buf[lo] == 0x28 && buf[hi - 1] == 0x29
        let headEnd = min(hi, lo + 40)
        let byline =
            contains(buf, lo, hi, 0x7C) && (find(buf, lo, headEnd, "editor") || find(buf, lo, headEnd, "penulis"))
        guard prefixMatch || parenthesized || byline else { return false }
        let words = wordCount(buf, lo, hi, limit: 30)
        if words <= 30 && (prefixMatch || byline) { return true }
        // A short credit fully in parentheses: "(Serambinews.com/Agus Ramadhan)".
        return words <= 12 && parenthesized
    }

    static func contains(_ buf: Buffer, _ lo: Int, _ hi: Int, _ byte: UInt8) -> Bool {
        var i = lo
        while i < hi {
            if buf[i] == byte { return true }
            i += 1
        }
        return false
    }

    /// Case-insensitive (ASCII) search for a lower-case needle in lo..<hi.
    static func find(_ buf: Buffer, _ lo: Int, _ hi: Int, _ needle: StaticString) -> Bool {
        let n = needle.utf8CodeUnitCount
        guard hi - lo >= n else { return false }
        return needle.withUTF8Buffer { nb in
            for start in lo...(hi - n) where lower(buf[start]) == nb[0] {
                var k = 1
                while k < n && lower(buf[start + k]) == nb[k] { k += 1 }
                if k == n { return true }
            }
            return false
        }
    }

    /// The offset where the content starts when lo..<hi begins with a dateline; nil otherwise.
    /// A dash (hyphen with a space before it or doubled, en dash, em dash) within the first 140 bytes,
    /// followed by a space, after a prefix that `looksLikeDateline`.
    static func datelineEnd(_ buf: Buffer, _ lo: Int, _ hi: Int) -> Int? {
        let limit = min(hi, lo + 140)
        var i = lo
        while i < limit {
            let b = buf[i]
            var dashEnd = -1
            if b == 0x2D {
                let spaced = i > lo && buf[i - 1] == 0x20
                let doubled = i + 1 < hi && buf[i + 1] == 0x2D
                if spaced || doubled { dashEnd = i + 1 }
            } else if b == 0xE2 && i + 2 < hi && buf[i + 1] == 0x80 && (buf[i + 2] == 0x93 || buf[i + 2] == 0x94) {
                dashEnd = i + 3
            }
            if dashEnd >= 0 {
                // Skip a run of dashes, then require a space.
                var j = dashEnd
                while j < hi {
                    if buf[j] == 0x2D {
                        j += 1
                    } else if buf[j] == 0xE2 && j + 2 < hi && buf[j + 1] == 0x80
                        && (buf[j + 2] == 0x93 || buf[j + 2] == 0x94)
                    {
                        j += 3
                    } else {
                        break
                    }
                }
                guard j < hi, isSpace(buf[j]) || (buf[j] == 0xC2 && j + 1 < hi && buf[j + 1] == 0xA0) else {
                    return nil
                }
                var k = j
                var end = hi
                trim(buf, &k, &end)
                guard k < end else { return nil }
                var p = lo
                var q = i
                trim(buf, &p, &q)
                let prefix = String(decoding: UnsafeBufferPointer(rebasing: buf[p..<q]), as: UTF8.self)
                return RefTextNormalizer.looksLikeDateline(Substring(prefix)) ? k : nil
            }
            i += 1
        }
        return nil
    }
}

extension Substring {
    func trimmingPrefixAndSuffixWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let start = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[start...last]
    }
}

/// Splits text into folded words and hashes each. ASCII lines take a byte-level fast path; other lines
/// are NFKC-normalized and case- and diacritic-folded by Foundation first.
struct RefTokenizer {
    private var word: [UInt8] = []
    private var scratch: [UInt64] = []

    init() { word.reserveCapacity(64) }

    mutating func tokenize(_ line: UnsafeBufferPointer<UInt8>, into tokens: inout [UInt64], words: inout [String]?) {
        var ascii = true
        for b in line where b >= 0x80 {
            ascii = false
            break
        }
        if ascii {
            tokenizeASCII(line, into: &tokens, words: &words)
        } else {
            let folded = String(decoding: line, as: UTF8.self).precomposedStringWithCompatibilityMapping
                .folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            tokenizeUnicode(folded, into: &tokens, words: &words)
        }
    }

    @inline(__always)
    private mutating func flush(into tokens: inout [UInt64], words: inout [String]?) {
        guard !word.isEmpty else { return }
        tokens.append(RefHashing.bytes(word))
        if words != nil { words?.append(String(decoding: word, as: UTF8.self)) }
        word.removeAll(keepingCapacity: true)
    }

    /// ASCII words hashed as they are scanned (FNV-1a, then mixed: the same as `RefHashing.bytes`).
    /// Hashes go to a reused scratch buffer by index and are appended once per line.
    private mutating func tokenizeASCII(
        _ bytes: UnsafeBufferPointer<UInt8>, into tokens: inout [UInt64], words: inout [String]?
    ) {
        if words != nil {
            tokenizeASCIICollecting(bytes, into: &tokens, words: &words)
            return
        }
        let capacity = bytes.count / 2 + 1
        if scratch.count < capacity { scratch = [UInt64](repeating: 0, count: max(capacity, 1024)) }
        let n = scratch.withUnsafeMutableBufferPointer { out -> Int in
            var n = 0
            var h: UInt64 = RefHashing.fnvOffset
            var inWord = false
            for b in bytes {
                let c = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
                if (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) {
                    h = (h ^ UInt64(c)) &* RefHashing.fnvPrime
                    inWord = true
                } else if inWord {
                    out[n] = RefHashing.mix(h)
                    n += 1
                    h = RefHashing.fnvOffset
                    inWord = false
                }
            }
            if inWord {
                out[n] = RefHashing.mix(h)
                n += 1
            }
            return n
        }
        tokens.append(contentsOf: scratch[0..<n])
    }

    private mutating func tokenizeASCIICollecting(
        _ bytes: UnsafeBufferPointer<UInt8>, into tokens: inout [UInt64], words: inout [String]?
    ) {
        for b in bytes {
            let c = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
            if (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) {
                word.append(c)
            } else {
                flush(into: &tokens, words: &words)
            }
        }
        flush(into: &tokens, words: &words)
    }

    private mutating func tokenizeUnicode(
        _ text: String, into tokens: inout [UInt64], words: inout [String]?
    ) {
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                switch v {
                case 0x30...0x39, 0x61...0x7A: word.append(UInt8(v))
                case 0x41...0x5A: word.append(UInt8(v) | 0x20)
                default: flush(into: &tokens, words: &words)
                }
                continue
            }
            let properties = scalar.properties
            if properties.generalCategory == .nonspacingMark || properties.generalCategory == .enclosingMark {
                continue
            }
            if properties.isIdeographic {
                // Scripts without spaces between words: each ideograph is its own word.
                flush(into: &tokens, words: &words)
                word.append(contentsOf: String(scalar).utf8)
                flush(into: &tokens, words: &words)
            } else if properties.isAlphabetic || properties.numericType != nil {
                for lower in properties.lowercaseMapping.utf8 { word.append(lower) }
            } else {
                flush(into: &tokens, words: &words)
            }
        }
        flush(into: &tokens, words: &words)
    }
}

/// Word k-shingles hashed to 64 bits.
enum RefShingles {
    /// Hashes of every k-word window, in text order (duplicates kept). A text shorter than k words but
    /// not empty yields one shingle of all its words, so short teasers still have a signature.
    ///
    /// The window hash is a cyclic polynomial (rotate-xor) over the word hashes, updated in O(1) per
    /// position, then mixed, so the cost is one multiply-mix per shingle.
    static func hashes(of tokens: [UInt64], k: Int) -> [UInt64] {
        let k = max(1, k)
        guard !tokens.isEmpty else { return [] }
        if tokens.count <= k {
            var h: UInt64 = 0
            for t in tokens { h = rotl(h, 1) ^ t }
            return [RefHashing.mix(h ^ UInt64(tokens.count))]
        }
        var result = [UInt64]()
        result.reserveCapacity(tokens.count - k + 1)
        let out = UInt32(k % 64)
        let tag = UInt64(k)
        tokens.withUnsafeBufferPointer { t in
            var h: UInt64 = 0
            for i in 0..<k { h = rotl(h, 1) ^ t[i] }
            result.append(RefHashing.mix(h ^ tag))
            var i = k
            while i < t.count {
                h = rotl(h, 1) ^ rotl(t[i - k], out) ^ t[i]
                result.append(RefHashing.mix(h ^ tag))
                i += 1
            }
        }
        return result
    }

    @inline(__always)
    static func rotl(_ x: UInt64, _ r: UInt32) -> UInt64 {
        let r = UInt64(r & 63)
        return (x << r) | (x >> ((64 &- r) & 63))
    }

    /// Number of distinct values (small open-addressing set; avoids sorting).
    static func distinctCount(_ values: [UInt64]) -> Int {
        guard values.count > 1 else { return values.count }
        var capacity = 16
        while capacity < values.count * 2 { capacity <<= 1 }
        let mask = capacity - 1
        var table = [UInt64](repeating: 0, count: capacity)
        var count = 0
        table.withUnsafeMutableBufferPointer { slots in
            for v in values {
                let key = v == 0 ? 1 : v
                var i = Int(truncatingIfNeeded: key >> 7) & mask
                while true {
                    let s = slots[i]
                    if s == key { break }
                    if s == 0 {
                        slots[i] = key
                        count += 1
                        break
                    }
                    i = (i + 1) & mask
                }
            }
        }
        return count
    }

    /// Sorted distinct 32-bit reductions of the given hashes (the upper half, which `RefMinHasher` does
    /// not use for bin values).
    static func sortedDistinct32(_ values: ArraySlice<UInt64>) -> [UInt32] {
        var out = values.map { UInt32(truncatingIfNeeded: $0 >> 32) }
        out.sort()
        var w = 0
        for r in 0..<out.count where r == 0 || out[r] != out[r - 1] {
            out[w] = out[r]
            w += 1
        }
        out.removeLast(out.count - w)
        return out
    }

    /// Winnowing (Schleimer, Wilkerson, Aiken 2003): the minimum 32-bit value of every window of `window`
    /// consecutive shingles, deduplicated. Two texts sharing a run of at least `window` shingles share a
    /// selected value wherever the run sits; a text shorter than the window yields its minimum.
    static func winnow(_ values: ArraySlice<UInt64>, window: Int) -> [UInt32] {
        let v = values.map { UInt32(truncatingIfNeeded: $0 >> 32) }
        guard let smallest = v.min() else { return [] }
        let w = max(1, window)
        guard v.count > w else { return [smallest] }
        var out: [UInt32] = []
        var last = -1
        for start in 0...(v.count - w) {
            var best = start + w - 1
            for i in stride(from: start + w - 2, through: start, by: -1) where v[i] < v[best] { best = i }
            if best != last {
                last = best
                if !out.contains(v[best]) { out.append(v[best]) }
            }
        }
        return out
    }

    /// |a ∩ b| for sorted distinct arrays.
    static func intersectionCount(_ a: [UInt32], _ b: [UInt32]) -> Int {
        var i = 0
        var j = 0
        var n = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] {
                n += 1
                i += 1
                j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return n
    }
}

/// MinHash signatures by one-permutation hashing with optimal densification.
///
/// Each shingle hash is used once: its top bits choose one of `k` bins, its low 32 bits are the value,
/// and each bin keeps its minimum (Li, Owen, Zhang 2012). Empty bins (short texts) borrow the value of
/// a non-empty bin found by a fixed, bin-specific probe sequence (Shrivastava 2017), which keeps the
/// fraction of equal bins an unbiased estimate of Jaccard resemblance. Everything is seeded by constants,
/// so signatures are identical across runs and machines and can be stored.
struct RefMinHasher: Sendable {
    let k: Int
    static let empty = UInt32.max

    init(permutations: Int) { k = max(1, permutations) }

    func signature(of shingles: [UInt64]) -> [UInt32] {
        var bins = [UInt32](repeating: Self.empty, count: k)
        guard !shingles.isEmpty else { return bins }
        let kk = UInt64(k)
        var filled = [Bool](repeating: false, count: k)
        bins.withUnsafeMutableBufferPointer { b in
            filled.withUnsafeMutableBufferPointer { f in
                for h in shingles {
                    let bin = Int(truncatingIfNeeded: ((h >> 32) &* kk) >> 32)
                    let v = UInt32(truncatingIfNeeded: h)
                    f[bin] = true
                    if v < b[bin] { b[bin] = v }
                }
            }
        }
        if shingles.count < k * 8 {
            densify(&bins, filled: filled)
        }
        return bins
    }

    /// Fills each empty bin from the first non-empty bin along its own fixed pseudo-random probe sequence.
    private func densify(_ bins: inout [UInt32], filled: [Bool]) {
        guard filled.contains(false), filled.contains(true) else { return }
        let original = bins
        for i in 0..<k where !filled[i] {
            var attempt: UInt64 = 0
            while true {
                let j = Int(RefHashing.mix(0x0DE5_1F1E_D000_0000 ^ (UInt64(i) << 20) ^ attempt) % UInt64(k))
                if filled[j] {
                    bins[i] = original[j]
                    break
                }
                attempt += 1
            }
        }
    }

    /// Fraction of equal bins: the resemblance estimate. 0 when either side is empty.
    static func resemblance(_ a: [UInt32], _ b: [UInt32]) -> Double {
        let n = min(a.count, b.count)
        guard n > 0, a.first(where: { $0 != empty }) != nil, b.first(where: { $0 != empty }) != nil else { return 0 }
        var equal = 0
        for i in 0..<n where a[i] == b[i] { equal += 1 }
        return Double(equal) / Double(n)
    }
}

/// Deterministic 64-bit hashing. Fingerprints are stored, so nothing here may depend on the process
/// (Swift's `Hasher` is randomly seeded per process and is therefore never used for fingerprints).
enum RefHashing {
    /// The 64-bit finalizer of SplitMix64: a bijection with good avalanche, used to mix combined values.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Combines a running hash with one more 64-bit value (order-dependent).
    @inline(__always)
    static func combine(_ seed: UInt64, _ value: UInt64) -> UInt64 {
        mix(seed ^ (value &* 0xFF51_AFD7_ED55_8CCD) ^ (seed >> 29))
    }

    static let fnvOffset: UInt64 = 0xCBF2_9CE4_8422_2325
    static let fnvPrime: UInt64 = 0x0000_0100_0000_01B3

    /// FNV-1a over bytes, finalized with `mix`. Used for tokens (short) and line keys.
    @inline(__always)
    static func bytes<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes {
            h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3
        }
        return mix(h)
    }

    /// Hash of a string's UTF-8 bytes.
    static func string(_ s: String) -> UInt64 {
        bytes(s.utf8)
    }
}

/// Domain tags mixed into index keys so that keys of different kinds never meet in the shared index.
enum RefKeyDomain: UInt64 {
    case band = 0x6261_6E64
    case title = 0x7469_746C
    case lead = 0x6C65_6164
}
