public import Feeds
public import Fetch
public import Foundation

/// Why `add` could not find or check a feed: one lower-case line naming the URL.
public struct AddFeedError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What a URL given to `add` turned out to be.
public enum AddFeedTarget: Sendable {
    /// A feed: its URL and what parsing it gave.
    case feed(url: String, parsed: ParsedFeed)
    /// A page that advertises these feeds (one or more); the caller picks and checks one.
    case page(url: String, feeds: [DiscoveredFeed])
}

extension FeedDiscovery {
    /// Fetches `input` once: a feed is returned parsed; an HTML page is searched for feed alternates.
    /// - Parameter input: an http(s) or file URL, a local path, or a bare host (`example.com` → https).
    /// - Throws: `AddFeedError` when the URL cannot be fetched, answers with an error, or is neither a feed nor a
    ///   page advertising one.
    public static func resolve(_ input: String, fetcher: Fetcher, timeout: Double = 30) async throws(AddFeedError)
        -> AddFeedTarget
    {
        let url = normalizedURL(input)
        let response = try await fetch(url, fetcher: fetcher, timeout: timeout)
        do {
            let parsed = try FeedParser.parse(
                response.body, contentType: response.contentType, url: response.effectiveURL)
            return .feed(url: url, parsed: parsed)
        } catch {
            let found = feeds(inHTML: response.body, pageURL: response.effectiveURL)
            guard !found.isEmpty else {
                if looksLikeHTML(response.body) {
                    throw AddFeedError(
                        "\(url): the page advertises no feed (no <link rel=\"alternate\"> of a feed type)")
                }
                throw AddFeedError("\(url): not a feed: \(error.description)")
            }
            return .page(url: url, feeds: found)
        }
    }

    /// Fetches and parses `url`, which must be a feed.
    public static func check(_ url: String, fetcher: Fetcher, timeout: Double = 30) async throws(AddFeedError)
        -> ParsedFeed
    {
        let response = try await fetch(url, fetcher: fetcher, timeout: timeout)
        do {
            return try FeedParser.parse(response.body, contentType: response.contentType, url: response.effectiveURL)
        } catch {
            throw AddFeedError("\(url): not a feed: \(error.description)")
        }
    }

    static func fetch(_ url: String, fetcher: Fetcher, timeout: Double) async throws(AddFeedError) -> FetchResponse {
        let result = await fetcher.fetch(FetchRequest(id: 0, url: url, timeout: timeout))
        switch result.outcome {
        case .failure(let error): throw AddFeedError("cannot fetch \(url): \(error.description)")
        case .success(let response):
            guard response.isSuccess else { throw AddFeedError("\(url): HTTP \(response.status)") }
            return response
        }
    }

    /// `example.com/news` → `https://example.com/news`; paths that exist become file URLs; URLs stay as given.
    public static func normalizedURL(_ input: String) -> String {
        let trimmed = input.trimmingCharacters(in: .whitespacesAndNewlines)
        let lower = trimmed.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("file://") { return trimmed }
        if FileManager.default.fileExists(atPath: trimmed) {
            return URL(fileURLWithPath: trimmed).standardizedFileURL.absoluteString
        }
        return "https://" + trimmed
    }
}
