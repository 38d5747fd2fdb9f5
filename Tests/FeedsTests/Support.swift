import Feeds
import Foundation
import Testing

/// Reads a fixture from the test bundle.
func fixtureBytes(_ path: String) throws -> [UInt8] {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/" + path, withExtension: nil))
    return [UInt8](try Data(contentsOf: url))
}

/// Parses a fixture as if fetched from `url`.
func parseFixture(_ path: String, url: String? = nil, contentType: String? = nil) throws -> ParsedFeed {
    try FeedParser.parse(fixtureBytes(path), contentType: contentType, url: url)
}

/// Parses an inline document.
func parseString(_ s: String, url: String? = nil, contentType: String? = nil) throws -> ParsedFeed {
    try FeedParser.parse(Array(s.utf8), contentType: contentType, url: url)
}

/// A UTC date from RFC 3339 text, via the independent Foundation formatter.
func utc(_ s: String) -> Date? {
    ISO8601DateFormatter().date(from: s)
}
