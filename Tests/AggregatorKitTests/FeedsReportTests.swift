import Foundation
import Store
import Testing

@testable import AggregatorKit

/// `aggregator feeds` tells a failing feed from one that was unreachable while the network was down.
@Suite struct FeedsReportTests {
    func report(failures: Int, error: String?, succeeded: Bool) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("feedsreport-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try Store(path: dir.appendingPathComponent("news.sqlite").path)
        let config = try Config.parse("[[feeds]]\nname = \"kompas\"\nurl = \"https://kompas.example/rss\"\n", path: "/tmp/feeds.toml")
        let records = try store.syncFeeds([("kompas", "https://kompas.example/rss", nil)])
        var update = FetchStateUpdate(attemptedAt: Date(), succeeded: succeeded)
        update.error = error
        update.consecutiveFailures = failures
        update.status = succeeded ? 200 : nil
        try store.recordState(feedID: try #require(records["kompas"]).id, update)
        var health: [String: FeedHealth] = [:]
        for row in try store.feedHealth(now: Date()) { health[row.record.name] = row }
        return FeedsReport.render(config: config, health: health, json: false, timeZone: .gmt, width: 120)
    }

    @Test func showsCountedFailuresWithTheirError() throws {
        let text = try report(failures: 2, error: "HTTP 500", succeeded: false)
        #expect(text.contains("failing ×2"))
        #expect(text.contains("last error: HTTP 500"))
    }

    @Test func showsANetworkDownFailureAsUnreachableNotOK() throws {
        let text = try report(failures: 0, error: "could not resolve host: kompas.example", succeeded: false)
        #expect(text.contains("unreachable"))
        #expect(!text.contains("ok"))
        #expect(text.contains("last error: could not resolve host"))
    }

    @Test func showsAHealthyFeedAsOK() throws {
        let text = try report(failures: 0, error: nil, succeeded: true)
        #expect(text.contains("ok (200)"))
        #expect(!text.contains("last error"))
    }
}
