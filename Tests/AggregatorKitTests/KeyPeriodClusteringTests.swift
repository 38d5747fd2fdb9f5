import Dedup
import Feeds
import Foundation
import Testing

@testable import AggregatorKit
@testable import Store

/// Index rows live in the week of their item's time; a lookup reads every week its window covers.
@Suite struct KeyPeriodClusteringTests {
    /// An hour before week 2911 begins.
    static let lateInWeek = Date(timeIntervalSince1970: Double(2911 * 604_800 - 3_600))

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

    @Test func findsACopyPublishedInTheNextWeek() throws {
        let db = try UpkeepDatabase(feeds: ["a", "b", "c"])
        try db.ingest("a", [Self.item("a", published: Self.lateInWeek)], storedAt: Self.lateInWeek)
        let later = Self.lateInWeek.addingTimeInterval(2 * 86_400)
        // Another story in the new week first: the lookup has two weeks with rows to read.
        try db.ingest("c", [Self.item("c", published: later, text: UpkeepStories.market)], storedAt: later)
        try db.ingest("b", [Self.item("b", published: later, text: Self.copy)], storedAt: later)
        #expect(try db.count("SELECT count(DISTINCT period) FROM band_keys") == 2)
        #expect(try cluster(db, "a") == cluster(db, "b"))
    }

    @Test func leavesACopyOutsideTheWindowApart() throws {
        let db = try UpkeepDatabase(feeds: ["a", "b"])
        try db.ingest("a", [Self.item("a", published: Self.lateInWeek)], storedAt: Self.lateInWeek)
        let later = Self.lateInWeek.addingTimeInterval(10 * 86_400)
        try db.ingest("b", [Self.item("b", published: later, text: Self.copy)], storedAt: later)
        #expect(try cluster(db, "a") != cluster(db, "b"))
    }

    @Test func findsTheCopyOfAnUndatedItemInAnyWeek() throws {
        let db = try UpkeepDatabase(feeds: ["a", "b", "c"])
        try db.ingest("a", [Self.item("a", published: Self.lateInWeek)], storedAt: Self.lateInWeek)
        let months = Self.lateInWeek.addingTimeInterval(90 * 86_400)
        try db.ingest("c", [Self.item("c", published: months, text: UpkeepStories.market)], storedAt: months)
        try db.ingest("b", [Self.item("b", published: nil, text: Self.copy)], storedAt: months)
        #expect(try db.count("SELECT count(DISTINCT period) FROM band_keys") == 2)
        #expect(try cluster(db, "a") == cluster(db, "b"))
        #expect(try cluster(db, "c") != cluster(db, "b"))
        // The undated item's window is the whole history, but only the weeks near the clock keep a filter in
        // memory (a's week, three months back, was read key by key).
        #expect(!db.store.keyFilter.filters.isEmpty)
        #expect(db.store.keyFilter.filters.keys.allSatisfy { $0 >= db.store.keyFilter.recentFrom })
    }

    @Test func readsEachWeekThroughItsOwnFilter() throws {
        let db = try UpkeepDatabase(feeds: ["a", "b", "c"])
        let old = Self.lateInWeek.addingTimeInterval(-70 * 86_400)
        try db.ingest("a", [Self.item("a", published: old)], storedAt: old)
        // Many items this week: the writer's filter gets built, covering this week's rows only.
        let stories = KeyFilterClusteringTests.stories(count: 240)
        for start in stride(from: 0, to: stories.count, by: 60) {
            let batch = stories[start..<min(stories.count, start + 60)].map { story in
                var item = story.item
                item.published = Self.lateInWeek.addingTimeInterval(-Double(start))
                return item
            }
            try db.ingest("c", batch, storedAt: Self.lateInWeek)
        }
        // Each week stored its filter while it was recent.
        #expect(try db.count("SELECT count(*) FROM band_filters") == 2)
        // A copy of the old story, dated then, stored now: its window reaches back to the old week.
        try db.ingest("b", [Self.item("b", published: old.addingTimeInterval(-3_600), text: Self.copy)], storedAt: Self.lateInWeek)
        #expect(try cluster(db, "a") == cluster(db, "b"))
        // The old week, more than four before the clock's, was read key by key; the writer's rows in it dropped its
        // stored filter (it is not kept up to date any more).
        let storedWeeks = try db.store.db.query("SELECT period FROM band_filters").map { $0.int(0) }
        #expect(storedWeeks == [KeyPeriods.period(Int64(Self.lateInWeek.timeIntervalSince1970))], "old week \(KeyPeriods.period(Int64(old.timeIntervalSince1970))), recent from \(db.store.keyFilter.recentFrom)")
        #expect(db.store.keyFilter.filters.keys.allSatisfy { $0 >= db.store.keyFilter.recentFrom })
    }

    /// A database from before the week filters (or one whose filter row is gone) has weeks without one: the
    /// writer builds it from the week's rows and stores it, and a reader builds its own; neither misses a copy.
    @Test(arguments: [false, true])
    func buildsTheFilterOfAWeekStoredWithoutOne(reader useReader: Bool) throws {
        let db = try UpkeepDatabase(feeds: ["a", "b", "c"])
        try db.ingest("a", [Self.item("a", published: Self.lateInWeek)], storedAt: Self.lateInWeek)
        try db.ingest("c", [Self.item("c", published: Self.lateInWeek, text: UpkeepStories.market)], storedAt: Self.lateInWeek)
        try db.store.db.run("DELETE FROM band_filters")
        db.store.keyFilter.reset()
        let copy = Self.item("b", published: Self.lateInWeek.addingTimeInterval(600), text: Self.copy)
        if useReader {
            db.store.enableSnapshotLookups()
            let reader = try CandidateReader(path: db.path, deduplicator: db.deduplicator, store: db.store)
            var items = [FetchRun.prepare(copy, feed: "b", boilerplate: nil, deduplicator: db.deduplicator)]
            try reader.lookUp(&items, now: Self.lateInWeek, windowDays: 3)
            #expect(items[0].lookup?.matches.isEmpty == false, "the reader found a in the snapshot")
            _ = try db.store.commitFetch(
                feedID: db.feedIDs["b"] ?? -1, feedName: "b",
                update: FetchStateUpdate(attemptedAt: Self.lateInWeek, succeeded: true), items: items,
                deduplicator: db.deduplicator, windowDays: 3)
        } else {
            try db.ingest("b", [copy], storedAt: Self.lateInWeek)
        }
        #expect(try cluster(db, "a") == cluster(db, "b"))
        #expect(try cluster(db, "c") != cluster(db, "b"))
        // The writer stored the week's filter again, with every key of the week.
        let period = KeyPeriods.period(Int64(Self.lateInWeek.timeIntervalSince1970))
        let row = try db.store.db.query("SELECT keys, bits FROM band_filters WHERE period = ?", period).first
        let stored = try #require(row.flatMap { KeyFilter(encoded: $0.blob(1), count: Int($0.int(0)), blocked: true) })
        let keys = try db.store.db.query("SELECT key FROM band_keys WHERE period = ?", period).map { $0.int(0) }
        #expect(keys.count > 40)
        #expect(keys.filter { !stored.mightContain($0) }.isEmpty, "no key forgotten")
    }
}
