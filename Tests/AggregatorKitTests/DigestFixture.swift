import Foundation
import Store
import Testing

@testable import AggregatorKit

/// A fixed database for the digest tests: rows inserted directly with fixed times, so every output is stable.
///
/// The day is 2025-08-08 in Asia/Jakarta (UTC+7): [2025-08-07T17:00Z, 2025-08-08T17:00Z).
/// - cluster 1: three portals (alpha, beta, gamma), first seen 02:00Z, the representative is beta's long copy
/// - cluster 2: two portals, first seen 05:00Z; cluster 3: two portals, first seen 09:00Z (ranks above 2)
/// - singles: alpha at 2025-08-07T17:00:00Z (the day's first second) and 12:00Z (with markup in its title),
///   delta at 2025-08-08T16:59:59Z (the day's last second)
/// - outside the day: gamma at 2025-08-07T16:59:59Z and 2025-08-08T17:00:00Z
struct DigestFixture {
    static let timeZone = TimeZone(identifier: "Asia/Jakarta") ?? .gmt
    static let portals = ["alpha": "Alpha News", "beta": "Beta Daily", "gamma": "Gamma Post", "delta": "Delta"]

    let directory: URL
    let store: Store

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("digest-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("digest.sqlite").path)
        for name in ["alpha", "beta", "gamma", "delta"] {
            try store.db.run("INSERT INTO feeds (name, url) VALUES (?, ?)", name, "https://\(name).example/rss")
        }
        try insertStories()
    }

    static func time(_ text: String) -> Int64 {
        let date = try? Date.ISO8601FormatStyle().parse(text)
        return Int64(date?.timeIntervalSince1970 ?? 0)
    }

    func cluster(_ id: Int64, _ headline: String, first: String, last: String, updated: String) throws {
        try store.db.run(
            "INSERT INTO clusters (id, headline, first_seen, last_seen, updated) VALUES (?, ?, ?, ?, ?)", id, headline,
            Self.time(first), Self.time(last), Self.time(updated))
    }

    func item(
        _ id: Int64, feed: String, cluster: Int64, title: String, link: String?, at time: String,
        similarity: Double = 1,
        summary: String? = nil, content: String? = nil
    ) throws {
        let seconds = Self.time(time)
        try store.db.run(
            """
            INSERT INTO items (id, feed_id, item_key, title, link, summary, content, published, item_time, first_stored,
                content_hash, cluster_id, similarity)
            VALUES (?, (SELECT id FROM feeds WHERE name = ?), ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
            """, id, feed, "key-\(id)", title, link, summary, content, seconds, seconds, seconds, cluster, similarity)
    }

    func representative(_ cluster: Int64, _ item: Int64) throws {
        try store.db.run("UPDATE clusters SET representative_item_id = ? WHERE id = ?", item, cluster)
    }

    static let summitHTML = """
        <p>JAKARTA - The summit opened on Friday with leaders from five countries. Talks went on late.</p>\
        <p>The ministers agreed on a joint statement about trade and energy.</p>\
        <p>Baca juga: Harga beras naik</p>\
        <p>Observers said the next round would follow in September.</p>
        """

    func insertStories() throws {
        try cluster(
            1, "Leaders meet at the summit", first: "2025-08-08T02:00:00Z", last: "2025-08-08T06:00:00Z",
            updated: "2025-08-08T06:05:00Z")
        try item(
            1, feed: "alpha", cluster: 1, title: "Leaders meet at the summit", link: "https://alpha.example/summit",
            at: "2025-08-08T02:00:00Z", similarity: 0.91,
            content:
                "<p>ALPHA - The summit opened on Friday with leaders from five countries. Talks went on late.</p><p>The ministers agreed on a joint statement about trade and energy.</p><p>Read more at Alpha</p>"
        )
        try item(
            2, feed: "beta", cluster: 1, title: "Summit: leaders meet, agree on trade",
            link: "https://beta.example/a?x=1&y=2",
            at: "2025-08-08T03:30:00Z", content: Self.summitHTML)
        try item(
            3, feed: "gamma", cluster: 1, title: "Leaders meet at the summit", link: "javascript:alert(1)",
            at: "2025-08-08T06:00:00Z", similarity: 0.88,
            summary: "The summit opened on Friday with leaders from five countries.")
        try representative(1, 2)

        try cluster(
            2, "Rice prices rise in 14 provinces", first: "2025-08-08T05:00:00Z", last: "2025-08-08T05:30:00Z",
            updated: "2025-08-08T05:30:00Z")
        try item(
            4, feed: "beta", cluster: 2, title: "Rice prices rise in 14 provinces", link: "https://beta.example/rice",
            at: "2025-08-08T05:00:00Z", summary: "Rice prices rose. The agency will intervene.")
        try item(
            5, feed: "delta", cluster: 2, title: "Rice prices up", link: "https://delta.example/rice",
            at: "2025-08-08T05:30:00Z", summary: "Prices of rice rose in fourteen provinces.")
        try representative(2, 4)

        try cluster(
            3, "Earthquake shakes the coast", first: "2025-08-08T09:00:00Z", last: "2025-08-08T09:10:00Z",
            updated: "2025-08-08T09:20:00Z")
        try item(
            6, feed: "gamma", cluster: 3, title: "Earthquake shakes the coast", link: "https://gamma.example/quake",
            at: "2025-08-08T09:00:00Z", summary: "A magnitude 5.6 earthquake shook the coast. No tsunami is expected.")
        try item(
            7, feed: "alpha", cluster: 3, title: "Quake of 5.6 hits coast", link: "http://alpha.example/quake",
            at: "2025-08-08T09:10:00Z", summary: "A 5.6 quake hit the coast.")
        try representative(3, 6)

        try cluster(
            4, "Morning market opens", first: "2025-08-07T17:00:00Z", last: "2025-08-07T17:00:00Z",
            updated: "2025-08-07T17:00:00Z")
        try item(
            8, feed: "alpha", cluster: 4, title: "Morning market opens", link: "https://alpha.example/market",
            at: "2025-08-07T17:00:00Z", summary: "The market opened at midnight.")
        try cluster(
            5, "Tom & Jerry <b>\"quoted\"</b> *stars* [x](javascript:y) #tag", first: "2025-08-08T12:00:00Z",
            last: "2025-08-08T12:00:00Z", updated: "2025-08-08T12:00:00Z")
        try item(
            9, feed: "alpha", cluster: 5, title: "Tom & Jerry <b>\"quoted\"</b> *stars* [x](javascript:y) #tag",
            link: "https://alpha.example/t?a=<b>&c=\"d\"", at: "2025-08-08T12:00:00Z",
            summary: "1. A lead \u{1B}[31mwith an escape\u{1B}[0m and <i>tags</i> & more.")
        try cluster(
            6, "Late night news", first: "2025-08-08T16:59:59Z", last: "2025-08-08T16:59:59Z",
            updated: "2025-08-08T16:59:59Z")
        try item(10, feed: "delta", cluster: 6, title: "Late night news", link: nil, at: "2025-08-08T16:59:59Z")

        try cluster(
            7, "Yesterday's last story", first: "2025-08-07T16:59:59Z", last: "2025-08-07T16:59:59Z",
            updated: "2025-08-07T16:59:59Z")
        try item(
            11, feed: "gamma", cluster: 7, title: "Yesterday's last story", link: "https://gamma.example/y",
            at: "2025-08-07T16:59:59Z")
        try cluster(
            8, "Tomorrow's first story", first: "2025-08-08T17:00:00Z", last: "2025-08-08T17:00:00Z",
            updated: "2025-08-08T17:00:00Z")
        try item(
            12, feed: "gamma", cluster: 8, title: "Tomorrow's first story", link: "https://gamma.example/t",
            at: "2025-08-08T17:00:00Z")
    }

    /// The digest of `day` in `timeZone`.
    func digest(
        _ day: String = "2025-08-08", timeZone: TimeZone = Self.timeZone, minSources: Int = 1,
        groups: [String: String] = [:]
    ) throws -> DigestModel {
        let window = try #require(DigestBuilder.dayWindow(day, timeZone: timeZone))
        return try DigestBuilder.build(
            store: store, start: window.0, end: window.1, label: day, minSources: minSources, portalNames: Self.portals,
            groupNames: groups)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Golden files in `Tests/AggregatorKitTests/Snapshots`, re-recorded with `RECORD_SNAPSHOTS=1`.
enum Snapshot {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Snapshots")

    static func check(_ actual: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: file)
            return
        }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            Issue.record("no snapshot \(name): run the tests with RECORD_SNAPSHOTS=1", sourceLocation: sourceLocation)
            return
        }
        let expected = String(decoding: data, as: UTF8.self)
        if expected != actual {
            let actualFile = FileManager.default.temporaryDirectory.appendingPathComponent("actual-\(name)")
            try? Data(actual.utf8).write(to: actualFile)
            Issue.record(
                "\(name) differs from its snapshot (got \(actualFile.path); RECORD_SNAPSHOTS=1 re-records)",
                sourceLocation: sourceLocation)
        }
    }
}
