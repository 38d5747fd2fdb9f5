import Foundation
import Testing

@testable import AggregatorKit
@testable import Store

/// A fetch run saves the candidate index's day filters once, at its end (`StoreWriter` defers them): what it
/// stores covers every index row it wrote, as a filter saved at each commit did.
@Suite struct DeferredFilterTests {
    /// An RSS file of `count` items published in the last hours, with words of their own.
    static func feed(_ name: String, count: Int, at dir: URL) throws -> String {
        let now = Date()
        var items = ""
        for i in 0..<count {
            let date = now.addingTimeInterval(-Double(i) * 600)
            let words = (0..<80).map { "w\(name)\(i)x\(($0 * 7919 + i * 104_729) % 100_003)" }.joined(separator: " ")
            items += """
                <item><title>Story \(i) of \(name) with its own headline words</title>
                <link>https://\(name).example/\(i)</link><guid>\(name)-\(i)</guid>
                <pubDate>\(OPML.rfc822(date))</pubDate><description>\(words)</description></item>

                """
        }
        let path = dir.appendingPathComponent("\(name).xml").path
        try "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>\(name)</title>\(items)</channel></rss>"
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func savesFiltersCoveringEveryRowAtTheEndOfARun() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("deferred-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = ""
        for name in ["alpha", "beta", "gamma", "delta"] {
            text += "[[feeds]]\nname = \"\(name)\"\nurl = \"\(try Self.feed(name, count: 40, at: dir))\"\n\n"
        }
        let config = try Config.parse(text, path: dir.appendingPathComponent("feeds.toml").path)
        let path = dir.appendingPathComponent("news.sqlite").path
        // Many small transactions, as in a long run.
        setenv("AGGREGATOR_WRITER_BATCH", "30", 1)
        defer { unsetenv("AGGREGATOR_WRITER_BATCH") }
        let report = try await FetchRun.run(config: config, databasePath: path, options: FetchRunOptions())
        #expect(report.newItems == 160)

        let store = try Store(path: path)
        let days = try store.db.query("SELECT DISTINCT period FROM band_keys").map { $0.int(0) }
        #expect(!days.isEmpty)
        for day in days {
            let row = try #require(try store.db.query("SELECT keys, bits FROM band_filters WHERE period = ?", day).first)
            let filter = try #require(KeyFilter(encoded: row.blob(1), count: Int(row.int(0)), blocked: true))
            let keys = try store.db.query("SELECT key FROM band_keys WHERE period = ?", day).map { $0.int(0) }
            #expect(keys.allSatisfy(filter.mightContain), "day \(day): every row's key is in its stored filter")
        }
        // Saves at commits again once the run is over: the store's next write keeps the filters current.
        #expect(!store.keyFilter.defersSaves)
    }
}
