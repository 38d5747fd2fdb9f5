import Dedup
import Feeds
import Foundation
import Testing

@testable import AggregatorKit
@testable import Store

/// Learned boilerplate counts lines per feed; lines seen once stay in the feed's filter, not in `feed_lines`.
@Suite struct LineCountTests {
    static func items(_ range: Range<Int>, footer: String) -> [Item] {
        range.map { n in
            var item = Item(
                id: "i\(n)", title: "Berita nomor \(n) tentang hal \(n * 7)", link: "https://a.example/\(n)",
                content: "<p>Paragraf unik pertama untuk berita \(n) dengan kata kata \(n * 13).</p>"
                    + "<p>Paragraf unik kedua untuk berita \(n) yang lain lagi \(n * 17).</p>"
                    + "<p>Paragraf unik ketiga \(n) menutup berita dengan angka \(n * 19).</p><p>\(footer)</p>")
            item.key = "i\(n)"
            return item
        }
    }

    @Test func countsRecurringLinesFromTheirFirstSightingAndNoLineSeenOnce() throws {
        let db = try UpkeepDatabase(feeds: ["a"])
        let footer = "Kantor redaksi kami buka setiap hari kerja sejak pukul delapan pagi"
        let sample = Self.items(0..<1, footer: footer)[0]
        #expect(db.deduplicator.lineHashes(of: FetchRun.dedupText(sample)).count == 4, "every line is counted")
        // Three fetches, one item each: the footer's first sighting is remembered by the filter alone.
        for n in 0..<3 { try db.ingest("a", Self.items(n..<(n + 1), footer: footer)) }
        try db.ingest("a", Self.items(3..<10, footer: footer))
        let feed = db.feedIDs["a"] ?? -1
        let rows = try db.store.db.query("SELECT line_hash, count FROM feed_lines WHERE feed_id = ?", feed)
        #expect(rows.count == 1, "only the footer recurs")
        #expect(rows.first?.int(1) == 10, "counted in all ten items, the first included")
        let stats = try db.store.lineStatistics(feedID: feed)
        #expect(stats.items == 10)
        #expect(stats.counts.values.sorted() == [10])
        #expect(try db.count("SELECT count(*) FROM feed_line_filters") == 1)
        // The model learned from those counts removes the footer from a new item's text.
        let model = BoilerplateModel(lineCounts: stats.counts, itemCount: stats.items, settings: db.deduplicator.settings)
        #expect(model.isBoilerplate(stats.counts.keys.first ?? 0))
    }

    @Test func keepsCountingRecurringLinesAfterTheFilterStartsAfresh() throws {
        let db = try UpkeepDatabase(feeds: ["a"])
        let footer = "Kantor redaksi kami buka setiap hari kerja sejak pukul delapan pagi"
        // 1,500 items of four lines: 4,500 unique lines overfill the 4,096-line filter within the third fetch.
        for start in stride(from: 0, to: 1_500, by: 500) {
            try db.ingest("a", Self.items(start..<(start + 500), footer: footer))
        }
        let feed = db.feedIDs["a"] ?? -1
        let lines = try db.count("SELECT lines FROM feed_line_filters")
        #expect(lines < 1_000, "the filter started afresh during the third fetch")
        let rows = try db.store.db.query("SELECT count FROM feed_lines WHERE feed_id = ? ORDER BY count DESC", feed)
        #expect(rows.first?.int(0) == 1_500)
        // False "seen before" answers add a few rows for unique lines, never many.
        #expect(rows.count < 80)
    }
}
