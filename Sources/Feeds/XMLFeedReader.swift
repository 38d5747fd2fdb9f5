import CFeedBytes
import CLibXML2

/// Owns one libxml2 SAX2 push parser context and routes its callbacks into a `FeedBuilder`: the element and
/// character callbacks are `cfb_sax`'s (C), which calls back here only for the elements the builder acts on.
/// Entities are resolved here: HTML named entities that feeds use undeclared, and internal entities the
/// document declares, expanded by us within a budget (no external entities, no unbounded expansion).
final class XMLFeedReader {
    /// libxml2 must be initialized once per process before threads use it.
    static let initialized: Void = { xmlInitParser() }()

    static let entityBudget = 1 << 20
    static let maxDeclaredEntities = 1000

    let builder: FeedBuilder
    @exclusivity(unchecked) var declared: [String: String] = [:]
    @exclusivity(unchecked) var entities: [String: UnsafeMutablePointer<xmlEntity>] = [:]
    @exclusivity(unchecked) var expandedBytes = 0
    @exclusivity(unchecked) var entityBudgetExceeded = false
    @exclusivity(unchecked) var errors = 0
    @exclusivity(unchecked) var firstError: String?
    @exclusivity(unchecked) var stopped = false
    /// libxml2 reported a `&` that does not start a reference (unescaped ampersand in a URL or text).
    @exclusivity(unchecked) var sawBareAmpersand = false
    @exclusivity(unchecked) var ctxt: xmlParserCtxtPtr?
    /// Cache of element classification keyed by libxml2's interned (URI, local name) pointers: a small
    /// open-addressing table (no `Hasher`), with a dictionary behind it for documents with very many names.
    @exclusivity(unchecked) var nameSlots = [NameSlot](repeating: NameSlot(), count: 256)
    @exclusivity(unchecked) var nameSlotsUsed = 0
    @exclusivity(unchecked) var names: [NameKey: (Namespace, Local)] = [:]
    @exclusivity(unchecked) var uris: [(pointer: UInt, ns: Namespace, string: String)] = []

    struct NameSlot {
        var uri: UInt = 0
        var local: UInt = 0
        var ns = Namespace.none
        var cls = Local.other
    }

    struct NameKey: Hashable {
        let uri: UInt
        let local: UInt
    }

    init(builder: FeedBuilder) {
        self.builder = builder
    }

    deinit {
        for (_, e) in entities {
            cxml_free(UnsafeMutableRawPointer(mutating: e.pointee.name))
            cxml_free(e.pointee.content)
            // libxml2 hangs the declaration's raw text on entities it looks up while parsing the DTD.
            cxml_free(e.pointee.orig)
            e.deallocate()
        }
    }

    /// Parses `bytes` (clean UTF-8) through the push parser, chunk by chunk; with `liftingCDATA`, the CDATA sections
    /// of the root's content are read by `cfb_cdata_lift` instead of libxml2 (the same events, much faster).
    func run(_ bytes: UnsafeBufferPointer<UInt8>, url: String?, liftingCDATA: Bool = true) {
        _ = Self.initialized
        // Errors without a parser context (a failed encoding conversion, after libxml2 took bytes such as
        // `<\0\0\0` for a UCS-4 signature) would be printed to stderr: this thread's generic channel stays silent,
        // and the context's errors come through `serror`.
        cxml_silence_generic_errors()
        var sax = xmlSAXHandler()
        sax.initialized = XML_SAX2_MAGIC
        cfb_sax_install(&sax)
        sax.getEntity = { ctx, name in
            guard let ctx, let name else { return nil }
            return XMLFeedReader.owner(ctx).entity(named: name)
        }
        sax.entityDecl = { ctx, name, type, _, _, content in
            guard let ctx, let name else { return }
            let r = XMLFeedReader.owner(ctx)
            guard type == Int32(XML_INTERNAL_GENERAL_ENTITY.rawValue), let content,
                r.declared.count < XMLFeedReader.maxDeclaredEntities
            else { return }
            let key = String(cString: name)
            if r.declared[key] == nil { r.declared[key] = String(cString: content) }
        }
        sax.serror = { ctx, error in
            guard let ctx, let error else { return }
            XMLFeedReader.owner(ctx).record(error)
        }
        let state = builder.sax
        state.pointee.owner = Unmanaged.passUnretained(self).toOpaque()
        state.pointee.classify = { owner, localname, uri in
            guard let owner, let localname else { return 0 }
            // The reader outlives the parse: no retain and release around every event.
            return Unmanaged<XMLFeedReader>.fromOpaque(owner)._withUnsafeGuaranteedRef { r in
                let (ns, local) = r.classify(localname, uri)
                return UInt16(ns.rawValue) << 8 | UInt16(local.rawValue)
            }
        }
        state.pointee.start = { owner, localname, uri, nbNamespaces, namespaces, nbAttributes, attributes, ns, local in
            guard let owner, let localname else { return }
            Unmanaged<XMLFeedReader>.fromOpaque(owner)._withUnsafeGuaranteedRef { r in
                if r.builder.stack.isEmpty, let namespaces {
                    // The root's declarations tell RSS 0.90 from RSS 1.0 even when no element uses them.
                    for k in 0..<Int(nbNamespaces) {
                        if let u = namespaces[2 * k + 1] { r.builder.declaredNamespaces.append(String(cString: u)) }
                    }
                }
                r.builder.start(
                    ns: Namespace(rawValue: ns) ?? .other, local: Local(rawValue: local) ?? .other, name: localname,
                    attributes: SAXAttributes(base: attributes, count: Int(nbAttributes)))
                if r.builder.isNotFeed, let ctxt = r.ctxt {
                    r.stopped = true
                    xmlStopParser(ctxt)
                }
            }
        }
        state.pointee.item_field = { owner, classes in
            guard let owner else { return 0 }
            return Unmanaged<XMLFeedReader>.fromOpaque(owner)._withUnsafeGuaranteedRef { r in
                r.builder.itemField(
                    ns: Namespace(rawValue: UInt8(classes >> 8)) ?? .other,
                    local: Local(rawValue: UInt8(truncatingIfNeeded: classes)) ?? .other)
            }
        }
        state.pointee.finish = { owner, field in
            guard let owner, field > 0, Int(field) <= FeedBuilder.itemFields.count else { return }
            Unmanaged<XMLFeedReader>.fromOpaque(owner)._withUnsafeGuaranteedRef { $0.builder.finish(itemField: field) }
        }
        state.pointee.end = { owner in
            guard let owner else { return }
            Unmanaged<XMLFeedReader>.fromOpaque(owner)._withUnsafeGuaranteedRef { $0.builder.end() }
        }
        let document = LiftedDocument(bytes, lifting: liftingCDATA)
        state.pointee.sections = document.sections
        state.pointee.section_count = document.sectionCount
        state.pointee.next_section = 0
        defer {
            state.pointee.sections = nil
            state.pointee.section_count = 0
            withExtendedLifetime(document) {}
        }
        let bytes = document.bytes
        guard let ctxt = xmlCreatePushParserCtxt(&sax, UnsafeMutableRawPointer(state), nil, 0, url) else { return }
        self.ctxt = ctxt
        defer {
            self.ctxt = nil
            Self.free(ctxt)
        }
        let options = Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_IGNORE_ENC.rawValue
            | XML_PARSE_NOWARNING.rawValue | XML_PARSE_COMPACT.rawValue)
        xmlCtxtUseOptions(ctxt, options)
        guard let base = bytes.baseAddress else {
            xmlParseChunk(ctxt, nil, 0, 1)
            return
        }
        let chunk = 1 << 20
        var offset = 0
        while offset < bytes.count, !stopped {
            let n = min(chunk, bytes.count - offset)
            let rc = UnsafeRawPointer(base + offset).withMemoryRebound(to: CChar.self, capacity: n) {
                xmlParseChunk(ctxt, $0, Int32(n), 0)
            }
            offset += n
            if rc != 0, ctxt.pointee.disableSAX != 0 { break }
        }
        if !stopped { xmlParseChunk(ctxt, nil, 0, 1) }
    }

    /// Frees a parser context and the document libxml2 creates behind a SAX parser's back when the DTD
    /// declares entities ("SAX compatibility mode"), which `xmlFreeParserCtxt` does not free.
    static func free(_ ctxt: xmlParserCtxtPtr) {
        if let doc = ctxt.pointee.myDoc {
            ctxt.pointee.myDoc = nil
            xmlFreeDoc(doc)
        }
        xmlFreeParserCtxt(ctxt)
    }

    /// The reader behind libxml2's callback context (the builder's `cfb_sax`).
    static func owner(_ ctx: UnsafeMutableRawPointer) -> XMLFeedReader {
        let owner = ctx.assumingMemoryBound(to: cfb_sax.self).pointee.owner!
        return Unmanaged<XMLFeedReader>.fromOpaque(owner).takeUnretainedValue()
    }

    /// The classes of an element name, from `cfb_sax` once per name pair it has not cached; the first sight
    /// of an RSS-namespace name tells the builder which RSS 1.0 namespace the document uses.
    func classify(_ localname: UnsafePointer<xmlChar>, _ uri: UnsafePointer<xmlChar>?) -> (Namespace, Local) {
        let u = UInt(bitPattern: uri)
        let l = UInt(bitPattern: localname)
        var slot = Int(truncatingIfNeeded: ((u &* 0x9E37_79B9_7F4A_7C15) ^ (l &* 0xC2B2_AE3D_27D4_EB4F)) >> 56)
        let cls: (Namespace, Local)
        found: do {
            while nameSlots[slot].local != 0 {
                if nameSlots[slot].local == l, nameSlots[slot].uri == u {
                    cls = (nameSlots[slot].ns, nameSlots[slot].cls)
                    break found
                }
                slot = (slot + 1) & 255
            }
            let key = NameKey(uri: u, local: l)
            if let c = names[key] {
                cls = c
                break found
            }
            // Namespaces classified once per interned URI, not once per element name in it.
            let ns: Namespace
            let uriString: String
            if let k = uris.firstIndex(where: { $0.pointer == u }) {
                (ns, uriString) = (uris[k].ns, uris[k].string)
            } else {
                uriString = uri.map { String(cString: $0) } ?? ""
                ns = Self.commonNamespace(uriString) ?? Namespace.classify(uriString)
                if uris.count < 32 { uris.append((u, ns, uriString)) }
            }
            cls = (ns, Local.classify(cString: localname))
            if nameSlotsUsed < 128 {
                nameSlots[slot] = NameSlot(uri: u, local: l, ns: cls.0, cls: cls.1)
                nameSlotsUsed += 1
            } else {
                names[key] = cls
            }
            if cls.0 == .rss { builder.noteRDFNamespace(uriString) }
        }
        return cls
    }

    /// The namespace URIs most feeds declare, exactly as they are written: each found by one comparison instead
    /// of lower-casing and searching (`Namespace.classify` gives the same answers).
    static let commonNamespaces: [(uri: String, ns: Namespace)] = [
        ("", .none), ("http://www.w3.org/2005/Atom", .atom10), ("http://purl.org/rss/1.0/modules/content/", .content),
        ("http://purl.org/dc/elements/1.1/", .dc), ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", .rdf),
        ("http://purl.org/rss/1.0/", .rss), ("http://search.yahoo.com/mrss/", .media),
        ("http://www.itunes.com/dtds/podcast-1.0.dtd", .itunes), ("http://www.w3.org/1999/xhtml", .xhtml),
        ("http://www.w3.org/XML/1998/namespace", .xml),
    ]

    static func commonNamespace(_ uri: String) -> Namespace? {
        for c in commonNamespaces where c.uri == uri { return c.ns }
        return nil
    }

    func record(_ error: UnsafeMutablePointer<xmlError>) {
        let e = error.pointee
        guard e.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        errors += 1
        if e.code == Int32(XML_ERR_ENTITYREF_SEMICOL_MISSING.rawValue) || e.code == Int32(XML_ERR_NAME_REQUIRED.rawValue) {
            sawBareAmpersand = true
        }
        if firstError == nil {
            var msg = e.message.map { String(cString: $0) } ?? "error \(e.code)"
            msg = String(msg.trimmingASCIISpace()).lowercased()
            firstError = "line \(e.line): \(msg)"
        }
    }

    /// The entity libxml2 should substitute for `&name;`, as a predefined-type entity so libxml2 inserts its
    /// text verbatim without parsing or expanding it further.
    func entity(named name: UnsafePointer<xmlChar>) -> UnsafeMutablePointer<xmlEntity>? {
        let key = String(cString: name)
        if let e = entities[key] { return charge(e) }
        var value: String?
        if let d = declared[key] {
            var budget = 64 * 1024
            value = expand(d, depth: 0, budget: &budget)
            if budget < 0 { entityBudgetExceeded = true }
        } else {
            var b = Array(key.utf8)
            let v = b.withUnsafeBufferPointer { HTMLEntities.named($0) }
            if let v {
                var out: [UInt8] = []
                HTMLEntities.appendUTF8(v, to: &out)
                value = String(decoding: out, as: UTF8.self)
            }
            b.removeAll()
        }
        // An entity nobody declared stays in the text as written, like browsers show it.
        let text = value ?? "&\(key);"
        let e = UnsafeMutablePointer<xmlEntity>.allocate(capacity: 1)
        e.initialize(to: xmlEntity())
        e.pointee.type = XML_ENTITY_DECL
        e.pointee.etype = XML_INTERNAL_PREDEFINED_ENTITY
        e.pointee.name = UnsafePointer(xmlStrdup(name))
        e.pointee.content = text.withCString { xmlStrdup(UnsafeRawPointer($0).assumingMemoryBound(to: xmlChar.self)) }
        e.pointee.length = Int32(text.utf8.count)
        entities[key] = e
        return charge(e)
    }

    /// Counts the bytes an entity reference inserts; past the budget every reference inserts nothing.
    private func charge(_ e: UnsafeMutablePointer<xmlEntity>) -> UnsafeMutablePointer<xmlEntity>? {
        expandedBytes += Int(e.pointee.length)
        if expandedBytes > Self.entityBudget {
            entityBudgetExceeded = true
            return emptyEntity()
        }
        return e
    }

    private func emptyEntity() -> UnsafeMutablePointer<xmlEntity>? {
        let key = "\u{0}empty"
        if let e = entities[key] { return e }
        let e = UnsafeMutablePointer<xmlEntity>.allocate(capacity: 1)
        e.initialize(to: xmlEntity())
        e.pointee.type = XML_ENTITY_DECL
        e.pointee.etype = XML_INTERNAL_PREDEFINED_ENTITY
        e.pointee.name = UnsafePointer(xmlStrdup("empty"))
        e.pointee.content = xmlStrdup("")
        e.pointee.length = 0
        entities[key] = e
        return e
    }

    /// Replacement text of a declared entity with nested references expanded, bounded in depth and size.
    func expand(_ text: String, depth: Int, budget: inout Int) -> String {
        guard budget > 0 else { return "" }
        guard text.contains("&") else {
            budget -= text.utf8.count
            return budget >= 0 ? text : ""
        }
        var out = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            guard let semi = after.firstIndex(of: ";"), after.distance(from: after.startIndex, to: semi) < 64 else {
                out += "&"
                rest = after
                continue
            }
            let name = String(after[..<semi])
            rest = after[after.index(after: semi)...]
            // Every reference costs, so references that expand to nothing cannot loop for free.
            budget -= 8
            switch name {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                if let d = declared[name] {
                    guard depth < 8 else {
                        budget = -1
                        return ""
                    }
                    out += expand(d, depth: depth + 1, budget: &budget)
                } else {
                    var b = Array(name.utf8)
                    if let v = b.withUnsafeBufferPointer({ HTMLEntities.named($0) }) {
                        var o: [UInt8] = []
                        HTMLEntities.appendUTF8(v, to: &o)
                        out += String(decoding: o, as: UTF8.self)
                    }
                    b.removeAll()
                }
            }
            if budget - out.utf8.count < 0 {
                budget = -1
                return ""
            }
        }
        out += rest
        budget -= out.utf8.count
        return budget >= 0 ? out : ""
    }
}

/// A document as libxml2 is given it: with its CDATA sections lifted out by `cfb_cdata_lift` when asked and there
/// are any (this owns the copy and the list of sections, which point into the original bytes), else the original.
final class LiftedDocument {
    private var copy = cfb_buf()
    private var list = cfb_buf()
    /// The bytes to give libxml2.
    let bytes: UnsafeBufferPointer<UInt8>
    /// Where each lifted section's content is (nil when none was lifted), for `cfb_sax`.
    let sections: UnsafePointer<cfb_cdata_section>?
    let sectionCount: Int

    init(_ original: UnsafeBufferPointer<UInt8>, lifting: Bool) {
        var copy = cfb_buf()
        var list = cfb_buf()
        var count = 0
        if lifting, let base = original.baseAddress { count = cfb_cdata_lift(base, original.count, &copy, &list) }
        self.copy = copy
        self.list = list
        if count > 0, let c = copy.bytes, let l = list.bytes {
            bytes = UnsafeBufferPointer(start: c, count: copy.count)
            sections = UnsafePointer(UnsafeRawPointer(l).assumingMemoryBound(to: cfb_cdata_section.self))
            sectionCount = count
        } else {
            bytes = original
            sections = nil
            sectionCount = 0
        }
    }

    deinit {
        cfb_buf_free(&copy)
        cfb_buf_free(&list)
    }
}

/// The floor any parser on this libxml2 pays: the same push parser and options with no-op callbacks.
/// Public for the `bench-parse` benchmark only.
public enum BareSAX {
    /// Parses `bytes` and returns the number of elements seen. With `liftingCDATA`, libxml2 is given the document
    /// as our parser gives it (`cfb_cdata_lift`: CDATA sections replaced by processing instructions, whose
    /// callback does nothing here): what libxml2 costs our parser, for comparison.
    public static func parse(_ bytes: [UInt8], liftingCDATA: Bool = false) -> Int {
        _ = XMLFeedReader.initialized
        final class Counter { var n = 0 }
        let counter = Counter()
        var sax = xmlSAXHandler()
        sax.initialized = XML_SAX2_MAGIC
        sax.startElementNs = { ctx, _, _, _, _, _, _, _, _ in
            guard let ctx else { return }
            Unmanaged<Counter>.fromOpaque(ctx).takeUnretainedValue().n += 1
        }
        sax.endElementNs = { _, _, _, _ in }
        sax.characters = { _, _, _ in }
        sax.cdataBlock = { _, _, _ in }
        sax.processingInstruction = { _, _, _ in }
        sax.serror = { _, _ in }
        return withExtendedLifetime(counter) {
            guard let ctxt = xmlCreatePushParserCtxt(&sax, Unmanaged.passUnretained(counter).toOpaque(), nil, 0, nil)
            else { return 0 }
            defer { XMLFeedReader.free(ctxt) }
            xmlCtxtUseOptions(ctxt, Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_COMPACT.rawValue))
            bytes.withUnsafeBufferPointer { original in
                let document = LiftedDocument(original, lifting: liftingCDATA)
                let b = document.bytes
                defer { withExtendedLifetime(document) {} }
                guard let base = b.baseAddress else { return }
                let chunk = 1 << 20
                var offset = 0
                while offset < b.count {
                    let n = min(chunk, b.count - offset)
                    _ = UnsafeRawPointer(base + offset).withMemoryRebound(to: CChar.self, capacity: n) {
                        xmlParseChunk(ctxt, $0, Int32(n), 0)
                    }
                    offset += n
                }
            }
            xmlParseChunk(ctxt, nil, 0, 1)
            return counter.n
        }
    }
}
