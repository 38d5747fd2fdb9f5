import Foundation

/// A line removed before shingling, and why (shown by `explain`).
public struct RemovedLine: Sendable, Equatable {
    public enum Reason: String, Sendable {
        case pattern = "known boilerplate pattern"
        case learned = "learned feed boilerplate"
        case short = "too few words"
        case dateline = "dateline prefix"
    }
    public var text: String
    public var reason: Reason
}

/// The result of normalizing one text: content tokens in order, plus what was removed.
struct NormalizedText {
    /// Hashes of the content words, in order, across all kept lines.
    var tokens: [UInt64] = []
    /// Hash of each kept line's words (the unit of learned boilerplate), before learned removal.
    var lineHashes: [UInt64] = []
    /// Kept lines as normalized words (only when asked for, for `explain`).
    var keptLines: [String] = []
    /// Removed lines and prefixes (only when asked for).
    var removed: [RemovedLine] = []
}

/// Unicode normalization, tokenization and rule-based boilerplate removal.
///
/// Words are NFKC-normalized, case-folded and diacritic-folded; punctuation separates words and is
/// dropped; digits are kept. Each word is reduced to a deterministic 64-bit hash.
struct TextNormalizer: Sendable {
    var minLineWords: Int

    /// Normalizes a text line by line. Works on the UTF-8 bytes: lines, trimming, the boilerplate
    /// patterns and ASCII words never build `Character`s; only non-ASCII lines go through Foundation.
    /// - Parameters:
    ///   - text: plain text, paragraphs separated by "\n".
    ///   - boilerplate: learned per-feed boilerplate, if any.
    ///   - verbose: collect kept and removed lines (for `explain`).
    func normalize(_ text: String, boilerplate: BoilerplateModel? = nil, verbose: Bool = false) -> NormalizedText {
        var result = NormalizedText()
        result.tokens.reserveCapacity(text.utf8.count / 6)
        var scratch = Tokenizer()
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
                Bytes.trim(buf, &lo, &hi)
                if lo >= hi { continue }
                func string(_ a: Int, _ b: Int) -> String {
                    String(decoding: UnsafeBufferPointer(rebasing: buf[a..<b]), as: UTF8.self)
                }
                if Bytes.isPatternBoilerplate(buf, lo, hi) {
                    // "Laporan Wartawan X, Name TRIBUNNEWS.COM, JAKARTA - lead..." (a byline run into the
                    // dateline of a summary): the byline goes, the lead after the dateline stays.
                    if contentLines < 3, let rest = Bytes.datelineEnd(buf, lo, hi),
                        Bytes.wordCount(buf, rest, hi, limit: 8) >= 8, !Bytes.isPatternBoilerplate(buf, rest, hi)
                    {
                        if verbose { result.removed.append(RemovedLine(text: string(lo, rest), reason: .pattern)) }
                        lo = rest
                    } else {
                        if verbose { result.removed.append(RemovedLine(text: string(lo, hi), reason: .pattern)) }
                        continue
                    }
                } else if contentLines < 3, let rest = Bytes.datelineEnd(buf, lo, hi) {
                    if verbose { result.removed.append(RemovedLine(text: string(lo, rest), reason: .dateline)) }
                    lo = rest
                }
                let first = result.tokens.count
                if verbose { words = [] }
                scratch.tokenize(UnsafeBufferPointer(rebasing: buf[lo..<hi]), into: &result.tokens, words: &words)
                let count = result.tokens.count - first
                if count < minLineWords {
                    result.tokens.removeLast(count)
                    if verbose && count > 0 {
                        result.removed.append(RemovedLine(text: string(lo, hi), reason: .short))
                    }
                    continue
                }
                let lineHash = Self.lineHash(result.tokens[first...])
                result.lineHashes.append(lineHash)
                if let boilerplate, boilerplate.isBoilerplate(lineHash) {
                    result.tokens.removeLast(count)
                    if verbose { result.removed.append(RemovedLine(text: string(lo, hi), reason: .learned)) }
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
        var scratch = Tokenizer()
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
        return Hashing.mix(h)
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
        return s.withUTF8 { Bytes.isPatternBoilerplate($0, 0, $0.count) }
    }

    /// If the line starts with a dateline ("SERAMBINEWS.COM, BANDA ACEH - ", "LONDON (Reuters) - ",
    /// "Malang, CNN Indonesia -- "), returns the rest of the line.
    static func strippingDateline(_ line: Substring) -> Substring? {
        var s = String(line)
        guard let end = s.withUTF8({ Bytes.datelineEnd($0, 0, $0.count) }) else { return nil }
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
enum Bytes {
    typealias Buffer = UnsafeBufferPointer<UInt8>

    static let prefixes: [[UInt8]] = TextNormalizer.boilerplatePrefixes.map { Array($0.utf8) }

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

    /// - Parameter mayHavePipe: false when the caller knows lo..<hi holds no "|" (skips that scan).
    static func isPatternBoilerplate(_ buf: Buffer, _ lo: Int, _ hi: Int, mayHavePipe: Bool = true) -> Bool {
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
            mayHavePipe && contains(buf, lo, hi, 0x7C)
            && (find(buf, lo, headEnd, "editor") || find(buf, lo, headEnd, "penulis"))
        guard prefixMatch || parenthesized || byline else { return false }
        let words = wordCount(buf, lo, hi, limit: 30)
        if words <= 30 && (prefixMatch || byline) { return true }
        // A short credit fully in parentheses: "(Serambinews.com/Agus Ramadhan)".
        return words <= 12 && parenthesized
    }

    /// `TextNormalizer.looksLikeDateline` for an ASCII prefix p..<q, where every byte is one `Character`:
    /// words are split at spaces, upper case is A-Z, numbers are 0-9 and letters are A-Z and a-z.
    static func looksLikeDateline(_ buf: Buffer, _ p: Int, _ q: Int) -> Bool {
        var marker = false
        for i in p..<q where buf[i] == 0x2C || buf[i] == 0x28 {
            marker = true
            break
        }
        var words = 0
        var i = p
        while i < q {
            if buf[i] == 0x20 {
                i += 1
                continue
            }
            var end = i
            while end < q && buf[end] != 0x20 { end += 1 }
            words += 1
            if words > 14 { return false }
            // The first byte other than "(" and '"' must be upper case or a digit.
            var f = i
            while f < end && (buf[f] == 0x28 || buf[f] == 0x22) { f += 1 }
            if f < end {
                let first = buf[f]
                if !((first >= 0x41 && first <= 0x5A) || (first >= 0x30 && first <= 0x39)) { return false }
                var letters = 0
                var lower = false
                for j in i..<end {
                    let b = buf[j]
                    if b >= 0x41 && b <= 0x5A {
                        letters += 1
                    } else if b >= 0x61 && b <= 0x7A {
                        letters += 1
                        lower = true
                    }
                }
                if letters >= 3 && !lower { marker = true }
                if !marker && find(buf, i, end, ".com") { marker = true }
            }
            i = end
        }
        return words > 0 && marker
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
                var ascii = true
                for b in buf[p..<q] where b >= 0x80 {
                    ascii = false
                    break
                }
                if ascii { return looksLikeDateline(buf, p, q) ? k : nil }
                let prefix = String(decoding: UnsafeBufferPointer(rebasing: buf[p..<q]), as: UTF8.self)
                return TextNormalizer.looksLikeDateline(Substring(prefix)) ? k : nil
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
struct Tokenizer {
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
        tokens.append(Hashing.bytes(word))
        if words != nil { words?.append(String(decoding: word, as: UTF8.self)) }
        word.removeAll(keepingCapacity: true)
    }

    /// ASCII words hashed as they are scanned (FNV-1a, then mixed: the same as `Hashing.bytes`).
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
            Self.forEachASCIIWordHash(bytes) { hash in
                out[n] = hash
                n += 1
            }
            return n
        }
        tokens.append(contentsOf: scratch[0..<n])
    }

    /// Calls `body` with the hash of each word of an ASCII line: runs of letters and digits, lower-cased,
    /// FNV-1a then mixed (the same as `Hashing.bytes` of the lower-cased word).
    @inline(__always)
    static func forEachASCIIWordHash(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UInt64) -> Void) {
        var h: UInt64 = Hashing.fnvOffset
        var inWord = false
        for b in bytes {
            let c = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
            if (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) {
                h = (h ^ UInt64(c)) &* Hashing.fnvPrime
                inWord = true
            } else if inWord {
                body(Hashing.mix(h))
                h = Hashing.fnvOffset
                inWord = false
            }
        }
        if inWord { body(Hashing.mix(h)) }
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
