import Foundation
import Store
import Testing

/// The summary line without its timing: `fetched 1 feed: 1 ok, 0 not modified, …`.
func summary(_ result: CLI.Result) -> String {
    result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        .replacingOccurrences(of: #" in [0-9]+\.[0-9] s:"#, with: ":", options: .regularExpression)
}

/// `aggregator fetch` against server.py: what each server behaviour leaves in the feeds row and items, and what
/// the user is told (summary on stdout, one line per failed feed on stderr, exit code).
@Suite struct FetchRunHTTPTests {
    static func toml(_ feeds: [(name: String, url: String)], settings: String = "", extra: String = "") -> String {
        var text = "[settings]\n\(settings)\n"
        for feed in feeds { text += "\n[[feeds]]\nname = \"\(feed.name)\"\nurl = \"\(feed.url)\"\n\(extra)" }
        return text
    }

    @Test(arguments: ["etag", "lm"])
    func okThenNotModifiedWithEachValidator(validator: String) async throws {
        let server = try FetchServer.start()
        let key = uniqueKey(validator)
        let box = try FetchSandbox(Self.toml([("news", server.url("/items/\(key)?n=3&validators=\(validator)"))]))

        let first = try box.fetch()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(summary(first) == "fetched 1 feed: 1 ok, 0 not modified, 0 failed; 3 new items, 3 new stories")
        #expect(first.stderr.isEmpty)
        var row = try box.feed("news")
        #expect(row.lastStatus == 200 && row.lastError == nil && row.consecutiveFailures == 0)
        #expect(row.etag == (validator == "etag" ? "\"\(key)-3\"" : nil))
        #expect(row.lastModified == (validator == "lm" ? "Tue, 15 Nov 1994 12:45:26 GMT" : nil))
        #expect(try box.itemKeys("news") == ["\(key)-0", "\(key)-1", "\(key)-2"])

        let second = try box.fetch()
        #expect(second.status == 0, "\(second.stderr)")
        #expect(summary(second) == "fetched 1 feed: 0 ok, 1 not modified, 0 failed; 0 new items, 0 new stories")
        let hits = try await server.hits(key)
        #expect(hits.count == 2 && hits.not_modified == 1)
        #expect(hits.inm == [nil, validator == "etag" ? "\"\(key)-3\"" : nil])
        #expect(hits.ims == [nil, validator == "lm" ? "Tue, 15 Nov 1994 12:45:26 GMT" : nil])
        row = try box.feed("news")
        #expect(row.lastStatus == 304 && row.consecutiveFailures == 0)
        #expect(row.etag == (validator == "etag" ? "\"\(key)-3\"" : nil), "a 304 keeps the validators")
        #expect(try box.itemKeys("news").count == 3)
    }

    @Test func refetchesWithoutValidatorsOnceADay() async throws {
        let server = try FetchServer.start()
        let key = uniqueKey("daily")
        let box = try FetchSandbox(Self.toml([("news", server.url("/items/\(key)?n=2"))]))
        #expect(try box.fetch().status == 0)
        let firstUnconditional = try #require(try box.feed("news").lastUnconditional)
        #expect(summary(try box.fetch()).contains("0 ok, 1 not modified"))
        #expect(try box.feed("news").lastUnconditional == firstUnconditional, "a 304 is no unconditional fetch")

        // A day after the last unconditional fetch, the next one goes without validators.
        try box.setTime("last_unconditional", of: "news", to: Date().addingTimeInterval(-25 * 3600))
        let daily = try box.fetch()
        #expect(summary(daily) == "fetched 1 feed: 1 ok, 0 not modified, 0 failed; 0 new items, 0 new stories")
        let hits = try await server.hits(key)
        #expect(hits.inm == [nil, "\"\(key)-2\"", nil])
        #expect(hits.ims == [nil, "Tue, 15 Nov 1994 12:45:26 GMT", nil])
        let row = try box.feed("news")
        #expect(try #require(row.lastUnconditional).timeIntervalSinceNow > -60)
        #expect(try box.itemKeys("news").count == 2, "the same items again are not new")
        // And the day starts over: conditional again.
        #expect(summary(try box.fetch()).contains("0 ok, 1 not modified"))
    }

    @Test(arguments: [301, 308])
    func permanentRedirectSeenThreeTimesUpdatesTheEffectiveURL(code: Int) async throws {
        let server = try FetchServer.start()
        let key = uniqueKey("moved")
        let target = server.url("/items/\(key)?n=1")
        let box = try FetchSandbox(Self.toml([("moved", server.url("/r/\(code)/items/\(key)?n=1"))]))
        for run in 1...2 {
            #expect(try box.fetch("--force").status == 0)
            let row = try box.feed("moved")
            #expect(row.effectiveURL == nil, "run \(run)")
            #expect(row.redirectCount == run && row.redirectTarget == target)
        }
        #expect(try box.fetch("--force").status == 0)
        let row = try box.feed("moved")
        #expect(row.effectiveURL == target)
        #expect(row.redirectCount == 0)
        #expect(try box.feedsJSON("moved")["effective_url"] as? String == target)
        let table = try box.run(["feeds"])
        #expect(table.stdout.contains("→ http://127.0.0.1:\(server.port)/items/moved-"), "\(table.stdout)")
        // The next fetch goes straight to the new URL.
        let before = try await server.hits(key).count
        #expect(try box.fetch("--force").status == 0)
        #expect(try await server.hits(key).count == before + 1)
        #expect(try box.feed("moved").effectiveURL == target)
        #expect(try box.itemKeys("moved").count == 1)
    }

    @Test(arguments: [302, 303, 307])
    func temporaryRedirectNeverUpdatesTheEffectiveURL(code: Int) throws {
        let server = try FetchServer.start()
        let key = uniqueKey("temp")
        let box = try FetchSandbox(Self.toml([("temp", server.url("/r/\(code)/items/\(key)?n=1"))]))
        for _ in 1...4 {
            let result = try box.fetch("--force")
            #expect(summary(result).contains("1 ok"), "\(result.stdout) \(result.stderr)")
        }
        let row = try box.feed("temp")
        #expect(row.effectiveURL == nil && row.redirectCount == 0 && row.redirectTarget == nil)
        #expect(try box.feedsJSON("temp")["effective_url"] as? String == server.url("/r/\(code)/items/\(key)?n=1"))
    }

    /// A failing feed: exit 0 (the run happened), one stderr line naming the feed and the reason, the failure
    /// recorded in the row, nothing stored.
    @Test(
        arguments: [
            ("/loop", "redirect loop", nil),
            ("/status/404", "http 404", 404),
            ("/status/500", "http 500", 500),
            ("/reset", "connection reset", nil),
            ("/truncated", "transfer closed with 9900 bytes remaining", nil),
            ("/html", "got an html page, not a feed", 200),
            ("/bomb?mib=20", "body exceeds 16 mib", nil),
        ] as [(String, String, Int?)])
    func failureIsRecordedAndReported(path: String, reason: String, status: Int?) throws {
        let server = try FetchServer.start()
        let box = try FetchSandbox(Self.toml([("bad", server.url(path))]))
        let started = Date()
        let result = try box.fetch()
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(summary(result) == "fetched 1 feed: 0 ok, 0 not modified, 1 failed; 0 new items, 0 new stories")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("aggregator: feed 'bad' failed: "), "\(result.stderr)")
        #expect(result.stderr.lowercased().contains(reason), "\(result.stderr)")
        let row = try box.feed("bad")
        #expect(row.consecutiveFailures == 1)
        #expect(row.lastStatus == status)
        let error = try #require(row.lastError)
        #expect(!error.isEmpty && !error.contains("\n") && error.lowercased().contains(reason), "\(error)")
        #expect(row.lastSuccess == nil && row.etag == nil && !row.gone)
        // Backoff: 15 minutes after the first failure.
        let wait = try #require(secondsBetween(row.lastAttempt, row.nextDue))
        #expect(wait == 15 * 60)
        #expect(try box.itemKeys("bad").isEmpty)
        let json = try box.feedsJSON("bad")
        #expect(json["consecutive_failures"] as? Int == 1 && json["last_error"] as? String == error)
    }

    @Test func bodyOverTheConfiguredLimitFails() throws {
        let server = try FetchServer.start()
        let box = try FetchSandbox(
            Self.toml([("big", server.url("/big?bytes=200000"))], settings: "max_body_size = \"64KiB\""))
        let result = try box.fetch()
        #expect(result.stderr.hasPrefix("aggregator: feed 'big' failed: "), "\(result.stderr)")
        #expect(result.stderr.contains("64 KiB"), "\(result.stderr)")
        #expect(try box.feed("big").consecutiveFailures == 1)
    }

    @Test func tricklingServerIsCutOffByThePerFeedTimeout() throws {
        let server = try FetchServer.start()
        let box = try FetchSandbox(Self.toml([("slow", server.url("/trickle"))], extra: "timeout = \"2s\"\n"))
        let started = Date()
        let result = try box.fetch()
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 1.5 && elapsed < 15, "\(elapsed)")
        #expect(result.stderr.hasPrefix("aggregator: feed 'slow' failed: "), "\(result.stderr)")
        #expect(result.stderr.contains("2 s"), "\(result.stderr)")
        #expect(try box.feed("slow").consecutiveFailures == 1)
    }

    @Test(arguments: ["/ctype?value=text/plain", "/ctype?value=text/html", "/ctype"])
    func wrongOrMissingContentTypeStillParses(path: String) throws {
        let server = try FetchServer.start()
        let box = try FetchSandbox(Self.toml([("typed", server.url(path))]))
        let result = try box.fetch()
        #expect(
            summary(result) == "fetched 1 feed: 1 ok, 0 not modified, 0 failed; 1 new item, 1 new story",
            "\(result.stderr)")
        #expect(try box.itemKeys("typed") == ["1"])
    }

    @Test func gzipEncodedFeedIsStored() throws {
        let server = try FetchServer.start()
        let box = try FetchSandbox(Self.toml([("packed", server.url("/gzip"))]))
        let result = try box.fetch()
        #expect(summary(result) == "fetched 1 feed: 1 ok, 0 not modified, 0 failed; 1 new item, 1 new story")
        #expect(try box.itemKeys("packed") == ["1"])
    }

    @Test func charsetOnlyInTheHeaderIsHonoured() throws {
        let server = try FetchServer.start()
        let box = try FetchSandbox(Self.toml([("latin", server.url("/latin1-item"))]))
        #expect(summary(try box.fetch()).contains("1 ok"))
        let store = try Store(path: box.db)
        let titles = try store.db.query("SELECT title FROM items").map { $0.text(0) }
        #expect(titles == ["Crème brûlée"])
        #expect(try box.feed("latin").title == "Café")
    }

    @Test func goneIsMarkedAndShownAndNothingIsDeleted() throws {
        let server = try FetchServer.start()
        let key = uniqueKey("gone")
        let box = try FetchSandbox(Self.toml([("old", server.url("/items/\(key)?n=2"))]))
        #expect(try box.fetch().status == 0)
        try box.write(Self.toml([("old", server.url("/status/410"))]))
        let result = try box.fetch()
        #expect(result.status == 0)
        #expect(result.stderr == "aggregator: feed 'old' failed: HTTP 410 gone\n")
        let row = try box.feed("old")
        #expect(row.gone && row.lastStatus == 410 && row.consecutiveFailures == 1)
        #expect(row.nextDue != nil, "a gone feed is still tried, with backoff")
        #expect(try box.itemKeys("old").count == 2)
        #expect(try box.feedsJSON("old")["gone"] as? Bool == true)
        #expect(try box.run(["feeds"]).stdout.contains("gone (410)"))
    }
}
