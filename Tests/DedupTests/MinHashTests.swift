import Foundation
import Testing

@testable import Dedup

@Suite struct MinHashTests {
    /// Two sets of random 64-bit shingle hashes with `shared` common elements and `only` elements each.
    func pair(shared: Int, only: Int, seed: UInt64) -> ([UInt64], [UInt64]) {
        var rng = SeededGenerator(seed: seed)
        let common = (0..<shared).map { _ in rng.next() }
        let a = common + (0..<only).map { _ in rng.next() }
        let b = common + (0..<only).map { _ in rng.next() }
        return (a, b)
    }

    @Test(arguments: [(0.1, 500), (0.3, 500), (0.5, 500), (0.8, 500), (0.5, 40), (0.3, 60)])
    func estimatesResemblanceWithinExpectedError(jaccard: Double, size: Int) {
        // |A ∩ B| = s, |A| = |B| = size, J = s / (2 size - s)  =>  s = 2 J size / (1 + J)
        let shared = Int((2 * jaccard * Double(size) / (1 + jaccard)).rounded())
        let trueJ = Double(shared) / Double(2 * size - shared)
        let hasher = MinHasher(permutations: 128)
        var total = 0.0
        let trials = 40
        for trial in 0..<trials {
            let (a, b) = pair(shared: shared, only: size - shared, seed: UInt64(trial) * 7919 + UInt64(size))
            let estimate = MinHasher.resemblance(hasher.signature(of: a), hasher.signature(of: b))
            // A single estimate stays within 5 standard deviations of a binomial(128, J) proportion.
            let sigma = (trueJ * (1 - trueJ) / 128).squareRoot()
            #expect(abs(estimate - trueJ) <= 5 * sigma + 0.01, "trial \(trial): \(estimate) vs \(trueJ)")
            total += estimate
        }
        // The mean of 40 estimates is unbiased: within 4 standard errors.
        let mean = total / Double(trials)
        let standardError = (trueJ * (1 - trueJ) / 128 / Double(trials)).squareRoot()
        #expect(abs(mean - trueJ) <= 4 * standardError + 0.01, "mean \(mean) vs \(trueJ)")
    }

    @Test func signaturesAreDeterministicAndOrderIndependent() {
        let (a, _) = pair(shared: 100, only: 0, seed: 1)
        let hasher = MinHasher(permutations: 128)
        #expect(hasher.signature(of: a) == hasher.signature(of: a.reversed()))
        #expect(hasher.signature(of: a) == MinHasher(permutations: 128).signature(of: a + a))
    }

    @Test func emptySetHasNoResemblance() {
        let hasher = MinHasher(permutations: 64)
        let empty = hasher.signature(of: [])
        #expect(MinHasher.resemblance(empty, empty) == 0)
        #expect(empty.allSatisfy { $0 == MinHasher.empty })
    }

    @Test func derivesBandsAndRowsFromThreshold() {
        var settings = DedupSettings()
        settings.permutations = 128
        settings.candidateThreshold = 0.5
        let (bands, rows) = settings.bandsAndRows
        #expect(bands * rows <= 128)
        let implied = pow(1 / Double(bands), 1 / Double(rows))
        #expect(abs(implied - 0.5) < 0.08)
        settings.candidateThreshold = 0.2
        #expect(settings.rows < rows)
    }

    @Test func lshFindsPlantedCopiesAsTheBandingCurvePredicts() {
        let dedup = Deduplicator()
        let normalizer = TextNormalizer(minLineWords: DedupSettings().minLineWords)
        let (bands, rows) = DedupSettings().bandsAndRows
        var rng = SeededGenerator(seed: 42)
        var found = 0
        var foundByAnyKey = 0
        var expected = 0.0
        var variance = 0.0
        var strangers = 0
        let pairs = 200
        for i in 0..<pairs {
            let original = syntheticArticle(seed: UInt64(1000 + i), sentences: 20).joined(separator: "\n")
            // The copy edits about one word in twenty, drops the last paragraphs, adds a related link.
            var lines = syntheticArticle(seed: UInt64(1000 + i), sentences: 20).prefix(16).map { line in
                line.split(separator: " ").map { word in
                    Int.random(in: 0..<20, using: &rng) == 0 ? "diubah" : String(word)
                }.joined(separator: " ")
            }
            lines.insert("Baca juga: Berita lain yang tidak berhubungan sama sekali", at: 3)
            let copy = lines.joined(separator: "\n")
            let a = dedup.fingerprint(DedupDocument(feed: "a", title: "x", text: original), boilerplate: nil)
            let b = dedup.fingerprint(DedupDocument(feed: "b", title: "y", text: copy), boilerplate: nil)
            let other = dedup.fingerprint(
                DedupDocument(
                    feed: "c", title: "z", text: syntheticArticle(seed: UInt64(5000 + i)).joined(separator: "\n")),
                boilerplate: nil)
            let sa = Set(Shingles.hashes(of: normalizer.normalize(original).tokens, k: DedupSettings().shingleSize))
            let sb = Set(Shingles.hashes(of: normalizer.normalize(copy).tokens, k: DedupSettings().shingleSize))
            let j = Double(sa.intersection(sb).count) / Double(sa.union(sb).count)
            let p = 1 - pow(1 - pow(j, Double(rows)), Double(bands))
            expected += p
            variance += p * (1 - p)
            if !Set(a.bandKeys).isDisjoint(with: b.bandKeys) { found += 1 }
            if !Set(a.indexKeys).isDisjoint(with: b.indexKeys) { foundByAnyKey += 1 }
            if !Set(a.indexKeys).isDisjoint(with: other.indexKeys) { strangers += 1 }
        }
        // Band keys: as many pairs as the S-curve 1 - (1 - J^rows)^bands predicts, within 4 sigma.
        #expect(Double(found) >= expected - 4 * variance.squareRoot(), "found \(found), expected \(expected)")
        // All index keys together (bands, lead, title) find practically every copy, and few strangers.
        #expect(foundByAnyKey >= pairs - 2, "recall \(foundByAnyKey)/\(pairs)")
        #expect(strangers <= 4, "unrelated candidates \(strangers)/\(pairs)")
    }
}
