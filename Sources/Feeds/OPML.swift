import CLibXML2
import Foundation

/// One `<outline>` of an OPML file: a feed when it has an `xmlUrl`, else a folder of the outlines inside it.
public struct OPMLOutline: Sendable, Hashable {
    public var text: String?
    public var title: String?
    public var type: String?
    public var xmlURL: String?
    public var htmlURL: String?
    /// The OPML 2.0 `category` attribute: comma-separated, each a slash-delimited path.
    public var category: String?
    /// Attributes in the aggregator's own namespace (`aggregator:name`, `aggregator:keep`...), by local name.
    public var extensions: [String: String]
    public var children: [OPMLOutline]

    public init(
        text: String? = nil, title: String? = nil, type: String? = nil, xmlURL: String? = nil, htmlURL: String? = nil,
        category: String? = nil, extensions: [String: String] = [:], children: [OPMLOutline] = []
    ) {
        self.text = text
        self.title = title
        self.type = type
        self.xmlURL = xmlURL
        self.htmlURL = htmlURL
        self.category = category
        self.extensions = extensions
        self.children = children
    }

    /// What a reader shows for this outline: `title`, else `text` (either may be missing or blank).
    public var displayTitle: String? {
        for candidate in [title, text] {
            if let value = candidate?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty { return value }
        }
        return nil
    }
}

/// A whole OPML document: the head's title and the body's top-level outlines.
public struct OPMLDocument: Sendable, Hashable {
    public var title: String?
    public var outlines: [OPMLOutline]

    public init(title: String? = nil, outlines: [OPMLOutline] = []) {
        self.title = title
        self.outlines = outlines
    }
}

/// Why an OPML file could not be read: one lower-case line naming the file.
public struct OPMLError: Error, Sendable, CustomStringConvertible, Equatable {
    public let description: String
    init(_ source: String, _ message: String) { self.description = "\(source): \(message)" }
}

/// Reads OPML 1.0/2.0 with libxml2 under the same safety rules as feeds: no network, no DTD loading,
/// no entity expansion (a file that declares entities is refused), a size limit, and no recovery: a file that
/// is not well-formed is an error, so a broken export never half-imports.
public enum OPMLReader {
    /// The namespace of our own outline attributes (`aggregator:name`...), so a round trip keeps feed names.
    public static let namespace = "https://github.com/aggregator/aggregator/opml"
    public static let defaultMaxBytes = 8 << 20
    static let maxOutlines = 100_000
    /// `xmlInitParser()` once per process before any thread parses (libxml2's rule; repeated calls are no-ops).
    static let libxml2Ready: Void = { xmlInitParser() }()

    /// Parses OPML bytes. `source` names the file in errors.
    /// - Throws: `OPMLError` for an empty, oversized, malformed or non-OPML document.
    public static func parse(_ bytes: [UInt8], source: String, maxBytes: Int = defaultMaxBytes) throws(OPMLError)
        -> OPMLDocument
    {
        guard bytes.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            throw OPMLError(source, "the file is empty")
        }
        guard bytes.count <= maxBytes else {
            throw OPMLError(source, "the file is \(bytes.count) bytes, more than the limit of \(maxBytes)")
        }
        // Entity declarations have no place in OPML; refusing them up front rules out expansion attacks
        // (checked again on the parsed DTD below, for encodings this byte scan cannot see).
        if contains(bytes, "<!ENTITY") {
            throw OPMLError(source, "the file declares xml entities; refusing to read it")
        }
        _ = libxml2Ready
        // Nothing from libxml2 on stderr (see `XMLFeedReader.run`).
        cxml_silence_generic_errors()
        guard let ctxt = xmlNewParserCtxt() else { throw OPMLError(source, "out of memory") }
        defer { xmlFreeParserCtxt(ctxt) }
        let options = Int32(
            XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
                | XML_PARSE_NOCDATA.rawValue)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                UnsafeRawPointer(base).withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    xmlCtxtReadMemory(ctxt, $0, Int32(buffer.count), nil, nil, options)
                }
            }
        }
        guard let document, ctxt.pointee.wellFormed != 0 else {
            if let document { xmlFreeDoc(document) }
            var message = "not well-formed xml"
            if let error = xmlCtxtGetLastError(ctxt) {
                let text = error.pointee.message.map { String(cString: $0) } ?? "error \(error.pointee.code)"
                message +=
                    " (line \(error.pointee.line): \(text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()))"
            }
            throw OPMLError(source, message)
        }
        defer { xmlFreeDoc(document) }
        if let subset = document.pointee.intSubset, subset.pointee.entities != nil || subset.pointee.pentities != nil {
            throw OPMLError(source, "the file declares xml entities; refusing to read it")
        }
        guard let root = xmlDocGetRootElement(document) else { throw OPMLError(source, "no root element") }
        let rootName = name(of: root)
        guard rootName.lowercased() == "opml" else {
            throw OPMLError(source, "not an opml file (the root element is <\(rootName)>)")
        }
        var result = OPMLDocument()
        var sawBody = false
        var count = 0
        for child in elements(under: root) {
            switch name(of: child).lowercased() {
            case "head":
                for field in elements(under: child) where name(of: field).lowercased() == "title" {
                    result.title = textContent(field)
                }
            case "body":
                sawBody = true
                result.outlines += try outlines(under: child, count: &count, source: source)
            default: continue
            }
        }
        guard sawBody else { throw OPMLError(source, "not an opml file (no <body> element)") }
        return result
    }

    static func outlines(under node: xmlNodePtr, count: inout Int, source: String) throws(OPMLError) -> [OPMLOutline] {
        var result: [OPMLOutline] = []
        for child in elements(under: node) where name(of: child).lowercased() == "outline" {
            count += 1
            guard count <= maxOutlines else { throw OPMLError(source, "more than \(maxOutlines) outlines") }
            var outline = OPMLOutline()
            var attribute = child.pointee.properties
            while let current = attribute {
                attribute = current.pointee.next
                guard let rawName = current.pointee.name else { continue }
                let key = String(cString: rawName)
                let value = attributeValue(current, in: child)
                if let ns = current.pointee.ns, let href = ns.pointee.href, String(cString: href) == namespace {
                    outline.extensions[key] = value
                    continue
                }
                // Readers disagree on case (`xmlUrl`, `xmlURL`, `xmlurl`): match attribute names without it.
                switch key.lowercased() {
                case "text": outline.text = value
                case "title": outline.title = value
                case "type": outline.type = value
                case "xmlurl": outline.xmlURL = nonBlank(value)
                case "htmlurl": outline.htmlURL = nonBlank(value)
                case "category": outline.category = nonBlank(value)
                default: continue
                }
            }
            outline.children = try outlines(under: child, count: &count, source: source)
            result.append(outline)
        }
        return result
    }

    static func nonBlank(_ value: String?) -> String? {
        guard let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return trimmed
    }

    static func name(of node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0) } ?? ""
    }

    /// The element children of `node`, in document order.
    static func elements(under node: xmlNodePtr) -> [xmlNodePtr] {
        var result: [xmlNodePtr] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { result.append(current) }
            child = current.pointee.next
        }
        return result
    }

    /// An attribute's value with character references decoded; the `xmlChar*` libxml2 returns is freed here.
    static func attributeValue(_ attribute: xmlAttrPtr, in node: xmlNodePtr) -> String? {
        guard let raw = xmlNodeListGetString(node.pointee.doc, attribute.pointee.children, 1) else { return nil }
        defer { cxml_free(raw) }
        return String(cString: raw)
    }

    static func textContent(_ node: xmlNodePtr) -> String? {
        guard let raw = xmlNodeGetContent(node) else { return nil }
        defer { cxml_free(raw) }
        return nonBlank(String(cString: raw))
    }

    static func contains(_ bytes: [UInt8], _ needle: StaticString) -> Bool {
        let pattern = Array(UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount))
        guard bytes.count >= pattern.count, let first = pattern.first else { return false }
        var index = 0
        while index <= bytes.count - pattern.count {
            if bytes[index] == first && bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return true }
            index += 1
        }
        return false
    }
}
