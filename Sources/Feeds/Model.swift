public import Foundation

/// The document formats the parser recognizes, named as `aggregator parse --format json` prints them.
public enum FeedFormat: String, Sendable, Codable, CaseIterable {
    case rss20, rss10, rss09x, atom10, atom03, jsonfeed
}

/// A media file attached to an item (RSS `<enclosure>`, Atom `rel="enclosure"`, Media RSS, JSON Feed attachments).
public struct Enclosure: Sendable, Hashable, Codable {
    public var url: String
    public var type: String?
    public var length: Int?

    public init(url: String, type: String? = nil, length: Int? = nil) {
        self.url = url
        self.type = type
        self.length = length
    }
}

/// One normalized entry of a feed. Text fields are plain text except `content`, which is sanitized HTML.
public struct Item: Sendable, Hashable {
    // `key` first and the public initializer in an extension: the parser makes items with the memberwise
    // initializer (`init(key:id:...)`, internal), which builds the value in place; the written-out one copied
    // it once more (a retain and a release of every field).
    /// Stable identity of the item within its feed (guid, else canonical link, else a content hash).
    public var key: String
    /// The guid / atom:id / JSON id exactly as the feed gives it.
    public var id: String?
    public var title: String?
    /// Absolute URL of the item's page.
    public var link: String?
    /// Plain text.
    public var summary: String?
    /// Sanitized HTML with absolute URLs.
    public var content: String?
    public var author: String?
    public var published: Date?
    public var updated: Date?
    public var categories: [String]
    public var enclosures: [Enclosure]
    /// Absolute URL of the item's picture (Media RSS thumbnail or image content, iTunes image, JSON Feed image).
    public var image: String?
}

extension Item {
    public init(
        id: String? = nil, title: String? = nil, link: String? = nil, summary: String? = nil,
        content: String? = nil, author: String? = nil, published: Date? = nil, updated: Date? = nil,
        categories: [String] = [], enclosures: [Enclosure] = [], key: String = "", image: String? = nil
    ) {
        self.id = id
        self.title = title
        self.link = link
        self.summary = summary
        self.content = content
        self.author = author
        self.published = published
        self.updated = updated
        self.categories = categories
        self.enclosures = enclosures
        self.key = key
        self.image = image
    }
}

/// A normalized feed: feed-level metadata plus its items in document order.
public struct Feed: Sendable, Hashable {
    public var format: FeedFormat
    public var title: String?
    public var link: String?
    public var description: String?
    public var language: String?
    public var updated: Date?
    public var author: String?
    public var image: String?
    /// RSS `<ttl>` in minutes, when given: a minimum polling interval.
    public var ttlMinutes: Int?
    public var items: [Item]

    public init(
        format: FeedFormat, title: String? = nil, link: String? = nil, description: String? = nil,
        language: String? = nil, updated: Date? = nil, author: String? = nil, image: String? = nil,
        ttlMinutes: Int? = nil, items: [Item] = []
    ) {
        self.format = format
        self.title = title
        self.link = link
        self.description = description
        self.language = language
        self.updated = updated
        self.author = author
        self.image = image
        self.ttlMinutes = ttlMinutes
        self.items = items
    }
}

/// What the parser returns: the feed, plus warnings when libxml2 had to recover from malformed input.
public struct ParsedFeed: Sendable {
    public var feed: Feed
    /// One-line, lower-case descriptions of what was wrong with the document (empty for a clean one).
    public var warnings: [String]

    public init(feed: Feed, warnings: [String] = []) {
        self.feed = feed
        self.warnings = warnings
    }
}
