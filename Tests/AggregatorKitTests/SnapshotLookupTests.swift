import Dedup
import Feeds
import Foundation
import Testing

@testable import AggregatorKit
@testable import Store

/// Candidates looked up in a read snapshot off the writer thread (`CandidateReader`), with the writer adding the
/// items stored after it (`RecentItems`), place every item exactly where the writer's own lookups do.
@Suite struct SnapshotLookupTests {
    typealias Story = (feed: String, item: Item)

    /// Writes `batches` in order; with `ahead` > 0, each batch is looked up in a snapshot taken `ahead` batches
    /// before it is written (as fetch's lookup thread runs ahead of the writer).
    /// `dropEvery`: every n-th item loses its lookup (as when a lookup fails): the writer looks it up itself.
    /// `newReaderEvery`: a new reader every n lookups (as successive fetch runs on one Store would).
    /// `maxHeld`: the reader hands its committed items to the snapshot's side past this many.
    func store(
        _ batches: [[Story]], ahead: Int?, dropEvery: Int = 0, newReaderEvery: Int = 0, maxHeld: Int = 100_000
    ) throws -> (UpkeepDatabase, [String]) {
        let db = try UpkeepDatabase(feeds: ["a", "b", "c"])
        let now = Date(timeIntervalSince1970: 1_760_100_000)
        func prepared(_ batch: [Story], _ feed: String) -> [PreparedItem] {
            batch.filter { $0.feed == feed }.map {
                FetchRun.prepare($0.item, feed: feed, boilerplate: nil, deduplicator: db.deduplicator)
            }
        }
        var looked: [[String: [PreparedItem]]] = []
        var reader: CandidateReader?
        if ahead != nil {
            db.store.enableSnapshotLookups()
            reader = try CandidateReader(path: db.path, deduplicator: db.deduplicator, store: db.store)
            reader?.maxHeld = maxHeld
        }
        var lookups = 0
        func lookUp(_ k: Int) throws {
            lookups += 1
            if newReaderEvery > 0, lookups % newReaderEvery == 0 {
                reader = try CandidateReader(path: db.path, deduplicator: db.deduplicator, store: db.store)
                reader?.maxHeld = maxHeld
            }
            var perFeed: [String: [PreparedItem]] = [:]
            for feed in ["a", "b", "c"] {
                var items = prepared(batches[k], feed)
                try reader?.lookUp(&items, now: now, windowDays: 3)
                if dropEvery > 0 {
                    for i in items.indices where i % dropEvery == 0 { items[i].dropLookup() }
                }
                perFeed[feed] = items
            }
            looked.append(perFeed)
        }
        let lead = ahead ?? 0
        for k in 0..<min(lead, batches.count) { try lookUp(k) }
        for k in batches.indices {
            if k + lead < batches.count { try lookUp(k + lead) }
            try db.store.db.batch {
                for feed in ["a", "b", "c"] {
                    guard let items = looked[k][feed], !items.isEmpty else { continue }
                    _ = try db.store.commitFetch(
                        feedID: db.feedIDs[feed] ?? -1, feedName: feed,
                        update: FetchStateUpdate(attemptedAt: now, succeeded: true), items: items,
                        deduplicator: db.deduplicator, windowDays: 3)
                }
            }
        }
        let rows = try db.store.db.query("SELECT guid, cluster_id, similarity FROM items ORDER BY guid").map {
            "\($0.text(0)) \($0.int(1)) \($0.double(2))"
        }
        return (db, rows)
    }

    static func batches() -> [[Story]] {
        let all = KeyFilterClusteringTests.stories(count: 150)
        var batches = stride(from: 0, to: all.count, by: 25).map { Array(all[$0..<min(all.count, $0 + 25)]) }
        // Edits: an item stored early comes back with another story's text (its copies must now find it by
        // the new text, not the old).
        // a1 has no copies; after its edit, a copy of its old text arrives, looked up (when ahead) in a snapshot
        // taken before the edit, which still holds a1's old keys.
        let first = all.first { $0.item.id == "a1" }?.item ?? all[0].item
        var edited = first
        edited.content = all[60].item.content
        edited.title = "Judul yang diganti sama sekali"
        var edited2 = all.first { $0.item.id == "a4" }?.item ?? all[0].item
        edited2.content = (edited2.content ?? "") + " Tambahan paragraf baru di akhir berita ini."
        batches[2].append(("a", edited))
        batches[3].append(("a", edited2))
        var oldCopy = first
        oldCopy.id = "b-old1"
        oldCopy.key = "b-old1"
        oldCopy.link = "https://b.example/old1"
        batches[4].append(("b", oldCopy))
        return batches
    }

    @Test func placesItemsAsTheWritersOwnLookupsDo() throws {
        let batches = Self.batches()
        let (_, sequential) = try store(batches, ahead: nil)
        // The last two hand items to the snapshot's side every few lookups (the reader holds at most 10 or 30).
        for (ahead, drop, fresh, held) in [
            (0, 0, 0, 100_000), (1, 0, 0, 100_000), (3, 0, 0, 100_000), (2, 3, 0, 100_000), (0, 0, 2, 100_000),
            (1, 0, 0, 10), (3, 0, 0, 30),
        ] {
            let (db, pipelined) = try store(
                batches, ahead: ahead, dropEvery: drop, newReaderEvery: fresh, maxHeld: held)
            let differing = zip(pipelined, sequential).filter { $0 != $1 }.map { "\($0.0) vs \($0.1)" }
            #expect(pipelined.count == sequential.count)
            #expect(
                differing.isEmpty,
                "lookups \(ahead) batches ahead, every \(drop) dropped, new reader every \(fresh), held \(held): \(differing.prefix(5))")
            #expect(try db.count("SELECT count(*) FROM items") == Int64(sequential.count))
        }
        #expect(sequential.count > 200)
        // The copy of a1's old text did not join a1 (its old keys went with the edit).
        let a1 = sequential.first { $0.hasPrefix("a1 ") }?.split(separator: " ")[1]
        let old = sequential.first { $0.hasPrefix("b-old1 ") }?.split(separator: " ")[1]
        #expect(a1 != nil && old != nil && a1 != old)
        // Copies were found.
        #expect(Set(sequential.map { $0.split(separator: " ")[1] }).count < sequential.count * 3 / 4)
    }

    @Test func fallsBackToTheWritersLookupsAfterARollback() throws {
        let db = try UpkeepDatabase(feeds: ["a", "b", "c"])
        db.store.enableSnapshotLookups()
        let reader = try CandidateReader(path: db.path, deduplicator: db.deduplicator, store: db.store)
        let stories = KeyFilterClusteringTests.stories(count: 12)
        let now = Date(timeIntervalSince1970: 1_760_100_000)
        var items = stories.filter { $0.feed == "a" }.map {
            FetchRun.prepare($0.item, feed: "a", boilerplate: nil, deduplicator: db.deduplicator)
        }
        try reader.lookUp(&items, now: now, windowDays: 3)
        #expect(items.allSatisfy { $0.lookup != nil })
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try db.store.db.batch {
                _ = try db.store.commitFetch(
                    feedID: db.feedIDs["a"] ?? -1, feedName: "a",
                    update: FetchStateUpdate(attemptedAt: now, succeeded: true), items: items,
                    deduplicator: db.deduplicator, windowDays: 3)
                throw Boom()
            }
        }
        #expect(db.store.recent.isValid == false)
        #expect(try db.count("SELECT count(*) FROM items") == 0)
        // The stale lookups are ignored now: the copies of feed b still find feed a's items.
        _ = try db.store.commitFetch(
            feedID: db.feedIDs["a"] ?? -1, feedName: "a", update: FetchStateUpdate(attemptedAt: now, succeeded: true),
            items: items, deduplicator: db.deduplicator, windowDays: 3)
        var copies = stories.filter { $0.feed == "b" }.map {
            FetchRun.prepare($0.item, feed: "b", boilerplate: nil, deduplicator: db.deduplicator)
        }
        try reader.lookUp(&copies, now: now, windowDays: 3)
        _ = try db.store.commitFetch(
            feedID: db.feedIDs["b"] ?? -1, feedName: "b", update: FetchStateUpdate(attemptedAt: now, succeeded: true),
            items: copies, deduplicator: db.deduplicator, windowDays: 3)
        let joined = try db.count(
            "SELECT count(*) FROM items b JOIN items a ON a.cluster_id = b.cluster_id AND a.feed_id <> b.feed_id WHERE b.guid LIKE 'b%'")
        #expect(joined == Int64(copies.count))
    }

    /// The reader's Bloom filter, built while some looked-up items are not stored yet, still answers "maybe" for
    /// their keys once they are: a copy of such an item looked up later finds it, held by the reader (`maxHeld`
    /// large) or handed to the snapshot's side (small: the filter learns their keys then).
    @Test(arguments: [100_000, 50])
    func findsItemsThatWereInFlightWhenTheFilterWasBuilt(maxHeld: Int) throws {
        let db = try UpkeepDatabase(feeds: ["a", "b", "c"])
        let now = Date(timeIntervalSince1970: 1_760_100_000)
        let stories = KeyFilterClusteringTests.stories(count: 240)
        // History first, stored before the reader exists, so its filter is not built at once (it pays only after
        // many lookups).
        try db.ingest("c", stories.filter { $0.feed == "c" }.map(\.item), storedAt: now)
        db.store.enableSnapshotLookups()
        let reader = try CandidateReader(path: db.path, deduplicator: db.deduplicator, store: db.store)
        reader.maxHeld = maxHeld
        func items(_ feed: String, _ ids: [String]) -> [PreparedItem] {
            stories.filter { $0.feed == feed && ids.contains($0.item.id ?? "") }.map {
                FetchRun.prepare($0.item, feed: feed, boilerplate: nil, deduplicator: db.deduplicator)
            }
        }
        func write(_ feed: String, _ prepared: [PreparedItem]) throws {
            _ = try db.store.commitFetch(
                feedID: db.feedIDs[feed] ?? -1, feedName: feed,
                update: FetchStateUpdate(attemptedAt: now, succeeded: true), items: prepared,
                deduplicator: db.deduplicator, windowDays: 3)
        }
        // A few items looked up and not stored yet; then enough lookups to build the filter.
        var early = items("a", ["a0", "a3"])
        try reader.lookUp(&early, now: now, windowDays: 3)
        var many = items("a", (100..<200).map { "a\($0)" })
        try reader.lookUp(&many, now: now, windowDays: 3)
        try write("a", early + many)
        // Copies of the early items, looked up after those were stored.
        var copies = items("b", ["b0", "b3"])
        #expect(copies.count == 2)
        try reader.lookUp(&copies, now: now, windowDays: 3)
        try write("b", copies)
        for n in [0, 3] {
            let a = try db.store.db.scalarInt("SELECT cluster_id FROM items WHERE guid = ?", "a\(n)")
            let b = try db.store.db.scalarInt("SELECT cluster_id FROM items WHERE guid = ?", "b\(n)")
            #expect(a != nil && a == b, "b\(n) joins a\(n)")
        }
    }
}
