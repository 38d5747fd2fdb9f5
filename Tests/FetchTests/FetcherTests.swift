import Foundation
import Testing

@testable import Fetch

/// Fetches one URL with the given options and request changes.
func fetchOne(
    _ url: String, options: FetcherOptions = FetcherOptions(), _ change: (inout FetchRequest) -> Void = { _ in }
) async -> FetchResult {
    var request = FetchRequest(id: 7, url: url)
    change(&request)
    return await Fetcher(options: options).fetch(request)
}

extension FetchResult {
    var response: FetchResponse? { try? outcome.get() }
    var error: FetchError? {
        if case .failure(let error) = outcome { return error }
        return nil
    }
}

/// The test server's counts for `/probe/KEY` requests: "count" (all of them) and "max" (most at once).
func probeStats(_ server: LocalServer, _ key: String) async throws -> [String: Int] {
    let stats = try await fetchOne(server.url("/stats/\(key)")).outcome.get()
    return try #require(try JSONSerialization.jsonObject(with: Data(stats.body)) as? [String: Int])
}

let feedPrefix = Array(#"<?xml version="1.0" encoding="utf-8"?>"#.utf8)

@Suite struct FetcherTests {
    let server: LocalServer

    init() throws {
        server = try LocalServer.start()
    }

    @Test func fetchesFeedWithValidators() async throws {
        let result = await fetchOne(server.url("/feed"))
        #expect(result.request.id == 7)
        let response = try result.outcome.get()
        #expect(response.status == 200)
        #expect(response.body.starts(with: feedPrefix))
        #expect(response.etag == #""v1""#)
        #expect(response.lastModified == "Tue, 15 Nov 1994 12:45:26 GMT")
        #expect(response.cacheControl == "max-age=600")
        #expect(response.contentType == "application/rss+xml")
        #expect(response.effectiveURL == server.url("/feed"))
        #expect(response.permanentRedirect == nil)
        #expect(response.headers["content-length"] == String(response.body.count))
        #expect(response.httpVersion == "1.1")
    }

    @Test func sendsIfNoneMatchAndGets304() async throws {
        let response = try await fetchOne(server.url("/feed")) { $0.etag = #""v1""# }.outcome.get()
        #expect(response.status == 304)
        #expect(response.body.isEmpty)
        #expect(response.isNotModified)
        let changed = try await fetchOne(server.url("/feed?etag=%22v2%22")) { $0.etag = #""v1""# }.outcome.get()
        #expect(changed.status == 200)
        #expect(changed.etag == #""v2""#)
    }

    @Test func sendsIfModifiedSinceAndGets304() async throws {
        let date = "Tue, 15 Nov 1994 12:45:26 GMT"
        let response = try await fetchOne(server.url("/feed")) { $0.lastModified = date }.outcome.get()
        #expect(response.status == 304)
        let older = try await fetchOne(server.url("/feed")) { $0.lastModified = "Mon, 14 Nov 1994 00:00:00 GMT" }
            .outcome.get()
        #expect(older.status == 200)
    }

    @Test func sendsUserAgentAcceptEncodingAndValidators() async throws {
        let options = FetcherOptions(userAgent: "aggregator-test/9")
        let response = try await fetchOne(server.url("/headers"), options: options) {
            $0.etag = "\"abc\"\r\nX-Injected: 1"
            $0.lastModified = "Wed, 21 Oct 2015 07:28:00 GMT"
        }.outcome.get()
        let headers = try #require(
            try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String])
        #expect(headers["user-agent"] == "aggregator-test/9")
        #expect(headers["if-none-match"] == "\"abc\"X-Injected: 1")
        #expect(headers["x-injected"] == nil)
        #expect(headers["if-modified-since"] == "Wed, 21 Oct 2015 07:28:00 GMT")
        let encodings = try #require(headers["accept-encoding"])
        #expect(encodings.contains("gzip"))
    }

    @Test(arguments: [404, 410, 500, 503])
    func returnsErrorStatusesAsResponses(status: Int) async throws {
        let response = try await fetchOne(server.url("/status/\(status)")).outcome.get()
        #expect(response.status == status)
        #expect(response.body == Array("status \(status)\n".utf8))
        #expect(!response.isSuccess)
    }

    @Test func decodesGzip() async throws {
        let response = try await fetchOne(server.url("/gzip")).outcome.get()
        #expect(response.headers["content-encoding"] == "gzip")
        #expect(response.body.starts(with: feedPrefix))
    }

    @Test func reportsPermanentRedirect() async throws {
        let response = try await fetchOne(server.url("/r/301/feed")).outcome.get()
        #expect(response.status == 200)
        #expect(response.effectiveURL == server.url("/feed"))
        #expect(response.permanentRedirect == server.url("/feed"))
        #expect(response.hops.map(\.status) == [301, 200])
        #expect(response.etag == #""v1""#)
    }

    @Test func followsTemporaryRedirectWithoutReportingIt() async throws {
        for code in [302, 303, 307] {
            let response = try await fetchOne(server.url("/r/\(code)/feed")).outcome.get()
            #expect(response.status == 200)
            #expect(response.effectiveURL == server.url("/feed"))
            #expect(response.permanentRedirect == nil)
        }
    }

    @Test func reportsOnlyThePermanentPartOfAChain() async throws {
        let mixed = try await fetchOne(server.url("/r/308/r/301/r/302/feed")).outcome.get()
        #expect(mixed.hops.map(\.status) == [308, 301, 302, 200])
        #expect(mixed.permanentRedirect == server.url("/r/302/feed"))
        let late = try await fetchOne(server.url("/r/302/r/301/feed")).outcome.get()
        #expect(late.permanentRedirect == nil)
        #expect(late.effectiveURL == server.url("/feed"))
    }

    @Test func readsFileURLsAndPlainPaths() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fetch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("my feed.xml")
        try Data(feedPrefix).write(to: file)

        let byPath = try await fetchOne(file.path).outcome.get()
        #expect(byPath.status == 0)
        #expect(byPath.body == feedPrefix)
        #expect(byPath.effectiveURL.hasPrefix("file://"))
        let byURL = try await fetchOne(file.absoluteString).outcome.get()
        #expect(byURL.body == feedPrefix)
        let tooLarge = try #require(await fetchOne(file.path) { $0.maxBodyBytes = 10 }.error)
        #expect(tooLarge.reason == "body exceeds 10 bytes")

        let missing = await fetchOne(directory.appendingPathComponent("none.xml").path)
        let error = try #require(missing.error)
        #expect(!error.isNetworkError)
        #expect(error.description.contains("none.xml"))
    }

    @Test(arguments: ["ftp://example.com/feed", "feed.xml", "http:///nohost", "gopher://x"])
    func rejectsUnsupportedURLs(url: String) async throws {
        let error = try #require(await fetchOne(url).error)
        #expect(error.curlCode == nil)
        #expect(error.url == url)
    }

    @Test func yieldsOneResultPerRequestWithinLimits() async throws {
        let key = UUID().uuidString
        let requests =
            (0..<8).map { FetchRequest(id: $0, url: server.url("/probe/\(key)?ms=150")) }
            + [FetchRequest(id: 8, url: "nonsense")]
        let fetcher = Fetcher(options: FetcherOptions(concurrency: 8, perHost: 2))
        var ids: [Int] = []
        for await result in fetcher.fetch(requests) {
            ids.append(result.request.id)
            if result.request.id < 8 { #expect(result.response?.status == 200) } else { #expect(result.error != nil) }
        }
        #expect(ids.sorted() == Array(0...8))
        let json = try await probeStats(server, key)
        #expect(json["count"] == 8)
        #expect(json["max"] == 2)
    }

    @Test func goesThroughAProxy() async throws {
        // The test server answers absolute-form requests too, so it can stand in for a forward proxy.
        let options = FetcherOptions(proxy: "http://127.0.0.1:\(server.port)")
        let response = try await fetchOne("http://feeds.invalid/headers", options: options).outcome.get()
        let headers = try #require(
            try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String])
        #expect(headers["host"] == "feeds.invalid")
        #expect(response.effectiveURL == "http://feeds.invalid/headers")
    }

    /// The same with two transfer threads (4 at a time on two hosts): stopping wakes and stops both.
    @Test func stopsBothTransferThreadsWhenTheConsumerStops() async throws {
        let key = UUID().uuidString
        let hosts = ["127.0.0.1", "localhost"]
        let requests = (0..<60).map {
            FetchRequest(id: $0, url: server.url("/probe/\(key)?ms=2000", host: hosts[$0 % 2]))
        }
        let options = FetcherOptions(concurrency: 4)
        if ProcessInfo.processInfo.activeProcessorCount > 1 { #expect(Fetcher.threads(for: requests, options: options) == 2) }
        for await result in Fetcher(options: options).fetch(requests) {
            #expect(result.response?.status == 200)
            break
        }
        func count() async throws -> Int { try #require(try await probeStats(server, key)["count"]) }
        let atStop = try await count()
        // Running on, the two threads would make about 2 more requests a second (all 60 in 30 s).
        _ = await fetchOne(server.url("/slow?ms=1500"))
        let later = try await count()
        #expect(later - atStop <= 4)
    }

    @Test func stopsTransfersWhenTheConsumerStops() async throws {
        let key = UUID().uuidString
        // Slow enough (60 × 2 s over 2 connections = 60 s) that the consumer stops long before the end, even on
        // a loaded 2-core machine where other suites' blocking waits hold the cooperative threads for seconds.
        // Stopping cancels the transfers in flight, so a passing run takes about a second.
        let requests = (0..<60).map { FetchRequest(id: $0, url: server.url("/probe/\(key)?ms=2000")) }
        for await result in Fetcher(options: FetcherOptions(concurrency: 2)).fetch(requests) {
            #expect(result.response?.status == 200)
            break
        }
        func count() async throws -> Int { try #require(try await probeStats(server, key)["count"]) }
        let atStop = try await count()
        // Running on, the transfer thread would make about 1 more request a second (all 60 in 60 s).
        _ = await fetchOne(server.url("/slow?ms=1000"))
        let later = try await count()
        #expect(later - atStop <= 2)
        #expect(later < 60)
    }
}
