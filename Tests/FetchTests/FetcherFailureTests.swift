import Foundation
import Testing

@testable import Fetch

/// Everything servers do wrong, each asserting what the caller is told.
@Suite struct FetcherFailureTests {
    let server: LocalServer

    init() throws {
        server = try LocalServer.start()
    }

    @Test func stopsARedirectLoop() async throws {
        let error = try #require(await fetchOne(server.url("/loop")).error)
        #expect(error.isRedirectFailure)
        #expect(error.reason.hasPrefix("redirect loop"))
        #expect(!error.isNetworkError)
    }

    @Test func stopsAfterMaxRedirects() async throws {
        let url = server.url("/r/301/r/301/r/301/feed")
        let error = try #require(await fetchOne(url, options: FetcherOptions(maxRedirects: 2)).error)
        #expect(error.isRedirectFailure)
        #expect(error.reason == "too many redirects (more than 2)")
        let response = try await fetchOne(url, options: FetcherOptions(maxRedirects: 3)).outcome.get()
        #expect(response.permanentRedirect == server.url("/feed"))
    }

    @Test(arguments: [429, 503], ["120", "Wed, 21 Oct 2015 07:28:00 GMT"])
    func passesRetryAfterThrough(status: Int, retryAfter: String) async throws {
        let encoded = try #require(retryAfter.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let response = try await fetchOne(server.url("/status/\(status)?retry-after=\(encoded)")).outcome.get()
        #expect(response.status == status)
        #expect(response.retryAfter == retryAfter)
    }

    @Test func reportsConnectionResetMidBody() async throws {
        let error = try #require(await fetchOne(server.url("/reset")).error)
        #expect(error.isNetworkError)
        #expect(error.curlCode == 56)
    }

    @Test func reportsTruncatedBody() async throws {
        let error = try #require(await fetchOne(server.url("/truncated")).error)
        #expect(error.curlCode == 18)
        #expect(!error.isNetworkError)
        #expect(error.reason.contains("9900 bytes remaining"))
    }

    @Test func cutsOffATricklingServer() async throws {
        let options = FetcherOptions(lowSpeedLimit: 1000, lowSpeedTime: 1)
        let error = try #require(await fetchOne(server.url("/trickle"), options: options).error)
        #expect(error.isTimeout)
        #expect(error.reason == "too slow: under 1000 bytes/s for 1 s")
    }

    @Test func timesOutASlowServer() async throws {
        let error = try #require(await fetchOne(server.url("/slow?ms=3000")) { $0.timeout = 0.5 }.error)
        #expect(error.isTimeout)
        #expect(!error.isNetworkError)
        #expect(error.reason == "timed out after 0.5 s")
    }

    @Test func reportsConnectionRefusedAsNetworkError() async throws {
        let error = try #require(await fetchOne("http://127.0.0.1:1/feed").error)
        #expect(error.isNetworkError)
        #expect(error.curlCode == 7)
        #expect(error.description.hasSuffix("(http://127.0.0.1:1/feed)"))
    }

    @Test func cutsOffABodyOverTheLimit() async throws {
        let error = try #require(await fetchOne(server.url("/big?bytes=200000")) { $0.maxBodyBytes = 64 << 10 }.error)
        #expect(error.isBodyTooLarge)
        #expect(error.reason == "body exceeds 64 KiB")
        let exact = try await fetchOne(server.url("/big?bytes=65536")) { $0.maxBodyBytes = 64 << 10 }.outcome.get()
        #expect(exact.body.count == 65536)
    }

    @Test(arguments: [(1 << 20, "body exceeds 1 MiB"), (16 << 20, "body exceeds 16 MiB")])
    func cutsOffAGzipBombOnDecodedBytes(limit: Int, reason: String) async throws {
        let error = try #require(await fetchOne(server.url("/bomb?mib=64")) { $0.maxBodyBytes = limit }.error)
        #expect(error.isBodyTooLarge)
        #expect(error.reason == reason)
    }

    @Test(arguments: [("text/plain", "text/plain"), ("", ""), (nil, nil)] as [(String?, String?)])
    func passesContentTypeThroughAsSent(sent: String?, expected: String?) async throws {
        let path = sent.map { "/ctype?value=\($0)" } ?? "/ctype"
        let response = try await fetchOne(server.url(path)).outcome.get()
        #expect(response.status == 200)
        #expect(response.contentType == expected)
        #expect(response.body.starts(with: feedPrefix))
    }

    @Test func passesAnHTMLPageThrough() async throws {
        let response = try await fetchOne(server.url("/html")).outcome.get()
        #expect(response.contentType == "text/html")
        #expect(response.body.starts(with: Array("<!doctype html>".utf8)))
    }

    @Test func keepsNonUTF8BytesAndTheHeaderCharset() async throws {
        let response = try await fetchOne(server.url("/latin1")).outcome.get()
        #expect(response.contentType == "application/rss+xml; charset=ISO-8859-1")
        #expect(response.body.contains(0xE9))
        #expect(String(validating: response.body, as: UTF8.self) == nil)
    }

    @Test func reusesTheConnectionForOneHost() async throws {
        let requests = (0..<5).map { FetchRequest(id: $0, url: server.url("/peer")) }
        var ports: Set<String> = []
        for await result in Fetcher(options: FetcherOptions(concurrency: 1, perHost: 1)).fetch(requests) {
            let response = try result.outcome.get()
            ports.insert(String(decoding: response.body, as: UTF8.self))
        }
        #expect(ports.count == 1)
    }

    /// When a transfer ends, the next request of its host goes on the connection it leaves open, ahead of the
    /// other hosts' requests listed before it (which then share one connection of their own).
    @Test func givesAHostsConnectionToItsNextRequest() async throws {
        let hosts = ["127.0.0.1", "localhost", "127.0.0.1", "localhost", "127.0.0.1", "localhost"]
        let requests = hosts.enumerated().map { FetchRequest(id: $0.offset, url: server.url("/peer", host: $0.element)) }
        var order: [Int] = []
        var ports: [String: Set<String>] = [:]
        for await result in Fetcher(options: FetcherOptions(concurrency: 1, perHost: 1)).fetch(requests) {
            let response = try result.outcome.get()
            order.append(result.request.id)
            ports[hosts[result.request.id], default: []].insert(String(decoding: response.body, as: UTF8.self))
        }
        #expect(order == [0, 2, 4, 1, 3, 5])
        #expect(ports["127.0.0.1"]?.count == 1 && ports["localhost"]?.count == 1, "\(ports)")
    }

    /// A fetch of many requests on two hosts runs on two threads (see `Fetcher.threads`), which share the global
    /// limit: never more transfers at once than `concurrency`, each host's connection kept by one thread.
    @Test func keepsTheGlobalLimitAcrossTransferThreads() async throws {
        let key = UUID().uuidString
        let hosts = ["127.0.0.1", "localhost"]
        let requests = (0..<16).map {
            FetchRequest(id: $0, url: server.url("/probe/\(key)?ms=150", host: hosts[$0 % 2]))
        }
        let options = FetcherOptions(concurrency: 4, perHost: 4)
        if ProcessInfo.processInfo.activeProcessorCount > 1 { #expect(Fetcher.threads(for: requests, options: options) == 2) }
        var ids: [Int] = []
        for await result in Fetcher(options: options).fetch(requests) {
            #expect(result.response?.status == 200)
            ids.append(result.request.id)
        }
        #expect(ids.sorted() == Array(0..<16))
        let json = try await probeStats(server, key)
        #expect(json["count"] == 16)
        #expect(json["max"] == 4, "at most 4 at once, over both threads: \(json)")
    }

    @Test func countsHostsSeparately() async throws {
        let key = UUID().uuidString
        let requests = (0..<8).map {
            FetchRequest(id: $0, url: server.url("/probe/\(key)?ms=200", host: $0 % 2 == 0 ? "127.0.0.1" : "localhost"))
        }
        for await result in Fetcher(options: FetcherOptions(concurrency: 8, perHost: 1)).fetch(requests) {
            #expect(result.response?.status == 200)
        }
        let json = try await probeStats(server, key)
        #expect(json["max"] == 2)
    }
}

/// HTTP/2 over TLS against hypercorn with a throwaway certificate (skipped when hypercorn is not installed).
@Suite(.enabled(if: LocalServer.hasHypercorn, "needs `pip install hypercorn`"))
struct FetcherHTTP2Tests {
    let server: LocalServer

    init() throws {
        server = try LocalServer.sharedH2.get()
    }

    @Test func negotiatesHTTP2WhenOffered() async throws {
        let url = "https://127.0.0.1:\(server.port)/version"
        let h2 = try await fetchOne(url, options: FetcherOptions(caBundle: server.detail)).outcome.get()
        #expect(h2.status == 200)
        #expect(h2.httpVersion == "2")
        #expect(h2.body == Array("2".utf8))
        let h1 = try await fetchOne(url, options: FetcherOptions(http2: false, caBundle: server.detail)).outcome.get()
        #expect(h1.httpVersion == "1.1")
        #expect(h1.body == Array("1.1".utf8))
    }

    @Test func rejectsAnUntrustedCertificate() async throws {
        let error = try #require(await fetchOne("https://127.0.0.1:\(server.port)/feed").error)
        #expect(error.curlCode == 60)
        #expect(!error.isNetworkError)
    }
}
