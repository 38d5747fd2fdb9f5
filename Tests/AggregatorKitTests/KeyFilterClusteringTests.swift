import Dedup
import Feeds
import Foundation
import Testing

@testable import AggregatorKit
@testable import Store

/// The writer's Bloom filter in front of the candidate index only skips lookups that would find nothing: the
/// same items stored with and without it end in the same clusters with the same similarities.
@Suite struct KeyFilterClusteringTests {
    /// Stories of random words with syndicated copies (new dateline, dropped last sentence, teasers).
    static func stories(count: Int) -> [(feed: String, item: Item)] {
        var rng = SplitMix(seed: 7)
        let words = (0..<400).map { i in "kata\(i)" }
        func sentence() -> String { (0..<14).map { _ in words[Int(rng.next() % 400)] }.joined(separator: " ") + "." }
        var out: [(String, Item)] = []
        let start = Date(timeIntervalSince1970: 1_760_000_000)
        for n in 0..<count {
            let body = (0..<8).map { _ in sentence() }
            let title = (0..<7).map { _ in words[Int(rng.next() % 400)] }.joined(separator: " ")
            let published = start.addingTimeInterval(Double(n) * 600)
            out.append(("a", Item(id: "a\(n)", title: title, link: "https://a.example/\(n)", content: body.joined(separator: " "), published: published)))
            if n % 3 == 0 {
                let copy = "JAKARTA - " + body.dropLast().joined(separator: " ")
                out.append(("b", Item(id: "b\(n)", title: title + " (update)", link: "https://b.example/\(n)", content: copy, published: published)))
            }
            if n % 5 == 0 {
                let teaser = String(body[0].prefix(120))
                out.append(("c", Item(id: "c\(n)", title: title, link: "https://c.example/\(n)", summary: teaser, published: published)))
            }
        }
        return out.map { feed, item in
            var keyed = item
            keyed.key = item.id ?? ""
            return (feed, keyed)
        }
    }

    struct SplitMix {
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

    func clusters(filter: Bool) throws -> [String] {
        let db = try UpkeepDatabase(feeds: ["a", "b", "c"])
        db.store.keyFilter.enabled = filter
        let all = Self.stories(count: 240)
        for start in stride(from: 0, to: all.count, by: 40) {
            for feed in ["a", "b", "c"] {
                let items = all[start..<min(all.count, start + 40)].filter { $0.feed == feed }.map(\.item)
                // Stored when they were published (the week filters serve the weeks near the clock).
                if !items.isEmpty { try db.ingest(feed, items, storedAt: Date(timeIntervalSince1970: 1_760_200_000)) }
            }
        }
        // The writer keeps the week filters either way (another connection may use them).
        #expect(try db.count("SELECT count(*) FROM band_filters") >= 1)
        return try db.store.db.query(
            "SELECT i.guid, i.cluster_id, i.similarity FROM items i ORDER BY i.guid"
        ).map { "\($0.text(0)) \($0.int(1)) \($0.double(2))" }
    }

    @Test func clustersExactlyAsPlainLookupsDo() throws {
        let with = try clusters(filter: true)
        let without = try clusters(filter: false)
        #expect(with.count > 300)
        #expect(with == without)
        // The copies were found: fewer clusters than items.
        #expect(Set(with.map { $0.split(separator: " ")[1] }).count < with.count * 3 / 4)
    }
}
