import Foundation

/// Deterministic generator of news-like items: Zipf-distributed pseudo-words, sentences with capitals,
/// numbers and punctuation, datelines, related-link lines and footers; a share of items are syndicated
/// copies of a recent item (other dateline, other links, a few edited words, closing paragraph dropped).
struct NewsGenerator {
    struct Item {
        var title: String
        var text: String
        var published: Date
        /// Index of the item this one copies, if it is a planted copy.
        var copyOf: Int?
    }

    private var rng: SplitMix
    private let words: [String]
    private let cumulative: [Double]
    private var originals: [(title: String, paragraphs: [String], index: Int)] = []
    private(set) var count = 0
    let copyShare: Double
    let itemsPerDay: Double
    let start = Date(timeIntervalSince1970: 1_754_611_200)  // 2025-08-08

    init(seed: UInt64, copyShare: Double = 0.2, itemsPerDay: Double = 20_000) {
        rng = SplitMix(state: seed)
        self.copyShare = copyShare
        self.itemsPerDay = itemsPerDay
        let syllables = [
            "ka", "ra", "ma", "ta", "pe", "ne", "si", "lo", "gu", "da", "ban", "ter", "kan", "lah", "an", "in",
            "ber", "me", "di", "ju", "wa", "ha", "sa", "po", "li", "tu", "ng", "or", "en", "st", "re", "co",
        ]
        var g = SplitMix(state: 7)
        var w: [String] = []
        var seen = Set<String>()
        while w.count < 20_000 {
            let n = 1 + Int(g.next() % 4)
            var s = ""
            for _ in 0..<n { s += syllables[Int(g.next() % UInt64(syllables.count))] }
            if seen.insert(s).inserted { w.append(s) }
        }
        words = w
        var c: [Double] = []
        var total = 0.0
        for rank in 1...w.count {
            total += 1 / Double(rank)
            c.append(total)
        }
        cumulative = c.map { $0 / total }
    }

    private mutating func word() -> String {
        let u = Double(rng.next() >> 11) / Double(1 << 53)
        var lo = 0
        var hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] < u { lo = mid + 1 } else { hi = mid }
        }
        return words[lo]
    }

    private mutating func sentence() -> String {
        let n = 8 + Int(rng.next() % 18)
        var parts: [String] = []
        for i in 0..<n {
            var w = word()
            if i == 0 || rng.next() % 9 == 0 { w = w.prefix(1).uppercased() + w.dropFirst() }
            if rng.next() % 25 == 0 { w = String(rng.next() % 2025) }
            if rng.next() % 14 == 0 { w += "," }
            parts.append(w)
        }
        return parts.joined(separator: " ") + "."
    }

    private mutating func title() -> String {
        let n = 6 + Int(rng.next() % 8)
        return (0..<n).map { _ in
            let w = word()
            return w.prefix(1).uppercased() + w.dropFirst()
        }.joined(separator: " ")
    }

    private mutating func dateline() -> String {
        let place = word().uppercased()
        let portal = ["TRIBUNNEWS.COM", "SERAMBINEWS.COM", "KOMPAS.com", "(ANTARA)", "(Reuters)"][Int(rng.next() % 5)]
        return "\(place), \(portal) - "
    }

    mutating func next() -> Item {
        defer { count += 1 }
        let published = start.addingTimeInterval(Double(count) / itemsPerDay * 86_400)
        if !originals.isEmpty, Double(rng.next() % 1000) / 1000 < copyShare {
            let back = Int(rng.next() % UInt64(min(originals.count, 500)))
            let source = originals[originals.count - 1 - back]
            var paragraphs = source.paragraphs
            if paragraphs.count > 3 && rng.next() % 2 == 0 { paragraphs.removeLast() }
            paragraphs = paragraphs.map { p in
                p.split(separator: " ").map { rng.next() % 60 == 0 ? word() : String($0) }.joined(separator: " ")
            }
            paragraphs[0] = dateline() + paragraphs[0]
            paragraphs.insert("Baca juga: " + title(), at: min(2, paragraphs.count))
            paragraphs.append("Baca dan Ikuti Berita Portal\(rng.next() % 20).com di GOOGLE NEWS")
            let t = rng.next() % 3 == 0 ? "BREAKING: " + source.title : source.title
            return Item(
                title: t, text: paragraphs.joined(separator: "\n"), published: published,
                copyOf: source.index)
        }
        let target = 2000 + Int(rng.next() % 4000)
        var paragraphs: [String] = []
        var size = 0
        while size < target {
            let k = 2 + Int(rng.next() % 3)
            var p = ""
            for _ in 0..<k { p += (p.isEmpty ? "" : " ") + sentence() }
            size += p.utf8.count + 1
            paragraphs.append(p)
        }
        let t = title()
        originals.append((t, paragraphs, count))
        if originals.count > 2000 { originals.removeFirst(1000) }
        var text = paragraphs
        text[0] = dateline() + text[0]
        text.append("Baca dan Ikuti Berita Portal\(rng.next() % 20).com di GOOGLE NEWS")
        return Item(title: t, text: text.joined(separator: "\n"), published: published, copyOf: nil)
    }
}

struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
