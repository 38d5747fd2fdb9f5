import Dedup
import Feeds
import Foundation
import Testing

@testable import AggregatorKit
@testable import Store

/// Index rows live in the day of their item's time; a lookup reads every day its window covers.
@Suite struct KeyPeriodClusteringTests {
    /// An hour before day 20,377 begins.
    static let lateInDay = Date(timeIntervalSince1970: Double(20_377 * 86_400 - 3_600))

    static func item(_ id: String, published: Date?, text: String = UpkeepStories.flood) -> Item {
        var item = Item(
            id: id, title: "Banjir Rendam 12 Desa di Aceh Utara", link: "https://\(id).example/banjir", content: text,
            published: published)
        item.key = id
        return item
    }

    /// The same story with another dateline and its last sentence dropped (not the same text: found by keys).
    static let copy = "LHOKSEUMAWE, SERAMBINEWS.COM - " + UpkeepStories.flood.split(separator: ".").dropLast(2)
        .joined(separator: ".") + "."

    func cluster(_ db: UpkeepDatabase, _ guid: String) throws -> Int64 {
        try db.store.db.scalarInt("SELECT cluster_id FROM items WHERE guid = ?", guid) ?? -1
    }

    @Test func findsACopyPublishedOnALaterDay() throws {
        let db = try UpkeepDatabase(feeds: ["a", "b", "c"])
        try db.ingest("a", [Self.item("a", published: Self.lateInDay)], storedAt: Self.lateInDay)
        let later = Self.lateInDay.addingTimeInterval(2 * 86_400)
        // Another story on the new day first: the lookup has two days with rows to read.
        try db.ingest("c", [Self.item("c", published: later, text: UpkeepStories.market)], storedAt: later)
        try db.ingest("b", [Self.item("b", published: later, text: Self.copy)], storedAt: later)
        #expect(try db.count("SELECT count(DISTINCT period) FROM band_keys") == 2)
        #expect(try cluster(db, "a") == cluster(db, "b"))
    }

    @Test func leavesACopyOutsideTheWindowApart() throws {
        let db = try UpkeepDatabase(feeds: ["a", "b"])
        try db.ingest("a", [Self.item("a", published: Self.lateInDay)], storedAt: Self.lateInDay)
        let later = Self.lateInDay.addingTimeInterval(10 * 86_400)
        try db.ingest("b", [Self.item("b", published: later, text: Self.copy)], storedAt: later)
        #expect(try cluster(db, "a") != cluster(db, "b"))
    }

    @Test func findsTheCopyOfAnUndatedItemWeeksBack() throws {
        let db = try UpkeepDatabase(feeds: ["a", "b", "c"])
        try db.ingest("a", [Self.item("a", published: Self.lateInDay)], storedAt: Self.lateInDay)
        let weeks = Self.lateInDay.addingTimeInterval(20 * 86_400)
        try db.ingest("c", [Self.item("c", published: weeks, text: UpkeepStories.market)], storedAt: weeks)
        try db.ingest("b", [Self.item("b", published: nil, text: Self.copy)], storedAt: weeks)
        #expect(try db.count("SELECT count(DISTINCT period) FROM band_keys") == 2)
        #expect(try cluster(db, "a") == cluster(db, "b"))
        #expect(try cluster(db, "c") != cluster(db, "b"))
    }

    /// The window of an undated item reaches back `undatedLookbackDays`, not through the whole history (its cost
    /// would grow with the history); an older copy still joins by its canonical URL.
    @Test func leavesTheCopyOfAnUndatedItemMonthsBackApartUnlessItsURLIsTheSame() throws {
        let db = try UpkeepDatabase(feeds: ["a", "b", "c"])
        try db.ingest("a", [Self.item("a", published: Self.lateInDay)], storedAt: Self.lateInDay)
        let months = Self.lateInDay.addingTimeInterval(90 * 86_400)
        try db.ingest("b", [Self.item("b", published: nil, text: Self.copy)], storedAt: months)
        #expect(try cluster(db, "a") != cluster(db, "b"))
        var sameLink = Self.item("c", published: nil, text: Self.copy)
        sameLink.link = "https://a.example/banjir"
        try db.ingest("c", [sameLink], storedAt: months)
        #expect(try cluster(db, "a") == cluster(db, "c"))
        // No filter was kept for a's day, three months back.
        #expect(db.store.keyFilter.filters.keys.allSatisfy { $0 >= db.store.keyFilter.recentFrom })
    }

    @Test func readsEachDayThroughItsOwnFilter() throws {
        let db = try UpkeepDatabase(feeds: ["a", "b", "c"])
        let old = Self.lateInDay.addingTimeInterval(-70 * 86_400)
        try db.ingest("a", [Self.item("a", published: old)], storedAt: old)
        // Many items today: the writer's filter gets built, covering today's rows only.
        let stories = KeyFilterClusteringTests.stories(count: 240)
        for start in stride(from: 0, to: stories.count, by: 60) {
            let batch = stories[start..<min(stories.count, start + 60)].map { story in
                var item = story.item
                item.published = Self.lateInDay.addingTimeInterval(-Double(start))
                return item
            }
            try db.ingest("c", batch, storedAt: Self.lateInDay)
        }
        // Each day stored its filter while it was recent.
        #expect(try db.count("SELECT count(*) FROM band_filters") == 2)
        // A copy of the old story, dated then, stored now: its window reaches back to the old day.
        try db.ingest("b", [Self.item("b", published: old.addingTimeInterval(-3_600), text: Self.copy)], storedAt: Self.lateInDay)
        #expect(try cluster(db, "a") == cluster(db, "b"))
        // The old day, more than `recentDays` before the clock's, was read key by key; the writer's rows in it
        // dropped its stored filter (it is not kept up to date any more).
        let storedDays = try db.store.db.query("SELECT period FROM band_filters").map { $0.int(0) }
        #expect(storedDays == [KeyPeriods.period(Int64(Self.lateInDay.timeIntervalSince1970))], "old day \(KeyPeriods.period(Int64(old.timeIntervalSince1970))), recent from \(db.store.keyFilter.recentFrom)")
        #expect(db.store.keyFilter.filters.keys.allSatisfy { $0 >= db.store.keyFilter.recentFrom })
    }

    /// A database from before the day filters (or one whose filter row is gone) has days without one: the
    /// writer builds it from the day's rows and stores it, and a reader builds its own; neither misses a copy.
    @Test(arguments: [false, true])
    func buildsTheFilterOfADayStoredWithoutOne(reader useReader: Bool) throws {
        let db = try UpkeepDatabase(feeds: ["a", "b", "c"])
        try db.ingest("a", [Self.item("a", published: Self.lateInDay)], storedAt: Self.lateInDay)
        try db.ingest("c", [Self.item("c", published: Self.lateInDay, text: UpkeepStories.market)], storedAt: Self.lateInDay)
        try db.store.db.run("DELETE FROM band_filters")
        db.store.keyFilter.reset()
        let copy = Self.item("b", published: Self.lateInDay.addingTimeInterval(600), text: Self.copy)
        if useReader {
            db.store.enableSnapshotLookups()
            let reader = try CandidateReader(path: db.path, deduplicator: db.deduplicator, store: db.store)
            var items = [FetchRun.prepare(copy, feed: "b", boilerplate: nil, deduplicator: db.deduplicator)]
            try reader.lookUp(&items, now: Self.lateInDay, windowDays: 3)
            #expect(items[0].lookup?.matches.isEmpty == false, "the reader found a in the snapshot")
            _ = try db.store.commitFetch(
                feedID: db.feedIDs["b"] ?? -1, feedName: "b",
                update: FetchStateUpdate(attemptedAt: Self.lateInDay, succeeded: true), items: items,
                deduplicator: db.deduplicator, windowDays: 3)
        } else {
            try db.ingest("b", [copy], storedAt: Self.lateInDay)
        }
        #expect(try cluster(db, "a") == cluster(db, "b"))
        #expect(try cluster(db, "c") != cluster(db, "b"))
        // The writer stored the day's filter again, with every key of the day.
        let period = KeyPeriods.period(Int64(Self.lateInDay.timeIntervalSince1970))
        let row = try db.store.db.query("SELECT keys, bits FROM band_filters WHERE period = ?", period).first
        let stored = try #require(row.flatMap { KeyFilter(encoded: $0.blob(1), count: Int($0.int(0)), blocked: true) })
        let keys = try db.store.db.query("SELECT key FROM band_keys WHERE period = ?", period).map { $0.int(0) }
        #expect(keys.count > 40)
        #expect(keys.filter { !stored.mightContain($0) }.isEmpty, "no key forgotten")
    }

    /// Schema 7 kept the rows by week, with a filter per week: the upgrade moves each row to its item's day and
    /// drops the week filters (a day's is built from its rows when first used).
    @Test func movesWeekRowsToTheirDaysOnUpgrade() throws {
        let path = try oldSchemaDatabase(schema: 7) { old in
            try old.execute(
                """
                INSERT INTO feeds (id, name, url) VALUES (1, 'a', 'https://a.example/rss');
                INSERT INTO clusters (id, headline, first_seen, last_seen, updated) VALUES (1, 'Banjir', 0, 0, 0);
                INSERT INTO items (id, feed_id, item_key, title, item_time, first_stored, content_hash, cluster_id)
                    VALUES (1, 1, 'a', 'Banjir', 1760000000, 0, 0, 1), (2, 1, 'b', 'Gempa', 1760200000, 0, 0, 1),
                        (3, 1, 'c', 'Cabai', -100, 0, 0, 1);
                INSERT INTO band_keys (period, key, item_id) VALUES (2910, 5, 1), (2910, 5, 2), (2910, 7, 2), (-1, 9, 3);
                INSERT INTO band_filters (period, keys, bits) VALUES (2910, 3, zeroblob(64));
                """)
        }
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let upgraded = try Store(path: path)
        #expect(
            try upgraded.db.query("SELECT period, key, item_id FROM band_keys ORDER BY item_id, key").map {
                [$0.int(0), $0.int(1), $0.int(2)]
            } == [[20_370, 5, 1], [20_372, 5, 2], [20_372, 7, 2], [-1, 9, 3]])
        #expect(try upgraded.db.scalarInt("SELECT count(*) FROM band_filters") == 0)
    }

    /// Exact copies are found by their band keys (the same text, the same signature): no index of text hashes.
    @Test func findsTheSameTextByItsBandKeys() throws {
        let db = try UpkeepDatabase(feeds: ["a", "b"])
        #expect(try db.count("SELECT count(*) FROM sqlite_master WHERE name = 'fingerprints_text_hash'") == 0)
        try db.ingest("a", [Self.item("a", published: Self.lateInDay)], storedAt: Self.lateInDay)
        try db.ingest("b", [Self.item("b", published: Self.lateInDay)], storedAt: Self.lateInDay)
        #expect(try cluster(db, "a") == cluster(db, "b"))
        #expect(try db.count("SELECT count(*) FROM items WHERE similarity = 1.0") == 2)
    }
}
