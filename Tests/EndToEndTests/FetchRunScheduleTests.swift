import Foundation
import Store
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `aggregator fetch` on a schedule: next_due from server hints, intervals and backoff; not-due feeds skipped
/// unless `--force`; subsets; network down; the run lock; `--quiet`.
@Suite struct FetchRunScheduleTests {
    static func toml(_ feeds: [(name: String, url: String)], settings: String = "", extra: String = "") -> String {
        FetchRunHTTPTests.toml(feeds, settings: settings, extra: extra)
    }

    /// Seconds from the last attempt to the next due time, as stored.
    static func wait(_ row: FeedRecord) throws -> Double { try #require(secondsBetween(row.lastAttempt, row.nextDue)) }

    @Test(arguments: [429, 503])
    func retryAfterInSecondsAndAsHTTPDateIsHonoured(code: Int) throws {
        let server = try FetchServer.start()
        let box = try FetchSandbox(Self.toml([("busy", server.url("/status/\(code)?retry-after=7200"))]))
        let result = try box.fetch()
        #expect(result.stderr == "aggregator: feed 'busy' failed: HTTP \(code)\n")
        var row = try box.feed("busy")
        #expect(row.lastStatus == code && row.consecutiveFailures == 1)
        #expect(try Self.wait(row) == 7200, "Retry-After wins over the 15 min backoff")

        // Not due: skipped without a request, and the summary says so.
        let skipped = try box.fetch()
        #expect(skipped.status == 0 && skipped.stderr.isEmpty, "\(skipped.stderr)")
        #expect(
            summary(skipped) == "fetched 0 feeds: 0 ok, 0 not modified, 0 failed, 1 not due; 0 new items, 0 new stories"
        )
        #expect(try box.feed("busy").lastAttempt == row.lastAttempt)

        // An HTTP date three hours ahead (whole seconds, as HTTP dates are).
        let date = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 3 * 3600).rounded(.down))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let header = formatter.string(from: date).replacingOccurrences(of: " ", with: "%20")
        try box.write(Self.toml([("busy", server.url("/status/\(code)?retry-after=\(header)"))]))
        let forced = try box.fetch("--force")
        #expect(summary(forced).hasPrefix("fetched 1 feed: 0 ok, 0 not modified, 1 failed"), "\(forced.stdout)")
        row = try box.feed("busy")
        #expect(row.nextDue == date)
        #expect(row.consecutiveFailures == 1, "a changed URL starts afresh")
    }

    @Test func serverErrorsBackOffDoublingFrom15MinutesTo24Hours() throws {
        let server = try FetchServer.start()
        let box = try FetchSandbox(Self.toml([("broken", server.url("/status/500"))]))
        var waits: [Double] = []
        for _ in 1...8 {
            let result = try box.fetch("--force")
            #expect(result.stderr == "aggregator: feed 'broken' failed: HTTP 500\n")
            waits.append(try Self.wait(try box.feed("broken")))
        }
        #expect(waits.map { Int($0 / 60) } == [15, 30, 60, 120, 240, 480, 960, 1440])
        let row = try box.feed("broken")
        #expect(row.consecutiveFailures == 8 && row.lastSuccess == nil)
        let table = try box.run(["feeds"])
        #expect(table.stdout.contains("failing ×8") && table.stdout.contains("last error: HTTP 500"), "\(table.stdout)")
    }

    @Test func recoveryResetsTheFailureCount() throws {
        let server = try FetchServer.start()
        let key = uniqueKey("recover")
        let box = try FetchSandbox(Self.toml([("flaky", server.url("/r/302/status/500"))]))
        _ = try box.fetch()
        _ = try box.fetch("--force")
        #expect(try box.feed("flaky").consecutiveFailures == 2)
        // The same configured URL now leads somewhere that works (the redirect target changed).
        try box.write(Self.toml([("flaky", server.url("/r/302/items/\(key)?n=1"))]))
        try box.setTime("next_due", of: "flaky", to: Date().addingTimeInterval(-1))
        let result = try box.fetch()
        #expect(summary(result).contains("1 ok"), "\(result.stdout) \(result.stderr)")
        let row = try box.feed("flaky")
        #expect(row.consecutiveFailures == 0 && row.lastError == nil && row.lastStatus == 200)
        #expect(try box.feedsJSON("flaky")["consecutive_failures"] as? Int == 0)
    }

    /// A feed whose URL is changed in feeds.toml starts afresh: due at once, no failures, and none of the old
    /// URL's validators (the new server could answer them with a 304 and its items would never be stored).
    @Test func changingTheURLInTheConfigStartsAfresh() async throws {
        let server = try FetchServer.start()
        let (old, new) = (uniqueKey("old"), uniqueKey("new"))
        let box = try FetchSandbox(Self.toml([("news", server.url("/items/\(old)?n=1&validators=lm&ttl=60"))]))
        #expect(summary(try box.fetch()).contains("1 ok"))
        #expect(try box.feed("news").lastModified != nil)
        try box.write(Self.toml([("news", server.url("/items/\(new)?n=2&validators=lm"))]))
        let result = try box.fetch()
        #expect(
            summary(result) == "fetched 1 feed: 1 ok, 0 not modified, 0 failed; 2 new items, 2 new stories",
            "\(result.stdout)")
        #expect(try await server.hits(new).ims == [nil], "no validator of the old URL is sent to the new one")
        #expect(try box.itemKeys("news") == ["\(old)-0", "\(new)-0", "\(new)-1"], "old items are kept")

        // A failing feed whose URL is fixed is fetched at the next run, not after its backoff.
        try box.write(Self.toml([("news", server.url("/status/500"))]))
        _ = try box.fetch()
        try box.write(Self.toml([("news", server.url("/items/\(old)?n=1"))]))
        #expect(try box.feed("news").consecutiveFailures == 1)
        let fixed = try box.fetch()
        #expect(summary(fixed).contains("1 ok"), "\(fixed.stdout)")
        #expect(try box.feed("news").consecutiveFailures == 0)
    }

    @Test(
        arguments: [
            ("?n=1&ttl=90", "", 90 * 60.0),
            ("?n=1&maxage=600", "", 600),
            ("?n=1", "interval = \"30m\"\n", 1800),
            ("?n=1&ttl=10", "interval = \"30m\"\n", 1800),
            ("?n=1", "", 0),
        ] as [(String, String, Double)])
    func minimumIntervalsSetTheNextDueTime(query: String, extra: String, expected: Double) throws {
        let server = try FetchServer.start()
        let key = uniqueKey("ttl")
        let box = try FetchSandbox(Self.toml([("paced", server.url("/items/\(key)\(query)"))], extra: extra))
        #expect(summary(try box.fetch()).contains("1 ok"))
        #expect(try Self.wait(try box.feed("paced")) == expected)
        let again = try box.fetch()
        if expected > 0 {
            #expect(
                summary(again).contains("fetched 0 feeds") && summary(again).contains("1 not due"), "\(again.stdout)")
            #expect(summary(try box.fetch("--force")).contains("1 ok"), "--force fetches without validators")
        } else {
            #expect(summary(again).contains("1 not modified"), "\(again.stdout)")
        }
    }

    @Test func ttlStillCountsAfterANotModified() throws {
        let server = try FetchServer.start()
        let key = uniqueKey("ttl304")
        let box = try FetchSandbox(Self.toml([("paced", server.url("/items/\(key)?n=1&ttl=60"))]))
        _ = try box.fetch()
        try box.setTime("next_due", of: "paced", to: Date().addingTimeInterval(-1))
        #expect(summary(try box.fetch()).contains("1 not modified"))
        #expect(try Self.wait(try box.feed("paced")) == 3600)
    }

    /// A feed that drops its `<ttl>` is polled at its own pace again, 304s included.
    @Test func droppedTTLNoLongerCounts() async throws {
        let server = try FetchServer.start()
        let key = uniqueKey("dropttl")
        let box = try FetchSandbox(Self.toml([("paced", server.url("/items/\(key)?n=1&ttl=1440"))]))
        _ = try box.fetch()
        #expect(try Self.wait(try box.feed("paced")) == 86400)
        try await server.set(key, "ttl=&n=2")
        #expect(summary(try box.fetch("--force")).contains("1 new item"))
        #expect(try Self.wait(try box.feed("paced")) == 0)
        #expect(summary(try box.fetch()).contains("1 not modified"))
        #expect(try Self.wait(try box.feed("paced")) == 0, "the old ttl is gone from the row too")
    }

    @Test func feedAndTagSelectASubset() throws {
        let server = try FetchServer.start()
        let (a, b, c) = (uniqueKey("a"), uniqueKey("b"), uniqueKey("c"))
        let box = try FetchSandbox(
            """
            [[feeds]]
            name = "alpha"
            url = "\(server.url("/items/\(a)?n=1"))"
            tags = ["world"]

            [[feeds]]
            name = "beta"
            url = "\(server.url("/items/\(b)?n=1"))"
            tags = ["tech", "world"]

            [[feeds]]
            name = "gamma"
            url = "\(server.url("/items/\(c)?n=1"))"
            tags = ["tech"]
            """)
        let one = try box.fetch("--feed", "gamma")
        #expect(summary(one) == "fetched 1 feed: 1 ok, 0 not modified, 0 failed; 1 new item, 1 new story")
        #expect(try box.feed("alpha").lastAttempt == nil && box.feed("beta").lastAttempt == nil)
        #expect(try box.feed("gamma").lastAttempt != nil)

        let world = try box.fetch("--tag", "world")
        #expect(summary(world).hasPrefix("fetched 2 feeds: 2 ok"), "\(world.stdout)")
        #expect(try box.itemKeys("alpha") == ["\(a)-0"] && box.itemKeys("beta") == ["\(b)-0"])

        let unknown = try box.fetch("--feed", "delta")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no feed named 'delta'"), "\(unknown.stderr)")
        #expect(unknown.stdout.isEmpty)
        let untagged = try box.fetch("--tag", "sport")
        #expect(untagged.status == 1 && untagged.stdout.isEmpty)
        #expect(untagged.stderr.contains("no feed tagged 'sport'"), "\(untagged.stderr)")
    }

    @Test func networkDownIsNotCountedAgainstTheFeeds() throws {
        // Port 1 on loopback: nothing listens, every connect is refused at once.
        let box = try FetchSandbox(
            Self.toml([("one", "http://127.0.0.1:1/a.xml"), ("two", "http://127.0.0.1:1/b.xml")]))
        let result = try box.fetch()
        #expect(result.status == 0)
        #expect(summary(result).contains("0 ok, 0 not modified, 2 failed"), "\(result.stdout)")
        #expect(result.stdout.contains("network down"), "\(result.stdout)")
        #expect(result.stderr.contains("aggregator: feed 'one' failed: "), "\(result.stderr)")
        #expect(result.stderr.contains("aggregator: feed 'two' failed: "), "\(result.stderr)")
        for name in ["one", "two"] {
            let row = try box.feed(name)
            #expect(row.consecutiveFailures == 0 && row.nextDue == nil, "\(name)")
            #expect(row.lastAttempt != nil && row.lastError != nil, "\(name): the attempt is recorded")
        }
    }

    /// A network outage says nothing about the feeds: a gone feed stays gone, a healthy one keeps its status.
    @Test func networkDownKeepsWhatTheFeedsLastSaid() throws {
        let server = try FetchServer()
        let key = uniqueKey("keep")
        let box = try FetchSandbox(
            Self.toml([("dead", server.url("/status/410")), ("live", server.url("/items/\(key)?n=1"))]))
        _ = try box.fetch()
        server.stop()
        let result = try box.fetch("--force")
        #expect(result.stdout.contains("network down"), "\(result.stdout)")
        let dead = try box.feed("dead")
        #expect(dead.gone && dead.lastStatus == 410 && dead.consecutiveFailures == 1)
        #expect(try box.run(["feeds"]).stdout.contains("gone (410)"))
        let live = try box.feed("live")
        #expect(live.lastStatus == 200 && live.consecutiveFailures == 0)
        #expect(live.etag == "\"\(key)-1\"")
    }

    @Test func oneUnreachableFeedAmongGoodOnesIsCounted() throws {
        let server = try FetchServer.start()
        let box = try FetchSandbox(
            Self.toml([("down", "http://127.0.0.1:1/a.xml"), ("up", server.url("/items/\(uniqueKey("up"))?n=1"))]))
        let result = try box.fetch()
        #expect(!result.stdout.contains("network down"), "\(result.stdout)")
        #expect(summary(result).contains("1 ok, 0 not modified, 1 failed"))
        let row = try box.feed("down")
        #expect(row.consecutiveFailures == 1)
        #expect(try Self.wait(row) == 900)
    }

    @Test func quietPrintsNothingOnAGoodRunAndOnlyErrorsOtherwise() throws {
        let server = try FetchServer.start()
        let box = try FetchSandbox(Self.toml([("good", server.url("/items/\(uniqueKey("q"))?n=2"))]))
        let good = try box.run(["--quiet", "fetch"])
        #expect(good.status == 0 && good.stdout.isEmpty && good.stderr.isEmpty, "\(good.stdout)\(good.stderr)")
        #expect(try box.itemKeys("good").count == 2)
        try box.write(Self.toml([("good", server.url("/status/404"))]))
        let bad = try box.run(["--quiet", "fetch"])
        #expect(bad.status == 0 && bad.stdout.isEmpty)
        #expect(bad.stderr == "aggregator: feed 'good' failed: HTTP 404\n")
    }

    @Test func verboseShowsEachTransfer() throws {
        let server = try FetchServer.start()
        let box = try FetchSandbox(
            Self.toml([("fine", server.url("/items/\(uniqueKey("v"))?n=1")), ("lost", server.url("/status/404"))]))
        let result = try box.run(["--verbose", "fetch"])
        #expect(result.status == 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.contains { $0.contains("status=200") && $0.hasSuffix("fine: ok") }, "\(result.stderr)")
        #expect(lines.contains { $0.contains("status=404") && $0.hasSuffix("lost: failed") }, "\(result.stderr)")
        #expect(lines.contains("aggregator: feed 'lost' failed: HTTP 404"))
        #expect(summary(result).hasPrefix("fetched 2 feeds: 1 ok, 0 not modified, 1 failed"))
    }

    /// Whether some process holds a `flock` on the file at `path`, read from /proc/locks (probing with flock
    /// would take the lock for a moment and could make the run under test exit 75).
    static func isFlocked(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, let locks = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else {
            return false
        }
        return locks.split(separator: "\n").contains { $0.contains("FLOCK") && $0.contains(":\(info.st_ino) ") }
    }

    /// Synchronous on purpose: the polling must not wait for a cooperative thread that other tests block.
    @Test func overlappingRunsExit75OrWait() throws {
        let server = try FetchServer.start()
        let key = uniqueKey("lock")
        let box = try FetchSandbox(
            Self.toml([("slow", server.url("/slow?ms=2500")), ("fast", server.url("/items/\(key)?n=1"))]))
        let first = Process()
        first.executableURL = CLI.binary
        first.arguments = ["--config", box.config, "--db", box.db, "fetch"]
        first.standardInput = FileHandle.nullDevice
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        let deadline = Date().addingTimeInterval(10)
        while !Self.isFlocked(box.db + ".lock") && Date() < deadline && first.isRunning {
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(first.isRunning && Self.isFlocked(box.db + ".lock"), "the first run holds the lock")

        let started = Date()
        let second = try box.fetch()
        #expect(Date().timeIntervalSince(started) < 2, "the second run gives up at once")
        #expect(second.status == 75)
        #expect(second.stdout.isEmpty)
        #expect(second.stderr.contains("another aggregator run holds the lock"), "\(second.stderr)")
        #expect(second.stderr.split(separator: "\n").count == 1)

        let waited = try box.fetch("--wait", "--force")
        #expect(!first.isRunning, "--wait returns only after the first run ended")
        #expect(waited.status == 0, "\(waited.stderr)")
        #expect(summary(waited).hasPrefix("fetched 2 feeds: 2 ok"), "\(waited.stdout)")
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(try box.itemKeys("fast") == ["\(key)-0"])
    }
}
