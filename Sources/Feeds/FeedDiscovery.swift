import CLibXML2
import Foundation

/// A feed a web page points to.
public struct DiscoveredFeed: Sendable, Hashable {
    /// Absolute URL (relative hrefs resolved against `<base href>`, else the page URL).
    public var url: String
    public var title: String?
    /// The declared media type, lower-cased (`application/rss+xml`...).
    public var type: String

    public init(url: String, title: String? = nil, type: String) {
        self.url = url
        self.title = title
        self.type = type
    }
}

/// Finds the feeds an HTML page advertises with `<link rel="alternate" type="application/rss+xml|atom+xml|feed+json">`,
/// using libxml2's forgiving HTML parser with no network access.
public enum FeedDiscovery {
    /// Media types of feed alternates, as pages declare them.
    public static let feedTypes: Set<String> = [
        "application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml",
        "application/x-rss+xml", "application/x-atom+xml",
    ]
    static let maxBytes = 16 << 20
    static let libxml2Ready: Void = { xmlInitParser() }()

    /// The feeds `html` advertises, in document order, without duplicates.
    /// - Parameters:
    ///   - html: the page as received.
    ///   - pageURL: the page's final URL, the base for relative hrefs.
    public static func feeds(inHTML html: [UInt8], pageURL: String) -> [DiscoveredFeed] {
        guard !html.isEmpty, html.count <= maxBytes else { return [] }
        _ = libxml2Ready
        // Nothing from libxml2 on stderr (see `XMLFeedReader.run`).
        cxml_silence_generic_errors()
        let options = Int32(
            HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
                | HTML_PARSE_RECOVER.rawValue)
        let parsed = html.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                UnsafeRawPointer(base).withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    htmlReadMemory($0, Int32(buffer.count), pageURL, nil, options)
                }
            }
        }
        guard let document = parsed else { return [] }
        defer { xmlFreeDoc(document) }

        var links: [(rel: String, type: String, href: String, title: String?)] = []
        var base: String?
        walk(document.pointee.children) { node in
            switch name(of: node) {
            case "base":
                if base == nil, let href = attribute(node, "href"), !href.isEmpty { base = href }
            case "link":
                guard let href = attribute(node, "href"), !href.isEmpty else { return }
                links.append(
                    (attribute(node, "rel") ?? "", attribute(node, "type") ?? "", href, attribute(node, "title")))
            default: return
            }
        }
        let documentBase = base.map { resolve($0, against: pageURL) } ?? pageURL
        var seen = Set<String>()
        var result: [DiscoveredFeed] = []
        for link in links {
            let rels = link.rel.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
            guard rels.contains("alternate") else { continue }
            let type =
                link.type.lowercased().split(separator: ";").first.map {
                    $0.trimmingCharacters(in: .whitespaces)
                } ?? ""
            guard feedTypes.contains(type) else { continue }
            let url = resolve(link.href, against: documentBase)
            guard seen.insert(url).inserted else { continue }
            let title = link.title?.trimmingCharacters(in: .whitespacesAndNewlines)
            result.append(DiscoveredFeed(url: url, title: title?.isEmpty == false ? title : nil, type: type))
        }
        return result
    }

    /// Whether the bytes look like an HTML page rather than a feed (for error messages).
    public static func looksLikeHTML(_ bytes: [UInt8]) -> Bool {
        let head = String(decoding: bytes.prefix(2048), as: UTF8.self).lowercased()
        return head.contains("<html") || head.contains("<!doctype html") || head.contains("<head")
    }

    /// `reference` resolved against `base` with libxml2's RFC 3986 resolver (`xmlBuildURI`);
    /// the reference unchanged when it cannot be resolved.
    static func resolve(_ reference: String, against base: String) -> String {
        let trimmed = reference.trimmingCharacters(in: .whitespacesAndNewlines)
        let built = withXMLChars(trimmed) { r in withXMLChars(base) { b in xmlBuildURI(r, b) } }
        guard let built else { return trimmed }
        defer { cxml_free(built) }
        return String(cString: built)
    }

    /// Visits every element from `first` and its siblings down, in document order, iteratively (a hostile page
    /// cannot overflow the stack).
    static func walk(_ first: xmlNodePtr?, _ visit: (xmlNodePtr) -> Void) {
        var stack: [xmlNodePtr] = []
        var sibling = first
        while let s = sibling {
            stack.append(s)
            sibling = s.pointee.next
        }
        stack.reverse()
        while let current = stack.popLast() {
            if current.pointee.type == XML_ELEMENT_NODE { visit(current) }
            var children: [xmlNodePtr] = []
            var child = current.pointee.children
            while let c = child {
                children.append(c)
                child = c.pointee.next
            }
            stack.append(contentsOf: children.reversed())
        }
    }

    static func name(of node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0).lowercased() } ?? ""
    }

    /// An attribute's value (HTML names are case-insensitive; libxml2's HTML parser lower-cases them).
    static func attribute(_ node: xmlNodePtr, _ name: String) -> String? {
        guard let raw = withXMLChars(name, { xmlGetProp(node, $0) }) else { return nil }
        defer { cxml_free(raw) }
        return String(cString: raw)
    }
}

/// Calls `body` with `string` as a NUL-terminated `xmlChar` (UTF-8 byte) pointer, as libxml2's API takes it.
func withXMLChars<T>(_ string: String, _ body: (UnsafePointer<xmlChar>) -> T) -> T {
    string.withCString { pointer in
        pointer.withMemoryRebound(to: xmlChar.self, capacity: string.utf8.count + 1) { body($0) }
    }
}
