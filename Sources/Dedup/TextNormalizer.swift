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

    /// Normalizes a text line by line.
    /// - Parameters:
    ///   - text: plain text, paragraphs separated by "\n".
    ///   - boilerplate: learned per-feed boilerplate, if any.
    ///   - verbose: collect kept and removed lines (for `explain`).
    func normalize(_ text: String, boilerplate: BoilerplateModel? = nil, verbose: Bool = false) -> NormalizedText {
        var result = NormalizedText()
        result.tokens.reserveCapacity(text.utf8.count / 5)
        var scratch = Tokenizer()
        var lineTokens: [UInt64] = []
        var words: [String]? = verbose ? [] : nil
        var contentLines = 0
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            var line = rawLine.trimmingPrefixAndSuffixWhitespace()
            if line.isEmpty { continue }
            if Self.isPatternBoilerplate(line) {
                // "Laporan Wartawan X, Name TRIBUNNEWS.COM, JAKARTA - lead..." (a byline run into the
                // dateline of a summary): the byline goes, the lead after the dateline stays.
                if contentLines < 3, let rest = Self.strippingDateline(line),
                    rest.split(separator: " ").count >= 8, !Self.isPatternBoilerplate(rest)
                {
                    if verbose {
                        result.removed.append(
                            RemovedLine(text: String(line[line.startIndex..<rest.startIndex]), reason: .pattern))
                    }
                    line = rest
                } else {
                    if verbose { result.removed.append(RemovedLine(text: String(line), reason: .pattern)) }
                    continue
                }
            } else if contentLines < 3, let rest = Self.strippingDateline(line) {
                if verbose {
                    result.removed.append(
                        RemovedLine(text: String(line[line.startIndex..<rest.startIndex]), reason: .dateline))
                }
                line = rest
            }
            lineTokens.removeAll(keepingCapacity: true)
            if verbose { words = [] }
            scratch.tokenize(line, into: &lineTokens, words: &words)
            if lineTokens.count < minLineWords {
                if verbose && !lineTokens.isEmpty {
                    result.removed.append(RemovedLine(text: String(line), reason: .short))
                }
                continue
            }
            let lineHash = Self.lineHash(lineTokens)
            result.lineHashes.append(lineHash)
            if let boilerplate, boilerplate.isBoilerplate(lineHash) {
                if verbose { result.removed.append(RemovedLine(text: String(line), reason: .learned)) }
                continue
            }
            contentLines += 1
            result.tokens.append(contentsOf: lineTokens)
            if let words { result.keptLines.append(words.joined(separator: " ")) }
        }
        return result
    }

    /// Tokenizes a short text (a title) without any line rules.
    func words(_ text: String, verbose: Bool = false) -> (tokens: [UInt64], words: [String]) {
        var scratch = Tokenizer()
        var tokens: [UInt64] = []
        var words: [String]? = verbose ? [] : nil
        scratch.tokenize(Substring(text), into: &tokens, words: &words)
        return (tokens, words ?? [])
    }

    static func lineHash(_ tokens: [UInt64]) -> UInt64 {
        var h: UInt64 = 0x6C69_6E65
        for t in tokens { h = Hashing.combine(h, t) }
        return h
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
        let head = line.prefix(40).lowercased()
        let wordCount = line.split(separator: " ", omittingEmptySubsequences: true).count
        if wordCount <= 30 {
            for prefix in boilerplatePrefixes where head.hasPrefix(prefix) { return true }
            // "Penulis: A | Editor: B" anywhere in a short line.
            if line.contains("|"), head.contains("editor") || head.contains("penulis") { return true }
        }
        // A short credit fully in parentheses: "(Serambinews.com/Agus Ramadhan)".
        if wordCount <= 12, line.first == "(", line.last == ")" { return true }
        return false
    }

    /// If the line starts with a dateline ("SERAMBINEWS.COM, BANDA ACEH - ", "LONDON (Reuters) - ",
    /// "Malang, CNN Indonesia -- "), returns the rest of the line.
    ///
    /// A dateline is a prefix of at most 14 words, all capitalized (or parenthesized, or numbers), that
    /// looks like a place or an agency (a comma, parentheses, a ".com" or a word in capitals), followed
    /// by a dash. Ordinary sentences rarely capitalize every word, so they are left alone.
    static func strippingDateline(_ line: Substring) -> Substring? {
        let limit = line.index(line.startIndex, offsetBy: 140, limitedBy: line.endIndex) ?? line.endIndex
        var i = line.startIndex
        while i < limit {
            let c = line[i]
            if c == "-" || c == "–" || c == "—" {
                let prefix = line[line.startIndex..<i]
                // Require whitespace before the dash (not a hyphenated word) unless it is "--".
                guard let before = prefix.last, before == " " || c != "-" || line[line.index(after: i)...].first == "-"
                else {
                    i = line.index(after: i)
                    continue
                }
                var rest = line[i...].drop(while: { $0 == "-" || $0 == "–" || $0 == "—" })
                guard rest.first == " " || rest.first == "\u{00A0}" else { return nil }
                rest = rest.drop(while: { $0 == " " || $0 == "\u{00A0}" })
                return looksLikeDateline(prefix) && !rest.isEmpty ? rest : nil
            }
            i = line.index(after: i)
        }
        return nil
    }

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

    init() { word.reserveCapacity(64) }

    mutating func tokenize(_ line: Substring, into tokens: inout [UInt64], words: inout [String]?) {
        var ascii = true
        for b in line.utf8 where b >= 0x80 {
            ascii = false
            break
        }
        if ascii {
            tokenizeASCII(line.utf8, into: &tokens, words: &words)
        } else {
            let folded = String(line).precomposedStringWithCompatibilityMapping
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

    private mutating func tokenizeASCII(
        _ bytes: Substring.UTF8View, into tokens: inout [UInt64], words: inout [String]?
    ) {
        for b in bytes {
            switch b {
            case 0x30...0x39, 0x61...0x7A: word.append(b)
            case 0x41...0x5A: word.append(b | 0x20)
            default: flush(into: &tokens, words: &words)
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
