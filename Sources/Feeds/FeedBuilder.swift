import CFeedBytes
import Foundation

/// How the characters of a captured element are to be read.
enum TextMode: UInt8 {
    /// Literal text (Atom `type="text"`).
    case text
    /// Escaped HTML (RSS elements, Atom `type="html"`).
    case html
    /// Inline XHTML, re-serialized as HTML while capturing.
    case xhtml
    /// Base64 (Atom 0.3 `mode="base64"`), decoded at the end.
    case base64
}

/// Text captured from one element, with what is needed to interpret it later.
struct TextValue {
    var bytes: [UInt8]
    var mode: TextMode
    /// The `xml:base` in scope, when one was given explicitly.
    var base: String?

    var isBlank: Bool { !bytes.contains { $0 > 0x20 } }

    /// Plain text: literal text collapsed, HTML stripped.
    func plain(limit: Int = Int.max) -> String {
        decoded.withUnsafeBufferPointer { Self.plain($0, mode: mode, limit: limit) }
    }

    /// The plain text of bytes already decoded (not base64), written through `scratch` when there is one.
    static func plain(
        _ b: UnsafeBufferPointer<UInt8>, mode: TextMode, limit: Int = Int.max,
        scratch: UnsafeMutablePointer<cfb_buf>? = nil
    ) -> String {
        if mode == .text {
            if limit == Int.max { return FeedBytes.collapsed(b, scratch: scratch) }
            var w = TextWriter(limit: limit)
            w.appendLiteral(b)
            return w.out.withUnsafeBufferPointer { FeedBytes.string(utf8: $0) }
        }
        return FeedBytes.plainText(b, limit: limit, scratch: scratch)
    }

    /// Sanitized HTML with URLs resolved against `base` (or `fallbackBase`), by `sanitizer` (one per document).
    func html(fallbackBase: String?, sanitizer: Sanitizer) -> String {
        decoded.withUnsafeBufferPointer { b in
            if mode == .text { return FeedBytes.escapedText(b) }
            return sanitizer.sanitize(b, base: base ?? fallbackBase)
        }
    }

    /// The raw string, trimmed (for links, ids, dates).
    var raw: String { String(String(decoding: bytes, as: UTF8.self).trimmingASCIISpace()) }

    private var decoded: [UInt8] {
        guard mode == .base64 else { return bytes }
        let s = String(decoding: bytes.filter { $0 > 0x20 }, as: UTF8.self)
        return Data(base64Encoded: s, options: .ignoreUnknownCharacters).map { [UInt8]($0) } ?? []
    }
}

/// The capture that just ended, read in place from the builder's buffer (valid until the next capture): the
/// fields that keep only a string never copy the bytes into a `TextValue`.
struct CapturedText {
    let bytes: UnsafeBufferPointer<UInt8>
    let mode: TextMode
    let base: String?
    /// The builder's buffer for plain text on its way to a string.
    let scratch: UnsafeMutablePointer<cfb_buf>

    var isBlank: Bool { !bytes.contains { $0 > 0x20 } }

    /// `TextValue.raw`: the bytes trimmed first when the trimmed white space borders ASCII on both inner sides
    /// (then no grapheme joins it to the rest, and the result is the one of trimming the decoded string).
    var raw: String { raw(reusing: nil) }

    /// `raw`, or `candidate` itself when that is the string `raw` would make (trimmed bytes with ASCII at both
    /// ends, the same UTF-8 as the candidate's): an item's guid, link, id and `rdf:about` are often one URL, kept
    /// once instead of as a second string (an allocation and its free saved).
    func raw(reusing candidate: String?) -> String {
        var lo = 0
        var hi = bytes.count
        @inline(__always) func ws(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D }
        while lo < hi, ws(bytes[lo]) { lo += 1 }
        while hi > lo, ws(bytes[hi - 1]) { hi -= 1 }
        if lo == hi { return "" }
        guard bytes[lo] < 0x80, bytes[hi - 1] < 0x80 else {
            return String(String(decoding: bytes, as: UTF8.self).trimmingASCIISpace())
        }
        let trimmed = UnsafeBufferPointer(rebasing: bytes[lo..<hi])
        if let candidate, candidate.hasUTF8(trimmed) { return candidate }
        return FeedBytes.string(utf8: trimmed)
    }

    /// `DateParser.parse(raw)`: ASCII bytes (every date it reads) parsed as they are, without a string
    /// (`DateParser` trims them as `raw` does, and more).
    var date: Date? {
        guard Self.isASCII(bytes) else { return DateParser.parse(raw) }
        return DateParser.parse(bytes: bytes)
    }

    /// Whether no byte of `b` is 0x80 or more, eight bytes a step (a date is some 25 bytes: the byte loop was
    /// a sixth of a date's cost).
    static func isASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let p = b.baseAddress else { return true }
        let raw = UnsafeRawPointer(p)
        let n = b.count
        var any: UInt64 = 0
        var k = 0
        while k + 8 <= n {
            any |= raw.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            k += 8
        }
        while k < n {
            any |= UInt64(p[k])
            k += 1
        }
        return any & 0x8080_8080_8080_8080 == 0
    }

    /// `TextValue.plain()`.
    func plain() -> String { mode == .base64 ? value.plain() : TextValue.plain(bytes, mode: mode, scratch: scratch) }

    /// A copy to keep (exact size: the builder's buffer keeps its capacity).
    var value: TextValue { TextValue(bytes: Array(bytes), mode: mode, base: base) }
}

/// An item while it is being read: raw values, converted at the end of the element. A class, so setting one
/// field through `FeedBuilder.item` changes it in place instead of copying every field of an optional struct.
final class ItemDraft {
    // No runtime exclusivity checks (as `FeedBuilder`): one thread, and no overlapping accesses.
    // No base: the content takes its own (`ArenaText.base`), else the item's link; a base kept here was never
    // read, and storing it per item cost a retain and a release.
    /// The title and summary as plain text, converted when their element ends (no copy of the bytes to keep).
    @exclusivity(unchecked) var title: String?
    @exclusivity(unchecked) var link: String?
    @exclusivity(unchecked) var linkIsAlternate = false
    @exclusivity(unchecked) var summary: String?
    @exclusivity(unchecked) var summaryRank = 0
    @exclusivity(unchecked) var content: TextValue?
    /// The content as a range of the builder's `contentArena` (XML feeds, except base64), instead of `content`.
    @exclusivity(unchecked) var contentInArena: ArenaText?
    /// `contentInArena` is the sanitized HTML already (XHTML content sanitized as it arrived, see `cfb_sax`), and
    /// `contentPlain` the range of the arena whose plain text is its plain text, when that is not its own.
    @exclusivity(unchecked) var contentSanitized = false
    @exclusivity(unchecked) var contentPlain: Range<Int>?
    @exclusivity(unchecked) var contentRank = 0
    @exclusivity(unchecked) var contentSource: String?
    @exclusivity(unchecked) var author: String?
    @exclusivity(unchecked) var authorRank = 0
    @exclusivity(unchecked) var guid: String?
    @exclusivity(unchecked) var guidIsPermaLink = true
    @exclusivity(unchecked) var atomID: String?
    @exclusivity(unchecked) var about: String?
    @exclusivity(unchecked) var mediaTitle: String?
    /// The dates, parsed when their element ends; `hasPublished` and `hasUpdated` say that an element gave one
    /// (parsed or not), which is what the ranks go by.
    @exclusivity(unchecked) var published: Date?
    @exclusivity(unchecked) var hasPublished = false
    @exclusivity(unchecked) var publishedRank = 0
    @exclusivity(unchecked) var updated: Date?
    @exclusivity(unchecked) var hasUpdated = false
    @exclusivity(unchecked) var updatedRank = 0
    @exclusivity(unchecked) var categories: [String] = []
    @exclusivity(unchecked) var enclosures: [Enclosure] = []
    @exclusivity(unchecked) var image: String?

    init() {}

    /// Adds a category (none when empty).
    func addCategory(_ t: String) {
        guard !t.isEmpty else { return }
        // Room for four at the first: growing one at a time reallocated at the second, third and fifth.
        if categories.isEmpty { categories.reserveCapacity(4) }
        categories.append(t)
    }

    /// Makes the draft what `init()` makes, for the next item of the document (no allocation per item).
    func reset() {
        // The item took most fields already: a field is cleared only when set (clearing a clear one still cost
        // a release call).
        if title != nil { title = nil }
        if link != nil { link = nil }
        linkIsAlternate = false
        if summary != nil { summary = nil }
        summaryRank = 0
        if content != nil { content = nil }
        if contentInArena != nil { contentInArena = nil }
        contentSanitized = false
        if contentPlain != nil { contentPlain = nil }
        contentRank = 0
        if contentSource != nil { contentSource = nil }
        if author != nil { author = nil }
        authorRank = 0
        if guid != nil { guid = nil }
        guidIsPermaLink = true
        if atomID != nil { atomID = nil }
        if about != nil { about = nil }
        if mediaTitle != nil { mediaTitle = nil }
        published = nil
        hasPublished = false
        publishedRank = 0
        updated = nil
        hasUpdated = false
        updatedRank = 0
        if !categories.isEmpty { categories = [] }
        if !enclosures.isEmpty { enclosures = [] }
        if image != nil { image = nil }
    }
}

/// Captured text kept in a document's content arena (`FeedBuilder.contentArena`): its bytes are
/// `arena[range]`, read as `mode` (never base64).
struct ArenaText {
    var range: Range<Int>
    var mode: TextMode
    var base: String?
}

/// What the element being captured feeds into.
enum Field {
    case feedTitle, feedLink, feedDescription(rank: Int), feedLanguage, feedUpdated(rank: Int), feedAuthor(rank: Int)
    case feedImageURL, feedLogo, feedIcon, ttl
    case itemTitle, itemLink, itemSummary(rank: Int), itemContent(rank: Int), itemAuthor(rank: Int)
    case itemGUID, itemID, itemMediaTitle, itemPublished(rank: Int), itemUpdated(rank: Int), itemCategory
    case personName, personEmail
}


/// Who owns the children of an element.
enum Role: UInt8 { case root, feed, item, image, person, mediaGroup, ignored, other }

/// One open element. Plain data (no references), so pushing and popping costs no reference counting.
struct Frame {
    var role: Role
    /// The base URL in scope: an index into `FeedBuilder.bases`, or -1 for the document URL.
    var base: Int32
    var explicitBase: Bool
    /// This element's `xml:base` is the last entry of `FeedBuilder.bases`, removed when it ends.
    var ownsBase = false
    var local: Local
    var ns: Namespace
}

/// A person construct being read (Atom `author`/`contributor`).
struct PersonDraft {
    var name: String?
    var email: String?
    var forItem: Bool
    var isContributor: Bool
}

/// Turns SAX events into the normalized model; one per document, never shared across threads.
/// Character data, and the elements inside captured text and skipped subtrees, are handled in C (`cfb_sax`,
/// owned here): the builder sees only the elements it acts on, and reads a capture when it ends.
final class FeedBuilder {
    // Stored properties skip the runtime exclusivity check: the builder is touched by one thread, from
    // libxml2 callbacks that never overlap, and the checks cost more than the SAX events themselves.
    let documentURL: String?
    @exclusivity(unchecked) var format: FeedFormat?
    @exclusivity(unchecked) var notFeed: FeedError? {
        didSet { isNotFeed = notFeed != nil }
    }
    /// `notFeed != nil`, checked after every start tag without copying the error.
    @exclusivity(unchecked) var isNotFeed = false
    @exclusivity(unchecked) var rootName: String?
    /// Namespace URIs declared on the root element.
    @exclusivity(unchecked) var declaredNamespaces: [String] = []

    @exclusivity(unchecked) var feed = Feed(format: .rss20)
    @exclusivity(unchecked) var feedLinkIsAlternate = false
    @exclusivity(unchecked) var feedDescriptionRank = 0
    @exclusivity(unchecked) var feedUpdatedRank = 0
    @exclusivity(unchecked) var feedAuthorRank = 0
    @exclusivity(unchecked) var feedImageRank = 0
    @exclusivity(unchecked) var feedLanguageFromAttr: String?
    /// The items made so far, each when its element ends (the feed's author, which may come later, not yet
    /// filled in: see `ItemFinalizer.fillAuthors`).
    @exclusivity(unchecked) var items: [Item] = []
    /// The draft of the last item, reused by the next one (one allocation per document, not per item).
    @exclusivity(unchecked) var spareDraft: ItemDraft?
    /// Sanitizes the items' contents as each item ends.
    let sanitizer = Sanitizer()
    /// The open item's captured contents (see `ArenaText`), emptied when the item is made: it stays as small as
    /// the largest item, and warm in the cache when the item's content is sanitized. Owned by the builder, freed
    /// in `deinit`.
    let contentArena: UnsafeMutablePointer<cfb_buf>

    @exclusivity(unchecked) var stack: [Frame] = []
    /// The `xml:base` values of open elements, resolved (one per element that has one, in document order).
    @exclusivity(unchecked) var bases: [String] = []
    /// The SAX state kept in C: element depth, the skipped subtree, the capture in progress and its bytes (one
    /// buffer reused by every capture of the document). Owned by the builder, freed in `deinit`.
    let sax: UnsafeMutablePointer<cfb_sax>
    @exclusivity(unchecked) var captureField = Field.feedTitle
    @exclusivity(unchecked) var captureBase: String?
    /// The item being read (owned here until it ends).
    @exclusivity(unchecked) var item: ItemDraft? {
        didSet { itemRef = item.map { Unmanaged.passUnretained($0) } }
    }
    /// `item`, unretained: for `withItem`.
    @exclusivity(unchecked) var itemRef: Unmanaged<ItemDraft>?
    @exclusivity(unchecked) var person: PersonDraft?
    /// Whether item contents in XHTML are sanitized as they arrive (`cfb_sax`'s `direct`, see `beginXHTML`),
    /// by `directSanitizer`; off only for the tests that compare that with sanitizing the rebuilt markup.
    let sanitizesXHTMLAsItArrives = FeedBuilder.sanitizingXHTMLAsItArrives
    @exclusivity(unchecked) var directSanitizer: Sanitizer?
    @TaskLocal static var sanitizingXHTMLAsItArrives = true

    var capturing: Bool {
        get { sax.pointee.capturing != 0 }
        set { sax.pointee.capturing = newValue ? 1 : 0 }
    }
    var captureMode: TextMode {
        get { TextMode(rawValue: UInt8(truncatingIfNeeded: sax.pointee.capture_mode)) ?? .html }
        set { sax.pointee.capture_mode = Int32(newValue.rawValue) }
    }
    var captureDepth: Int {
        get { Int(sax.pointee.capture_depth) }
        set { sax.pointee.capture_depth = Int32(truncatingIfNeeded: newValue) }
    }
    /// Depth of the element whose children are skipped, or -1.
    var skipDepth: Int {
        get { Int(sax.pointee.skip_depth) }
        set { sax.pointee.skip_depth = Int32(truncatingIfNeeded: newValue) }
    }
    /// The bytes captured so far (valid until the next event).
    var capturedBytes: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: sax.pointee.captured.bytes, count: sax.pointee.captured.count)
    }

    /// For `resolveURL`: the last base split (`cfb_url_resolve_cached`) and a buffer for the answer, which is
    /// also where captured text is made plain on its way to a string. Owned by the builder, freed in `deinit`.
    let urlCache: UnsafeMutablePointer<cfb_url_cache>
    let urlOut: UnsafeMutablePointer<cfb_buf>

    init(documentURL: String?) {
        self.documentURL = documentURL
        sax = .allocate(capacity: 1)
        sax.initialize(to: cfb_sax())
        sax.pointee.skip_depth = -1
        sax.pointee.capture_depth = -1
        sax.pointee.wrapper_depth = -1
        sax.pointee.div_class = Local.div.rawValue
        sax.pointee.item_depth = -1
        urlCache = .allocate(capacity: 1)
        urlCache.initialize(to: cfb_url_cache())
        contentArena = .allocate(capacity: 1)
        contentArena.initialize(to: cfb_buf())
        urlOut = .allocate(capacity: 1)
        urlOut.initialize(to: cfb_buf())
    }

    deinit {
        cfb_sax_free(sax)
        sax.deinitialize(count: 1)
        sax.deallocate()
        cfb_url_cache_free(urlCache)
        urlCache.deinitialize(count: 1)
        urlCache.deallocate()
        cfb_buf_free(urlOut)
        urlOut.deinitialize(count: 1)
        urlOut.deallocate()
        cfb_buf_free(contentArena)
        contentArena.deinitialize(count: 1)
        contentArena.deallocate()
    }

    /// `URLResolver.resolve(ref, against: base)`: `URLBase(base).resolve(ref)`, with the base split in C into
    /// the builder's cache while it stays the same (no allocation but the answer's string).
    func resolveURL(_ ref: String, against base: String?) -> String {
        // An absolute URL with nothing to clean resolves to itself against any base (or none).
        if URLBytes.isCleanAbsolute(ref) { return ref }
        guard var base, !base.isEmpty else { return URLResolver.resolve(ref, against: base) }
        var ref = ref
        let cache = urlCache
        let out = urlOut
        cfb_buf_clear(out)
        let resolved = base.withUTF8 { b in
            ref.withUTF8 { r in cfb_url_resolve_cached(cache, b.baseAddress, b.count, r.baseAddress, r.count, out) }
        }
        guard resolved == 1, let p = out.pointee.bytes else { return resolved == 1 ? "" : URLResolver.resolve(ref, against: base) }
        return String(decoding: UnsafeBufferPointer(start: p, count: out.pointee.count), as: UTF8.self)
    }

    /// `resolveURL(String(decoding: ref, as: UTF8.self), against: base)` for the bytes of an attribute value
    /// (`SAXAttributes.Lookup.ascii`), without making the reference's string first (one string, the answer).
    /// `reusing`: a string to return instead of a new one when the answer has its bytes (see
    /// `CapturedText.raw(reusing:)`).
    func resolveURL(ascii ref: UnsafeBufferPointer<UInt8>, against base: String?, reusing: String? = nil) -> String {
        if URLBytes.isCleanAbsolute(ref) {
            if let reusing, reusing.hasUTF8(ref) { return reusing }
            return String(decoding: ref, as: UTF8.self)
        }
        guard var base, !base.isEmpty, let r = ref.baseAddress, ref.count > 0 else {
            return URLResolver.resolve(String(decoding: ref, as: UTF8.self), against: base)
        }
        let cache = urlCache
        let out = urlOut
        cfb_buf_clear(out)
        let resolved = base.withUTF8 { b in cfb_url_resolve_cached(cache, b.baseAddress, b.count, r, ref.count, out) }
        guard resolved == 1, let p = out.pointee.bytes else {
            return resolved == 1 ? "" : URLResolver.resolve(String(decoding: ref, as: UTF8.self), against: base)
        }
        let answer = UnsafeBufferPointer(start: p, count: out.pointee.count)
        if let reusing, reusing.hasUTF8(answer) { return reusing }
        return String(decoding: answer, as: UTF8.self)
    }

    var currentBaseIndex: Int32 { stack.last?.base ?? -1 }
    var currentBase: String? { baseString(currentBaseIndex) }
    /// The base URL at index `k` of `bases` (-1: the document URL). Elements carry the index, and their
    /// handlers read the string only where they use it: no retain and release of it per element.
    func baseString(_ k: Int32) -> String? { k < 0 ? documentURL : bases[Int(k)] }
    var explicitBaseInScope: Bool { stack.last?.explicitBase ?? false }

    // MARK: - Events

    func start(ns: Namespace, local: Local, name: UnsafePointer<UInt8>, attributes: SAXAttributes) {
        // Never inside a skipped subtree or captured text: `cfb_sax` handles those without calling here.
        let depth = stack.count
        // The parent's frame read once (its base, whether that was explicit, its role).
        let top = stack.last
        var baseIndex = top?.base ?? -1
        var explicit = top?.explicitBase ?? false
        var ownsBase = false
        if attributes.count > 0, let resolved = baseAttribute(attributes, againstBaseAt: baseIndex) {
            bases.append(resolved)
            baseIndex = Int32(bases.count - 1)
            ownsBase = true
            explicit = true
        }
        let parent = top?.role ?? .root
        var role = Role.other
        defer {
            stack.append(
                Frame(role: role, base: baseIndex, explicitBase: explicit, ownsBase: ownsBase, local: local, ns: ns))
            if role == .item {
                // `cfb_sax` captures this item's simple children itself (see `itemField`).
                sax.pointee.item_depth = Int32(truncatingIfNeeded: depth)
                sax.pointee.item_explicit_base = explicit ? 1 : 0
            }
        }

        if depth == 0 {
            detectFormat(ns: ns, local: local, name: name, attributes: attributes)
            role = .feed
            if format == .rss20 || format == .rss09x || format == .rss10 { role = .root }
            if let lang = attributes.count > 0 ? attributes.value("lang", prefix: "xml") : nil { feedLanguageFromAttr = lang }
            return
        }
        let atomish = ns.isAtom || (ns == .none && (format == .atom10 || format == .atom03))

        switch parent {
        case .root:
            if ns.isCore && local == .channel {
                role = .feed
                if format == .rss10, ns == .rss, let uri = attributes.value("about", prefix: "rdf"), feed.link == nil {
                    _ = uri
                }
            } else if ns.isCore && (local == .item || local == .entry) {
                beginItem(about: attributes.count > 0 ? attributes.value("about", prefix: "rdf") : nil)
                role = .item
            } else if ns.isCore && local == .image {
                role = .image
            } else {
                role = .ignored
                skipDepth = depth
            }
        case .feed:
            role = feedChild(ns: ns, local: local, atomish: atomish, attributes: attributes, depth: depth, baseIndex: baseIndex)
        case .item, .mediaGroup:
            role = itemChild(ns: ns, local: local, atomish: atomish, attributes: attributes, depth: depth, baseIndex: baseIndex,
                             explicit: explicit, inGroup: parent == .mediaGroup)
        case .image:
            if ns.isCore && local == .url { begin(.feedImageURL, mode: .text, depth: depth, base: nil) }
            role = .other
        case .person:
            if local == .name { begin(.personName, mode: atomish ? .text : .html, depth: depth, base: nil) }
            if local == .email { begin(.personEmail, mode: .text, depth: depth, base: nil) }
            role = .other
        case .ignored, .other:
            role = .other
        }
    }

    /// The element's `xml:base`, resolved against `base` (read as bytes when plain ASCII: one string).
    /// The base is read (`baseString(k)`) only when there is an `xml:base`: most elements with attributes have
    /// none, and reading it cost a retain and a release each.
    func baseAttribute(_ attributes: SAXAttributes, againstBaseAt k: Int32) -> String? {
        switch attributes.lookup("base", prefix: "xml") {
        case .absent: return nil
        case .ascii(let b): return resolveURL(ascii: b, against: baseString(k))
        case .other: return attributes.value("base", prefix: "xml").map { resolveURL($0, against: baseString(k)) }
        }
    }

    func end() {
        guard let frame = stack.popLast() else { return }
        let depth = stack.count
        if frame.ownsBase { bases.removeLast() }
        // Only the skipped or captured element itself ends here (`cfb_sax` handles what is inside).
        if skipDepth >= 0 {
            if depth == skipDepth { skipDepth = -1 }
            return
        }
        if capturing {
            if depth == captureDepth {
                capturing = false
                finish()
            }
            return
        }
        switch frame.role {
        case .item:
            sax.pointee.item_depth = -1
            endItem()
        case .person:
            endPerson()
        default:
            break
        }
    }

    // MARK: - Format detection

    func detectFormat(ns: Namespace, local: Local, name: UnsafePointer<UInt8>, attributes: SAXAttributes) {
        rootName = String(cString: name)
        switch (local, ns) {
        case (.rss, _) where ns.isCore:
            let v = attributes.value("version") ?? ""
            format = v.hasPrefix("0.9") ? .rss09x : .rss20
        case (.rdf, _):
            let is090 = declaredNamespaces.contains { $0.hasPrefix("http://my.netscape.com/rdf/simple/0.9") }
            format = is090 ? .rss09x : .rss10
        case (.feed, .atom03):
            format = .atom03
        case (.feed, .atom10):
            format = (attributes.value("version") ?? "").hasPrefix("0.") ? .atom03 : .atom10
        case (.feed, .none):
            format = (attributes.value("version") ?? "").hasPrefix("0.") ? .atom03 : .atom10
        case (.channel, _) where ns.isCore:
            format = .rss09x
        case (.html, _), (_, .xhtml):
            notFeed = FeedError(.notAFeed, "got an HTML page, not a feed")
        default:
            notFeed = FeedError(.notAFeed, "got an XML document with root element <\(rootName ?? "")>, not a feed")
        }
        if let format { feed.format = format }
    }

    /// RSS 1.0 items in the RSS 0.90 namespace make it RSS 0.90.
    func noteRDFNamespace(_ uri: String) {
        if format == .rss10, uri.hasPrefix("http://my.netscape.com/rdf/simple/0.9") {
            format = .rss09x
            feed.format = .rss09x
        }
    }

    // MARK: - Feed level

    func textMode(_ attributes: SAXAttributes, atomish: Bool, default def: TextMode) -> TextMode {
        guard attributes.count > 0 else { return def }
        // Plain ASCII values are read as bytes (the same answers, without strings); others as below.
        if case .absent = attributes.lookup("mode"), case .ascii(let raw) = attributes.lookup("type") {
            let type = SAXAttributes.trimmed(raw)
            typealias A = SAXAttributes
            if A.lowercasedEquals(type, "text") || A.lowercasedEquals(type, "text/plain") { return .text }
            if A.lowercasedEquals(type, "html") || A.lowercasedEquals(type, "text/html") { return .html }
            if A.lowercasedEquals(type, "xhtml") || A.lowercasedEquals(type, "application/xhtml+xml") { return .xhtml }
            if A.lowercasedHas(type, "+xml", suffix: true) || A.lowercasedHas(type, "/xml", suffix: true) { return .xhtml }
            if A.lowercasedHas(type, "text/", suffix: false) { return .text }
            return type.contains(UInt8(ascii: "/")) ? .base64 : def
        }
        if let mode = attributes.value("mode")?.lowercased() {
            if mode == "base64" { return .base64 }
            if mode == "escaped" { return .html }
            if mode == "xml" { return .xhtml }
        }
        guard let type = attributes.value("type")?.lowercased().trimmingASCIISpace() else { return def }
        switch type {
        case "text", "text/plain": return .text
        case "html", "text/html": return .html
        case "xhtml", "application/xhtml+xml": return .xhtml
        default:
            if type.hasSuffix("+xml") || type.hasSuffix("/xml") { return .xhtml }
            if type.hasPrefix("text/") { return .text }
            // Atom: any other media type is base64-encoded.
            return type.contains("/") ? .base64 : def
        }
    }

    /// `base` is consumed (moved into `captureBase`): callers make it for this call only.
    func begin(_ field: Field, mode: TextMode, depth: Int, base: consuming String?) {
        capturing = true
        captureField = field
        captureMode = mode
        captureDepth = depth
        sax.pointee.wrapper_depth = -1
        sax.pointee.saw_child = 0
        cfb_buf_clear(&sax.pointee.captured)
        sax.pointee.direct = 0
        if mode == .xhtml { beginXHTML(field, base: base) }
        captureBase = base
    }

    /// An item's XHTML content is sanitized as it arrives when the base it is sanitized against at the item's end
    /// is known now: its explicit base, else the item's link once an alternate link set it (nothing replaces that
    /// one); else the link is still to come.
    @inline(never)
    func beginXHTML(_ field: Field, base: String?) {
        guard sanitizesXHTMLAsItArrives, case .itemContent = field,
            let base = base ?? (item?.linkIsAlternate == true ? item?.link : nil)
        else { return }
        let sanitizer = directSanitizer ?? Sanitizer()
        directSanitizer = sanitizer
        sanitizer.prepare(&sax.pointee.base, base: base)
        cfb_sax_begin_direct(sax)
    }

    func feedChild(ns: Namespace, local: Local, atomish: Bool, attributes: SAXAttributes, depth: Int, baseIndex: Int32) -> Role {
        let atomMode: TextMode = atomish ? .text : .html
        switch ns {
        case .none, .rss, .atom10, .atom03:
            switch local {
            case .title:
                begin(.feedTitle, mode: textMode(attributes, atomish: atomish, default: atomMode), depth: depth, base: nil)
            case .link:
                if let href = attributes.value("href") {
                    let rel = attributes.value("rel")?.lowercased() ?? "alternate"
                    if rel == "alternate" || rel.hasSuffix("/alternate") {
                        let url = resolveURL(href, against: baseString(baseIndex))
                        let type = attributes.value("type")?.lowercased()
                        if feed.link == nil || (!feedLinkIsAlternate) || (type == "text/html" && feed.link != nil && false) {
                            feed.link = url
                            feedLinkIsAlternate = true
                        }
                    }
                } else if !feedLinkIsAlternate {
                    begin(.feedLink, mode: .text, depth: depth, base: baseString(baseIndex))
                }
            case .description, .subtitle, .tagline:
                begin(.feedDescription(rank: 3), mode: textMode(attributes, atomish: atomish, default: atomMode), depth: depth, base: nil)
            case .info where ns.isAtom:
                break
            case .language:
                begin(.feedLanguage, mode: .text, depth: depth, base: nil)
            case .lastBuildDate, .updated, .modified:
                begin(.feedUpdated(rank: 3), mode: .text, depth: depth, base: nil)
            case .pubDate, .published, .issued:
                begin(.feedUpdated(rank: 2), mode: .text, depth: depth, base: nil)
            case .managingEditor:
                begin(.feedAuthor(rank: 2), mode: .html, depth: depth, base: nil)
            case .webMaster:
                begin(.feedAuthor(rank: 1), mode: .html, depth: depth, base: nil)
            case .author:
                if atomish {
                    person = PersonDraft(forItem: false, isContributor: false)
                    return .person
                }
                begin(.feedAuthor(rank: 3), mode: .html, depth: depth, base: nil)
            case .image:
                if let href = attributes.value("href") ?? attributes.value("resource", prefix: "rdf"), ns.isAtom {
                    setFeedImage(resolveURL(href, against: baseString(baseIndex)), rank: 3)
                }
                return .image
            case .logo:
                begin(.feedLogo, mode: .text, depth: depth, base: baseString(baseIndex))
            case .icon:
                begin(.feedIcon, mode: .text, depth: depth, base: baseString(baseIndex))
            case .ttl:
                begin(.ttl, mode: .text, depth: depth, base: nil)
            case .item, .entry:
                beginItem()
                return .item
            case .textinput, .source:
                skipDepth = depth
                return .ignored
            default:
                break
            }
        case .dc:
            switch local {
            case .language: if feed.language == nil { begin(.feedLanguage, mode: .text, depth: depth, base: nil) }
            case .date, .modified: begin(.feedUpdated(rank: 1), mode: .text, depth: depth, base: nil)
            case .creator, .author: begin(.feedAuthor(rank: 3), mode: .html, depth: depth, base: nil)
            case .publisher: begin(.feedAuthor(rank: 0), mode: .html, depth: depth, base: nil)
            case .description: begin(.feedDescription(rank: 2), mode: .html, depth: depth, base: nil)
            case .title: if feed.title == nil { begin(.feedTitle, mode: .html, depth: depth, base: nil) }
            default: break
            }
        case .itunes:
            switch local {
            case .author: begin(.feedAuthor(rank: 1), mode: .html, depth: depth, base: nil)
            case .summary, .subtitle: begin(.feedDescription(rank: local == .summary ? 1 : 0), mode: .html, depth: depth, base: nil)
            case .image:
                if let href = attributes.value("href") { setFeedImage(resolveURL(href, against: baseString(baseIndex)), rank: 2) }
            default: break
            }
        case .media:
            if local == .thumbnail, let url = attributes.value("url") {
                setFeedImage(resolveURL(url, against: baseString(baseIndex)), rank: 1)
            }
        default:
            break
        }
        return .other
    }

    func setFeedImage(_ url: String, rank: Int) {
        guard !url.isEmpty, rank > feedImageRank || feed.image == nil else { return }
        feed.image = url
        feedImageRank = rank
    }

    // MARK: - Item level

    /// `about` is consumed (moved into the draft), and the draft moved into `item`: no retain and release of
    /// either per item.
    func beginItem(about: consuming String? = nil) {
        let d: ItemDraft
        // Taken (moved out), not copied and cleared.
        if let spare = spareDraft.take() {
            spare.reset()
            d = spare
        } else {
            d = ItemDraft()
        }
        d.about = about
        item = consume d
    }

    /// The children of an item whose start, without attributes, only begins a capture (`itemChild` with no
    /// attribute to read and no state to consult): `cfb_sax` begins those captures itself and calls
    /// `finish(itemField:)` when they end. The field, its mode, and whether the capture takes the content base.
    static let itemFields: [(field: Field, atomMode: Bool, mode: TextMode, contentBase: Bool)] = [
        (.itemTitle, true, .html, false),  // 1: the item's own title (mode: `atomMode`)
        (.itemSummary(rank: 3), false, .html, true),  // 2: description
        (.itemSummary(rank: 3), true, .html, true),  // 3: summary (`atomMode`)
        (.itemContent(rank: 3), true, .html, true),  // 4: content (`atomMode`)
        (.itemGUID, false, .text, false),  // 5
        (.itemID, false, .text, false),  // 6
        (.itemPublished(rank: 3), false, .text, false),  // 7
        (.itemPublished(rank: 1), false, .text, false),  // 8
        (.itemUpdated(rank: 3), false, .text, false),  // 9
        (.itemAuthor(rank: 3), false, .html, false),  // 10: author outside Atom
        (.itemCategory, false, .html, false),  // 11
        (.itemContent(rank: 2), false, .xhtml, true),  // 12: body, xhtml div
        (.itemContent(rank: 1), false, .html, true),  // 13: fullitem
        (.itemContent(rank: 4), false, .html, true),  // 14: content:encoded
        (.itemAuthor(rank: 2), false, .html, false),  // 15: dc:creator, dc:author
        (.itemPublished(rank: 2), false, .text, false),  // 16: dc:issued, dc:created, dc:date
        (.itemAuthor(rank: 0), false, .html, false),  // 17: dc:contributor
        (.itemUpdated(rank: 2), false, .text, false),  // 18: dc:modified
        (.itemSummary(rank: 2), false, .html, true),  // 19: dc:description, itunes:summary
        (.itemSummary(rank: 1), false, .text, true),  // 20: media:description
        (.itemMediaTitle, false, .text, false),  // 21
        (.itemAuthor(rank: 1), false, .html, false),  // 22: itunes:author
        (.itemSummary(rank: 0), false, .html, true),  // 23: itunes:subtitle
    ]

    /// The code in `itemFields` (1-based) of an item's child without attributes, or 0 when its start does more
    /// than begin a capture: the same choices as `itemChild` makes when no attribute is given.
    func itemFieldCode(ns: Namespace, local: Local) -> Int {
        switch ns {
        case .none, .rss, .atom10, .atom03:
            let atomish = ns.isAtom || (ns == .none && (format == .atom10 || format == .atom03))
            switch local {
            case .title: return 1
            case .description: return 2
            case .summary: return 3
            case .content: return 4
            case .guid: return 5
            case .id: return 6
            case .pubDate, .published, .issued: return 7
            case .created: return 8
            case .updated, .modified: return 9
            case .author: return atomish ? 0 : 10
            case .category: return 11
            case .body: return 12
            case .fullitem: return 13
            default: return 0
            }
        case .xhtml: return local == .body || local == .div ? 12 : 0
        case .content: return local == .encoded ? 14 : 0
        case .dc:
            switch local {
            case .creator, .author: return 15
            case .issued, .created, .date: return 16
            case .contributor: return 17
            case .modified: return 18
            case .subject: return 11
            case .description: return 19
            default: return 0  // dc:title depends on whether the item has a title
            }
        case .media:
            switch local {
            case .description: return 20
            case .title: return 21
            default: return 0
            }
        case .itunes:
            switch local {
            case .author: return 22
            case .summary: return 19
            case .subtitle: return 23
            default: return 0
            }
        default:
            return 0
        }
    }

    /// `itemFieldCode` with the capture's mode, as `cfb_sax_item_field_fn` answers.
    func itemField(ns: Namespace, local: Local) -> UInt16 {
        let code = itemFieldCode(ns: ns, local: local)
        guard code > 0 else { return 0 }
        let f = Self.itemFields[code - 1]
        let atomish = ns.isAtom || (ns == .none && (format == .atom10 || format == .atom03))
        let mode: TextMode = f.atomMode ? (atomish ? .text : .html) : f.mode
        return UInt16(code) | UInt16(mode.rawValue) << UInt16(CFB_FIELD_MODE_SHIFT)
            | (f.contentBase ? UInt16(CFB_FIELD_USES_BASE) : 0)
    }

    /// The end of a capture `cfb_sax` began (see `itemFields`).
    func finish(itemField code: UInt8) {
        captureField = Self.itemFields[Int(code) - 1].field
        // No base: `cfb_sax` begins these captures only between captures, when `captureBase` is nil (each
        // capture's end takes it), and only for fields without an explicit base.
        finish(base: nil)
    }

    func itemChild(
        ns: Namespace, local: Local, atomish: Bool, attributes: SAXAttributes, depth: Int, baseIndex: Int32,
        explicit: Bool, inGroup: Bool
    ) -> Role {
        let atomMode: TextMode = atomish ? .text : .html
        // Content resolves against an explicit `xml:base` only (else against the item's link, when it ends).
        func contentBase() -> String? { explicit ? baseString(baseIndex) : nil }
        switch ns {
        case .none, .rss, .atom10, .atom03:
            guard !inGroup else { break }
            switch local {
            case .title:
                begin(.itemTitle, mode: textMode(attributes, atomish: atomish, default: atomMode), depth: depth, base: nil)
            case .link:
                if attributes.count > 0, case .ascii(let href) = attributes.lookup("href") {
                    itemAtomLink(href: .ascii(href), attributes: attributes, base: baseString(baseIndex))
                } else if attributes.count > 0, let href = attributes.value("href") {
                    itemAtomLink(href: .string(href), attributes: attributes, base: baseString(baseIndex))
                } else if item?.linkIsAlternate != true {
                    begin(.itemLink, mode: .text, depth: depth, base: baseString(baseIndex))
                }
            case .description:
                begin(.itemSummary(rank: 3), mode: textMode(attributes, atomish: atomish, default: .html), depth: depth, base: contentBase())
            case .summary:
                begin(.itemSummary(rank: 3), mode: textMode(attributes, atomish: atomish, default: atomMode), depth: depth, base: contentBase())
            case .content:
                if let src = attributes.value("src") {
                    item?.contentSource = resolveURL(src, against: baseString(baseIndex))
                    skipDepth = depth
                    return .ignored
                }
                let def: TextMode = atomish ? (format == .atom03 ? .text : .text) : .html
                begin(.itemContent(rank: 3), mode: textMode(attributes, atomish: atomish, default: def), depth: depth, base: contentBase())
            case .guid:
                switch attributes.lookup("isPermaLink") {
                case .absent: break
                case .ascii(let p): item?.guidIsPermaLink = !SAXAttributes.lowercasedEquals(p, "false")
                case .other:
                    if let p = attributes.value("isPermaLink")?.lowercased() { item?.guidIsPermaLink = p != "false" }
                }
                begin(.itemGUID, mode: .text, depth: depth, base: nil)
            case .id:
                begin(.itemID, mode: .text, depth: depth, base: nil)
            case .pubDate, .published, .issued:
                begin(.itemPublished(rank: 3), mode: .text, depth: depth, base: nil)
            case .created:
                begin(.itemPublished(rank: 1), mode: .text, depth: depth, base: nil)
            case .updated, .modified:
                begin(.itemUpdated(rank: 3), mode: .text, depth: depth, base: nil)
            case .author:
                if atomish {
                    person = PersonDraft(forItem: true, isContributor: false)
                    return .person
                }
                begin(.itemAuthor(rank: 3), mode: .html, depth: depth, base: nil)
            case .contributor:
                if atomish {
                    person = PersonDraft(forItem: true, isContributor: true)
                    return .person
                }
            case .category:
                switch attributes.lookup("term") {
                case .ascii(let term):
                    // Collapsed from the attribute's bytes through the builder's buffer: one string, no buffer.
                    addCategory(FeedBytes.collapsed(term, scratch: urlOut))
                case .other:
                    addCategory(HTMLText.collapsingWhitespace(attributes.value("term") ?? ""))
                case .absent:
                    if let label = attributes.value("label") {
                        addCategory(HTMLText.collapsingWhitespace(label))
                    } else {
                        begin(.itemCategory, mode: .html, depth: depth, base: nil)
                    }
                }
            case .enclosure:
                if case .ascii(let url) = attributes.lookup("url") {
                    addEnclosure(ascii: url, attributes: attributes, base: baseString(baseIndex))
                } else if let url = attributes.value("url") ?? attributes.value("href") ?? attributes.value("resource", prefix: "rdf") {
                    addEnclosure(url: url, type: attributes.value("type"), length: attributes.value("length"), base: baseString(baseIndex))
                }
            case .source:
                skipDepth = depth
                return .ignored
            case .body:
                begin(.itemContent(rank: 2), mode: .xhtml, depth: depth, base: contentBase())
            case .fullitem:
                begin(.itemContent(rank: 1), mode: .html, depth: depth, base: contentBase())
            default:
                break
            }
        case .xhtml:
            if local == .body || local == .div {
                begin(.itemContent(rank: 2), mode: .xhtml, depth: depth, base: contentBase())
            }
        case .content:
            if local == .encoded {
                begin(.itemContent(rank: 4), mode: .html, depth: depth, base: contentBase())
            }
        case .dc:
            switch local {
            case .creator, .author: begin(.itemAuthor(rank: 2), mode: .html, depth: depth, base: nil)
            case .issued, .created: begin(.itemPublished(rank: 2), mode: .text, depth: depth, base: nil)
            case .contributor: begin(.itemAuthor(rank: 0), mode: .html, depth: depth, base: nil)
            case .date: begin(.itemPublished(rank: 2), mode: .text, depth: depth, base: nil)
            case .modified: begin(.itemUpdated(rank: 2), mode: .text, depth: depth, base: nil)
            case .subject: begin(.itemCategory, mode: .html, depth: depth, base: nil)
            case .description: begin(.itemSummary(rank: 2), mode: .html, depth: depth, base: contentBase())
            case .title: if item?.title == nil { begin(.itemTitle, mode: .html, depth: depth, base: nil) }
            default: break
            }
        case .media:
            switch local {
            case .group:
                return .mediaGroup
            case .content:
                if let url = attributes.value("url") {
                    let type = attributes.value("type") ?? attributes.value("medium").map { $0 == "image" ? "image" : $0 }
                    addEnclosure(url: url, type: type, length: attributes.value("fileSize"), base: baseString(baseIndex))
                    if (attributes.value("medium") == "image" || type?.hasPrefix("image") == true), item?.image == nil {
                        item?.image = resolveURL(url, against: baseString(baseIndex))
                    }
                }
            case .thumbnail:
                if let url = attributes.value("url"), item?.image == nil { item?.image = resolveURL(url, against: baseString(baseIndex)) }
            case .description:
                begin(.itemSummary(rank: 1), mode: textMode(attributes, atomish: false, default: .text), depth: depth, base: contentBase())
            case .title:
                begin(.itemMediaTitle, mode: textMode(attributes, atomish: false, default: .text), depth: depth, base: nil)
            case .keywords:
                break
            default:
                break
            }
        case .itunes:
            switch local {
            case .author: begin(.itemAuthor(rank: 1), mode: .html, depth: depth, base: nil)
            case .summary: begin(.itemSummary(rank: 2), mode: .html, depth: depth, base: contentBase())
            case .subtitle: begin(.itemSummary(rank: 0), mode: .html, depth: depth, base: contentBase())
            case .image:
                if let href = attributes.value("href") { item?.image = resolveURL(href, against: baseString(baseIndex)) }
            default: break
            }
        default:
            break
        }
        return .other
    }

    func addCategory(_ t: String) { withItem { $0.addCategory(t) } }

    /// An attribute value: a string, or plain ASCII bytes (`SAXAttributes.Lookup.ascii`) that make the same string.
    enum AttributeText {
        case string(String)
        case ascii(UnsafeBufferPointer<UInt8>)

        var string: String {
            switch self {
            case .string(let s): return s
            case .ascii(let b): return String(decoding: b, as: UTF8.self)
            }
        }
    }

    func resolveURL(_ ref: AttributeText, against base: String?, reusing: String? = nil) -> String {
        switch ref {
        case .string(let s): return resolveURL(s, against: base)
        case .ascii(let b): return resolveURL(ascii: b, against: base, reusing: reusing)
        }
    }

    func itemAtomLink(href: AttributeText, attributes: SAXAttributes, base: String?) {
        // Plain ASCII `rel` and `type` (or none) read as bytes: the same choices as below, without strings.
        let relLookup = attributes.lookup("rel")
        let typeLookup = attributes.lookup("type")
        var fast = true
        var relBytes = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        var type: UnsafeBufferPointer<UInt8>?
        switch relLookup {
        case .absent: relBytes = UnsafeBufferPointer(start: Self.alternate.utf8Start, count: Self.alternate.utf8CodeUnitCount)
        case .ascii(let r): relBytes = SAXAttributes.trimmed(r)
        case .other: fast = false
        }
        switch typeLookup {
        case .absent: break
        case .ascii(let t): type = t
        case .other: fast = false
        }
        if fast {
            typealias A = SAXAttributes
            if A.lowercasedEquals(relBytes, "alternate") || A.lowercasedEquals(relBytes, "http://www.iana.org/assignments/relation/alternate") {
                // Atom ids are often the alternate link.
                let url = resolveURL(href, against: base, reusing: item?.atomID)
                let htmlish = type.map { A.lowercasedEquals($0, "text/html") || A.lowercasedEquals($0, "application/xhtml+xml") } ?? true
                if item?.linkIsAlternate != true || (htmlish && item?.link == nil) {
                    item?.link = url
                    item?.linkIsAlternate = htmlish
                }
            } else if A.lowercasedEquals(relBytes, "enclosure") {
                switch href {
                case .ascii(let h): addEnclosure(ascii: h, attributes: attributes, base: base)
                case .string(let h):
                    addEnclosure(url: h, type: attributes.value("type"), length: attributes.value("length"), base: base)
                }
            } else if item?.link == nil, !A.lowercasedEquals(relBytes, "self"), !A.lowercasedEquals(relBytes, "edit"),
                !A.lowercasedEquals(relBytes, "replies"), !A.lowercasedEquals(relBytes, "license")
            {
                item?.link = resolveURL(href, against: base)
            }
            return
        }
        let rel = attributes.value("rel")?.lowercased().trimmingASCIISpace() ?? "alternate"
        let url = resolveURL(href, against: base)
        switch rel {
        case "alternate", "http://www.iana.org/assignments/relation/alternate":
            let type = attributes.value("type")?.lowercased()
            let htmlish = type == nil || type == "text/html" || type == "application/xhtml+xml"
            if item?.linkIsAlternate != true || (htmlish && item?.link == nil) {
                item?.link = url
                item?.linkIsAlternate = htmlish
            }
        case "enclosure":
            addEnclosure(url: href.string, type: attributes.value("type"), length: attributes.value("length"), base: base)
        default:
            if item?.link == nil, rel != "self", rel != "edit", rel != "replies", rel != "license" {
                item?.link = url
            }
        }
    }

    static let alternate: StaticString = "alternate"

    /// `Int(s.trimmingASCIISpace())`, read from the bytes when they are ASCII.
    static func integer(_ s: String) -> Int? {
        var s = s
        let parsed: Int?? = s.withUTF8 { u in
            for c in u where c >= 0x80 { return .none }
            return .some(integer(ascii: u))
        }
        if let parsed { return parsed }
        return Int(s.trimmingASCIISpace())
    }

    /// `integer` of ASCII bytes.
    static func integer(ascii u: UnsafeBufferPointer<UInt8>) -> Int? {
        let b = SAXAttributes.trimmed(u)
        var k = 0
        var negative = false
        if k < b.count, b[k] == UInt8(ascii: "+") || b[k] == UInt8(ascii: "-") {
            negative = b[k] == UInt8(ascii: "-")
            k += 1
        }
        guard k < b.count else { return nil }
        var v = 0
        while k < b.count {
            let d = b[k] &- 0x30
            guard d <= 9 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (r, o2) = negative ? m.subtractingReportingOverflow(Int(d)) : m.addingReportingOverflow(Int(d))
            guard !o1, !o2 else { return nil }
            v = r
            k += 1
        }
        return v
    }

    func addEnclosure(url: String, type: String?, length: String?, base: String?) {
        // Nothing to trim when the ends are not ASCII white space: no substring then (most values).
        @inline(__always) func space(_ c: UInt8?) -> Bool { c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D }
        if url.utf8.isEmpty || space(url.utf8.first) {
            guard !url.trimmingASCIISpace().isEmpty else { return }
        }
        let resolved = resolveURL(url, against: base)
        let len = length.flatMap { Self.integer($0) }.flatMap { $0 >= 0 ? $0 : nil }
        let t = type.map { space($0.utf8.first) || space($0.utf8.last) ? String($0.trimmingASCIISpace()) : $0 }
            .flatMap { $0.isEmpty ? nil : $0 }
        storeEnclosure(url: resolved, type: t, length: len)
    }

    /// `addEnclosure(url:type:length:base:)` with the URL given as ASCII bytes, and the `type` and `length`
    /// attributes read as bytes when they are plain ASCII: strings only for what is kept.
    func addEnclosure(ascii url: UnsafeBufferPointer<UInt8>, attributes: SAXAttributes, base: String?) {
        guard !SAXAttributes.trimmed(url).isEmpty else { return }
        let resolved = resolveURL(ascii: url, against: base)
        var len: Int?
        switch attributes.lookup("length") {
        case .absent: len = nil
        case .ascii(let b): len = Self.integer(ascii: b)
        case .other: len = attributes.value("length").flatMap { Self.integer($0) }
        }
        if let l = len, l < 0 { len = nil }
        var t: String?
        switch attributes.lookup("type") {
        case .absent: t = nil
        case .ascii(let b):
            let trimmed = SAXAttributes.trimmed(b)
            t = trimmed.isEmpty ? nil : String(decoding: trimmed, as: UTF8.self)
        case .other:
            @inline(__always) func space(_ c: UInt8?) -> Bool { c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D }
            t = attributes.value("type")
                .map { space($0.utf8.first) || space($0.utf8.last) ? String($0.trimmingASCIISpace()) : $0 }
                .flatMap { $0.isEmpty ? nil : $0 }
        }
        storeEnclosure(url: resolved, type: t, length: len)
    }

    /// Adds an enclosure to the item, or completes the one it has with the same URL.
    func storeEnclosure(url resolved: String, type t: String?, length len: Int?) {
        if let k = item?.enclosures.firstIndex(where: { $0.url == resolved }) {
            if item?.enclosures[k].type == nil { item?.enclosures[k].type = t }
            if item?.enclosures[k].length == nil { item?.enclosures[k].length = len }
            return
        }
        item?.enclosures.append(Enclosure(url: resolved, type: t, length: len))
    }

    func endPerson() {
        guard let p = person else { return }
        person = nil
        let value = p.name ?? p.email
        guard let value, !value.isEmpty else { return }
        if p.forItem {
            if p.isContributor {
                if item?.author == nil { item?.author = value }
            } else if (item?.authorRank ?? 0) <= 4 {
                item?.author = value
                item?.authorRank = 4
            }
        } else if !p.isContributor, feedAuthorRank <= 4 {
            feed.author = value
            feedAuthorRank = 4
        }
    }

    /// Makes the item (all it needs is known when its element ends) and keeps the draft for the next one.
    func endItem() {
        guard let d = item else { return }
        item = nil
        // Made now, while its content is warm in the cache (at the end of the document, every item's content was
        // read back from memory). Room for sixteen at the first: growing from one reallocated (and moved every
        // item) five times more.
        if items.isEmpty { items.reserveCapacity(16) }
        items.append(
            ItemFinalizer.item(
                from: d, feedAuthor: nil, documentURL: documentURL, sanitizer: sanitizer,
                arena: UnsafeBufferPointer(start: contentArena.pointee.bytes, count: contentArena.pointee.count)))
        cfb_buf_clear(contentArena)
        spareDraft = d
    }

    // MARK: - Captured values

    /// Runs `body` with the item being read, if any, without a retain and a release around it: `item` keeps
    /// it, and nothing a field's conversion does ends the item.
    @inline(__always)
    func withItem(_ body: (ItemDraft) -> Void) {
        itemRef?._withUnsafeGuaranteedRef(body)
    }

    /// Stores the finished capture where its field goes.
    func finish() {
        // Taken, not copied and cleared: a retain and a release fewer per capture.
        finish(base: captureBase.take())
    }

    /// `finish()` with the capture's base given.
    func finish(base: String?) {
        let v = CapturedText(bytes: capturedBytes, mode: captureMode, base: base, scratch: urlOut)
        switch captureField {
        case .feedTitle:
            if feed.title == nil || !v.isBlank { feed.title = v.plain() }
        case .feedLink:
            let raw = v.raw
            if !raw.isEmpty, feed.link == nil || !feedLinkIsAlternate { feed.link = resolveURL(raw, against: v.base) }
        case .feedDescription(let rank):
            if rank >= feedDescriptionRank || feed.description == nil, !v.isBlank {
                feed.description = v.plain()
                feedDescriptionRank = rank
            }
        case .feedLanguage:
            if !v.isBlank { feed.language = v.raw }
        case .feedUpdated(let rank):
            if rank >= feedUpdatedRank || feed.updated == nil, let d = DateParser.parse(v.raw) {
                feed.updated = d
                feedUpdatedRank = rank
            }
        case .feedAuthor(let rank):
            if rank >= feedAuthorRank || feed.author == nil, !v.isBlank {
                feed.author = v.plain()
                feedAuthorRank = rank
            }
        case .feedImageURL:
            if !v.isBlank { setFeedImage(resolveURL(v.raw, against: currentBase), rank: 4) }
        case .feedLogo:
            if !v.isBlank { setFeedImage(resolveURL(v.raw, against: v.base), rank: 5) }
        case .feedIcon:
            if !v.isBlank { setFeedImage(resolveURL(v.raw, against: v.base), rank: 0) }
        case .ttl:
            feed.ttlMinutes = Int(v.raw)
        case .itemTitle:
            withItem { $0.title = v.plain() }
        case .itemLink:
            withItem { item in
                let raw = v.raw(reusing: item.about ?? item.guid)
                if !raw.isEmpty, !item.linkIsAlternate {
                    item.link = resolveURL(raw, against: v.base)
                    item.linkIsAlternate = true
                }
            }
        case .itemSummary(let rank):
            withItem { item in
                if item.summary == nil || rank > item.summaryRank, !v.isBlank {
                    item.summary = v.plain()
                    item.summaryRank = rank
                }
            }
        case .itemContent(let rank):
            let direct = sax.pointee.direct != 0
            withItem { item in
                guard (item.content == nil && item.contentInArena == nil) || rank > item.contentRank,
                    direct ? sax.pointee.nonblank != 0 : !v.isBlank
                else { return }
                if direct {
                    // Sanitized already; the plain text from the bytes `captured` has, when it has some.
                    let s = sax.pointee
                    let start = contentArena.pointee.count
                    if let p = s.sanitized.bytes, s.sanitized_start < s.sanitized_end {
                        cfb_buf_append(contentArena, p + s.sanitized_start, s.sanitized_end - s.sanitized_start)
                    }
                    let range = start..<contentArena.pointee.count
                    var plain: Range<Int>?
                    if s.rebuilt != 0 {
                        cfb_buf_append(contentArena, v.bytes.baseAddress, v.bytes.count)
                        plain = range.upperBound..<contentArena.pointee.count
                    }
                    item.contentInArena = ArenaText(range: range, mode: v.mode, base: v.base)
                    item.contentSanitized = true
                    item.contentPlain = plain
                    item.content = nil
                } else if v.mode == .base64 {
                    item.content = v.value
                    item.contentInArena = nil
                    item.contentSanitized = false
                } else {
                    item.contentSanitized = false
                    // Kept in the item's arena: no array (and allocation) per item. The first content of an item
                    // is not copied there: the capture buffer and the arena trade places (its bytes stay where
                    // they are, and the next capture starts in the arena's old buffer).
                    let start = contentArena.pointee.count
                    if start == 0 {
                        swap(&contentArena.pointee, &sax.pointee.captured)
                    } else {
                        cfb_buf_append(contentArena, v.bytes.baseAddress, v.bytes.count)
                    }
                    item.contentInArena = ArenaText(
                        range: start..<contentArena.pointee.count, mode: v.mode, base: v.base)
                    item.content = nil
                }
                item.contentRank = rank
            }
        case .itemAuthor(let rank):
            withItem { item in
                if item.author == nil || rank > item.authorRank, !v.isBlank {
                    item.author = v.plain()
                    item.authorRank = rank
                }
            }
        case .itemGUID:
            withItem { $0.guid = v.raw(reusing: $0.link) }
        case .itemID:
            withItem { $0.atomID = v.raw(reusing: $0.link) }
        case .itemMediaTitle:
            withItem { item in
                let t = v.plain()
                if !t.isEmpty, item.mediaTitle == nil { item.mediaTitle = t }
            }
        case .itemPublished(let rank):
            withItem { item in
                if rank >= item.publishedRank || !item.hasPublished, !v.isBlank {
                    item.published = v.date
                    item.hasPublished = true
                    item.publishedRank = rank
                }
            }
        case .itemUpdated(let rank):
            withItem { item in
                if rank >= item.updatedRank || !item.hasUpdated, !v.isBlank {
                    item.updated = v.date
                    item.hasUpdated = true
                    item.updatedRank = rank
                }
            }
        case .itemCategory:
            withItem { $0.addCategory(v.plain()) }
        case .personName:
            let t = v.plain()
            if !t.isEmpty { person?.name = t }
        case .personEmail:
            let t = v.plain()
            if !t.isEmpty { person?.email = t }
        }
    }
}
