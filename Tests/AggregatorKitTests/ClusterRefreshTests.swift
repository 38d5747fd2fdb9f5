import Dedup
import Feeds
import Foundation
import Testing

@testable import AggregatorKit
@testable import Store

/// The writer keeps the members of the clusters it touched (`Store.clusterMembers`) so a joining copy does not
/// read them all again: what it stores must be what reading them from the table gives.
@Suite struct ClusterRefreshTests {
    static let day = Date(timeIntervalSince1970: 1_760_000_000)

    static func item(_ key: String, title: String, text: String, hoursAfter: Double) -> Item {
        var item = Item(
            id: key, title: title, link: "https://\(key).example/berita", content: text,
            published: day.addingTimeInterval(hoursAfter * 3_600))
        item.key = key
        return item
    }

    /// Headline, representative, time span and every similarity of each cluster, as stored.
    func state(_ db: UpkeepDatabase) throws -> [[String]] {
        let clusters = try db.store.db.query(
            "SELECT id, headline, representative_item_id, first_seen, last_seen FROM clusters ORDER BY id"
        ).map { row in (0..<5).map { row.textOrNil($0) ?? String(row.int($0)) } }
        let items = try db.store.db.query("SELECT id, cluster_id, similarity FROM items ORDER BY id").map {
            [String($0.int(0)), String($0.int(1)), String($0.double(2))]
        }
        return clusters + items
    }

    @Test func storesWhatReadingTheMembersFromTheTableWouldStore() throws {
        let cached = try UpkeepDatabase(feeds: ["a", "b", "c", "d"])
        let uncached = try UpkeepDatabase(feeds: ["a", "b", "c", "d"])
        let flood = UpkeepStories.flood
        let teaser = String(flood.prefix(400))
        let longer = flood + " Warga diminta tetap waspada karena hujan diperkirakan masih turun hingga akhir pekan."
        // The teaser first, then the full text (a new representative), a copy dated earlier (a new headline and
        // first_seen), a longer copy without a title, an edit of a member (its title and similarity change), and
        // two more copies; each feed in its own transaction.
        let steps: [(String, Item)] = [
            ("a", Self.item("a1", title: "Banjir Aceh Utara", text: teaser, hoursAfter: 2)),
            ("b", Self.item("b1", title: "Banjir Rendam 12 Desa", text: flood, hoursAfter: 3)),
            ("c", Self.item("c1", title: "Banjir Rendam 12 Desa di Aceh Utara", text: "ACEH - " + flood, hoursAfter: 1)),
            ("d", Self.item("d1", title: "", text: longer, hoursAfter: 4)),
            ("a", Self.item("a1", title: "Banjir di Aceh Utara", text: teaser + " Diperbarui.", hoursAfter: 2)),
            ("b", Self.item("b2", title: "Banjir Rendam Desa", text: "LHOKSEUMAWE - " + flood, hoursAfter: 5)),
            // The representative stays: the joining copy is compared with it as the writer holds it.
            ("c", Self.item("c2", title: "Banjir", text: flood + " Bantuan logistik tiba pada Sabtu pagi.", hoursAfter: 6)),
        ]
        for (feed, item) in steps {
            try cached.ingest(feed, [item], storedAt: Self.day)
            uncached.store.clusterMembers.removeAll()
            try uncached.ingest(feed, [item], storedAt: Self.day)
            #expect(try state(cached) == state(uncached), "after \(item.key)")
        }
        // Read from the table alone (fingerprints as stored, not as the writer held them), nothing changes.
        let stored = try state(cached)
        cached.store.clusterMembers.removeAll()
        for id in try cached.store.db.query("SELECT id FROM clusters").map({ $0.int(0) }) {
            try cached.store.db.transaction { try cached.store.refreshCluster(id, now: Int64(Self.day.timeIntervalSince1970)) }
        }
        #expect(try state(cached) == stored)
        #expect(try cached.count("SELECT count(DISTINCT cluster_id) FROM items") == 1)
        #expect(try cached.count("SELECT representative_item_id FROM clusters") == cached.count("SELECT id FROM items WHERE item_key = 'd1'"))
        #expect(try cached.store.db.query("SELECT headline FROM clusters").first?.text(0) == "Banjir Rendam 12 Desa di Aceh Utara")
    }

    /// An edit changes the member's text: its similarity to the representative is computed again.
    @Test func refreshesTheClusterOfAnEditedItem() throws {
        let db = try UpkeepDatabase(feeds: ["a", "b"])
        let flood = UpkeepStories.flood
        try db.ingest("a", [Self.item("a1", title: "Banjir Rendam 12 Desa", text: flood, hoursAfter: 1)], storedAt: Self.day)
        try db.ingest("b", [Self.item("b1", title: "Banjir Aceh", text: "ACEH - " + flood, hoursAfter: 2)], storedAt: Self.day)
        let before = try #require(try db.store.db.query("SELECT similarity FROM items WHERE item_key = 'b1'").first?.double(0))
        let edited = "ACEH - " + String(flood.prefix(flood.count / 2))
            + " Pemerintah kabupaten membuka dapur umum di halaman masjid dan menyalurkan beras kepada warga yang mengungsi."
        try db.ingest("b", [Self.item("b1", title: "Banjir di Aceh", text: edited, hoursAfter: 2)], storedAt: Self.day)
        let after = try #require(try db.store.db.query("SELECT similarity FROM items WHERE item_key = 'b1'").first?.double(0))
        #expect(after != before)
    }
}

@Suite struct ClusterMemberLengthTests {
    /// The representative is the longest text as SQLite's `length` counts it (code points).
    @Test func countsCharactersAsSQLiteDoes() throws {
        let db = try UpkeepDatabase(feeds: ["a"])
        for text in ["", "banjir", "Aceh — banjir é 🌊 ẞ", String(repeating: "désa ", count: 500)] {
            let sqlite = try #require(try db.store.db.query("SELECT length(?)", text).first?.int(0))
            #expect(ClusterMember.characters(text) == Int(sqlite), "\(text.prefix(20))")
        }
    }
}
