public import Feeds
import Fetch
import Foundation

/// `aggregator parse`: fetch (files and URLs alike, through the same fetcher) and parse, without storing.
public enum ParseInputs {
    public enum Outcome: Sendable {
        case success(ParsedFeed)
        case failure(String)
    }

    /// Results in input order.
    public static func parse(_ inputs: [String], userAgent: String?) async -> [Outcome] {
        var requests: [FetchRequest] = []
        for (index, input) in inputs.enumerated() {
            requests.append(FetchRequest(id: index, url: fetchURL(for: input)))
        }
        var options = FetcherOptions(userAgent: userAgent ?? Settings().userAgent)
        options.concurrency = 8
        let fetcher = Fetcher(options: options)
        var outcomes = Array(repeating: Outcome.failure("not fetched"), count: inputs.count)
        for await result in fetcher.fetch(requests) {
            let index = result.request.id
            switch result.outcome {
            case .failure(let error):
                outcomes[index] = .failure(error.description)
            case .success(let response):
                if response.status >= 400 {
                    outcomes[index] = .failure("HTTP \(response.status)")
                    continue
                }
                do {
                    outcomes[index] = .success(
                        try FeedParser.parse(response.body, contentType: response.contentType, url: response.effectiveURL))
                } catch {
                    outcomes[index] = .failure(error.description)
                }
            }
        }
        return outcomes
    }

    /// One-line warnings about recovered malformed input.
    public static func warnings(_ parsed: ParsedFeed) -> [String] { parsed.warnings }

    /// Plain paths become absolute file:// URLs; URLs are kept.
    static func fetchURL(for input: String) -> String {
        let lower = input.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("file://") { return input }
        let absolute = input.hasPrefix("/") ? input : FileManager.default.currentDirectoryPath + "/" + input
        return URL(fileURLWithPath: absolute).standardizedFileURL.absoluteString
    }

    /// The JSON object of one parsed feed (pretty for a single input, one compact line otherwise).
    public static func json(_ parsed: ParsedFeed, pretty: Bool) -> String {
        String(decoding: parsed.feed.jsonData(pretty: pretty), as: UTF8.self)
    }

    /// `# title (format, N items)` then `published<TAB>title<TAB>link` per item.
    public static func textListing(_ parsed: ParsedFeed) -> String {
        let feed = parsed.feed
        var out = "# \(feed.title ?? "(untitled)") (\(feed.format.rawValue), \(feed.items.count) item\(feed.items.count == 1 ? "" : "s"))\n"
        for item in feed.items {
            out += "\(RFC3339.format(item.published) ?? "-")\t\(item.title ?? "")\t\(item.link ?? "")\n"
        }
        return out
    }
}
