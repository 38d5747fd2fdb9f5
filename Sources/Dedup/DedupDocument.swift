public import Foundation

/// One item as the deduplicator sees it: where it came from, its title and its plain text.
public struct DedupDocument: Sendable {
    /// The feed's short name (boilerplate is learned per feed).
    public var feed: String
    /// The item's title as plain text.
    public var title: String
    /// Plain text: the item's content (HTML stripped, paragraphs separated by "\n"), else its summary.
    public var text: String
    /// The item's link with tracking parameters removed, if known.
    public var canonicalURL: String?
    /// When the item was published, if known.
    public var published: Date?

    public init(feed: String, title: String, text: String, canonicalURL: String? = nil, published: Date? = nil) {
        self.feed = feed
        self.title = title
        self.text = text
        self.canonicalURL = canonicalURL
        self.published = published
    }
}
