/// Why a document could not be turned into a feed. Descriptions are one lower-case line with context.
public struct FeedError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The broad reason, so callers can react without parsing the message.
    public enum Kind: Sendable, Equatable {
        /// The body is empty or only whitespace.
        case empty
        /// The body is larger than `ParseOptions.maxBytes`.
        case tooLarge
        /// The body is a document, but not a feed (HTML page, unrelated XML or JSON).
        case notAFeed
        /// The body is not parseable at all (no XML root element, invalid JSON).
        case malformed
    }

    public let kind: Kind
    public let description: String

    init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
