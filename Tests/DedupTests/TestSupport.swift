@testable import Dedup

/// A small deterministic generator for synthetic sets and texts (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random "news-like" text from a fixed vocabulary, so different stories share words but not phrases.
func syntheticArticle(seed: UInt64, sentences: Int = 30) -> [String] {
    let vocabulary = [
        "pemerintah", "presiden", "menteri", "warga", "kota", "jakarta", "polisi", "kasus", "ekonomi", "harga",
        "minyak", "pasar", "banjir", "sekolah", "rumah", "sakit", "jalan", "desa", "petani", "nelayan",
        "the", "government", "said", "on", "tuesday", "police", "report", "market", "prices", "rose",
        "after", "minister", "told", "reporters", "in", "city", "council", "plan", "new", "law", "court",
        "yang", "dan", "di", "ke", "dari", "untuk", "dengan", "pada", "ini", "itu", "akan", "telah", "juga",
        "2025", "17", "ribu", "juta", "rp", "persen",
    ]
    var rng = SeededGenerator(seed: seed)
    var lines: [String] = []
    for _ in 0..<sentences {
        let n = Int.random(in: 10...22, using: &rng)
        var words: [String] = []
        for _ in 0..<n { words.append(vocabulary[Int.random(in: 0..<vocabulary.count, using: &rng)]) }
        words[0] = words[0].prefix(1).uppercased() + words[0].dropFirst()
        lines.append(words.joined(separator: " ") + ".")
    }
    return lines
}
