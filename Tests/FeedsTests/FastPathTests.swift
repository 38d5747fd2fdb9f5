@testable import Feeds
import Foundation
import Testing

/// The byte-level fast paths must agree with the slow paths they shortcut.
@Suite struct FastPathTests {
    @Test func manyCategoriesKeepTheirOrder() throws {
        let cats = (1...9).map { "<category> c\($0) </category>" }.joined()
        let xml = "<rss version=\"2.0\"><channel><title>T</title><item><title>a</title>\(cats)</item>"
            + "<item><title>b</title><category>x</category><category></category><category>y</category></item>"
            + "</channel></rss>"
        let items = try parseString(xml).feed.items
        #expect(items.map(\.categories) == [(1...9).map { "c\($0)" }, ["x", "y"]])
        let terms = (1...6).map { "<category term=\" t\($0) \"/>" }.joined()
        let atom = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title><entry><id>e</id>\(terms)"
            + "<category>inner</category></entry></feed>"
        #expect(try parseString(atom).feed.items.map(\.categories) == [(1...6).map { "t\($0)" } + ["inner"]])
    }

    @Test func elementNamesByBytesAgreeWithTheStringSwitch() {
        var names = Local.knownNames.map(\.0)
        #expect(names.count == 56)
        #expect(names.allSatisfy { $0.utf8.count <= 16 })
        for n in Local.knownNames.map(\.0) {
            names += [n.uppercased(), n.lowercased(), n + "x", String(n.dropLast()), "x" + n, n + n, n + "\u{e9}"]
        }
        names += [
            "", "a", "RSS", "rdf", "Html", "abcdefghijklmnop", "abcdefghijklmnopq", "managingEditorXY",
            "managingEditorXYZ", "\u{e9}t\u{e9}", "lin\u{212A}", "\u{212A}eywords", "ti\u{301}tle", "\u{2126}",
        ]
        for n in names {
            let fast = n.withCString { p in
                p.withMemoryRebound(to: UInt8.self, capacity: n.utf8.count + 1) { Local.classify(cString: $0) }
            }
            #expect(fast == Local.classify(n), "\(n)")
        }
    }

    @Test func itemKeysWithoutDuplicatesAgreeWithTheGeneralLoop() {
        func items(_ ids: [String?], links: [String?]? = nil) -> [Item] {
            ids.indices.map { k in
                Item(id: ids[k], title: "t\(k % 3)", link: links?[k], summary: "s", published: Date(timeIntervalSince1970: 0))
            }
        }
        let long = String(repeating: "https://example.com/posts/", count: 3)
        let cases: [[Item]] = [
            [],
            items(["a"]),
            items(["a", "b", "c", "a", "a"]),
            items(["a", "b", "a b"], links: [nil, "x", "b"]),
            items((0..<100).map { "\(long)\($0)" }),
            items((0..<40).map { "id-\($0 % 17)" }, links: (0..<40).map { "https://x.org/\($0 % 5)" }),
            items(["e\u{301}", "\u{e9}"]),
            items(["caf\u{e9}", "cafe", "caf\u{e9}x"]),
            items([nil, nil, nil, "1234567", "12345678", "123456789"]),
            items([nil, nil, nil], links: ["https://x.org/a?b", "HTTPS://X.ORG/a?b", "https://x.org/a"]),
            items([nil, nil], links: nil),
        ]
        for c in cases {
            var fast = c
            var slow = c
            ItemFinalizer.assignKeys(&fast)
            ItemFinalizer.assignKeys(&slow, primary: c.indices.map { ItemFinalizer.primaryKey(c, $0) })
            #expect(fast.map(\.key) == slow.map(\.key))
            #expect(Set(fast.map(\.key)).count == fast.count)
        }
        #expect(ItemFinalizer.allDistinctASCII(["a", "b", "a"]) == false)
        #expect(ItemFinalizer.allDistinctASCII(["abcdefghij", "abcdefghi", "abcdefghik"]) == true)
        #expect(ItemFinalizer.allDistinctASCII(["a", "\u{e9}"]) == nil)
    }

    @Test func rfc822CommonFormAgreesWithTheGeneralReading() {
        var dates = [
            "Wed, 02 Oct 2002 13:00:00 GMT", "Wed, 02 Oct 2002 13:00:00 +0200", "Sun, 2 Mar 2025 23:59:60 -0930",
            "Mon, 31 Feb 2024 10:00:00 GMT", "Tue, 29 Feb 2024 24:00:00 UTC", "Tue, 29 Feb 2023 24:00:01 UT",
            "THU, 01 JAN 1970 00:00:00 Z", "fri, 15 aug 2025 12:34:56 est", "Sat, 15 Aug 2025 12:34:56 J",
            "Sat, 15 Aug 2025 12:34:56 PM", "Sat, 15 Aug 2025 12:34:56 am", "Sat, 15 Aug 2025 12:34:56 XYZ",
            "Sat, 15 Aug 2025 12:34:56 WIB", "Sat, 15 Aug 2025 12:34:56 gmt+7", "Sat, 15 Aug 2025 12:34:56 +07:00",
            "Sat, 15 Aug 2025 12:34:56 +07", "Sat, 15 Aug 2025 12:34:56 +07000", "Sat, 15 Aug 2025 12:34:56.5 GMT",
            "Sat, 15 Aug 2025 12:34 GMT", "Sat, 15 Aug 25 12:34:56 GMT", "Sat, 015 Aug 2025 12:34:56 GMT",
            "Mar, 15 Aug 2025 12:34:56 GMT", "Sat 15 Aug 2025 12:34:56 GMT", "15 Aug 2025 12:34:56 GMT",
            "5 Aug 2025 12:34:56 +0000", "Sat, 15 Xyz 2025 12:34:56 GMT", "Sat, 15 June 2025 12:34:56 GMT",
            "Sat, 15 Aug 2025 12:34:56 GMTX", "Sat, 15 Aug 2025 12:34:56 EDT ", "Sat, 15 Aug 2025 32:34:56 GMT",
            "Sat, 15 Aug 2025 12:64:56 GMT", "Sat, 00 Aug 2025 12:34:56 GMT", "Sat, 15 Aug 2025 12:34:56 G'T",
            "Sat, 15 Aug 2025 12:34:56 -", "Sat, 15 Aug 2025 12:34:56 +", "Sat, 15 Aug 2025 12:34:56 +12a4",
            "Sat, 15 Aug 0000 12:34:56 GMT", "Sat, 15 Aug 2025 1:34:56 GMT", "S@t, 15 Aug 2025 12:34:56 GMT",
            "Wed, 02 Oct 2002 13:00:00 aest", "Wed, 02 Oct 2002 13:00:00 nzst", "Wed, 02 Oct 2002 13:00:00 K",
        ]
        // Every byte of a common date replaced by others, and every prefix of it.
        let base = Array("Wed, 02 Oct 2002 13:00:00 +0530".utf8)
        for k in base.indices {
            for r in [UInt8(ascii: "0"), UInt8(ascii: "9"), UInt8(ascii: " "), UInt8(ascii: "a"), UInt8(ascii: ":"),
                      UInt8(ascii: "-"), UInt8(ascii: ","), 0xC3] {
                var c = base
                c[k] = r
                dates.append(String(decoding: c, as: UTF8.self))
            }
            dates.append(String(decoding: base[..<k], as: UTF8.self))
        }
        for d in dates {
            var s = d
            s.withUTF8 { b in
                let fast = DateParser.rfc822Common(b)
                if let fast { #expect(fast == DateParser.rfc822Slow(b), "\(d)") }
                #expect(DateParser.rfc822(b) == DateParser.rfc822Slow(b), "\(d)")
            }
        }
        // The common forms take the fast path.
        for d in ["Wed, 02 Oct 2002 13:00:00 GMT", "2 Oct 2002 13:00:00 -0700", "Fri, 15 Aug 2025 12:34:56 EST"] {
            var s = d
            #expect(s.withUTF8 { DateParser.rfc822Common($0) } != nil, "\(d)")
        }
    }

    @Test(arguments: [UInt8(0x09), 0x0A, 0x0D, 0x01, 0x08, 0x0B, 0x1F, 0x00])
    func cleanUTF8ChecksControlBytesAtEveryOffset(_ control: UInt8) {
        let allowed = control == 0x09 || control == 0x0A || control == 0x0D
        for offset in 0..<24 {
            var b = Array(repeating: UInt8(ascii: "a"), count: 24)
            b[offset] = control
            #expect(b.withUnsafeBufferPointer { Charset.isCleanUTF8($0) } == allowed, "offset \(offset)")
        }
    }

    @Test(arguments: [
        "", " ", " \n\t\r ", "a", " a ", "\r\na b\r\n", " \u{301}x ", "x\u{301} ", " é ", "\u{600} ", " \u{600}x",
        "\t\u{200D} ", " \u{1F600} ",
    ])
    func trimmingMatchesTheCharacterLoop(_ s: String) {
        #expect(String(s.trimmingASCIISpace()) == String(s.trimmingASCIISpaceByCharacter()))
        let sub = ("#" + s + "#").dropFirst().dropLast()
        #expect(String(sub.trimmingASCIISpace()) == String(sub.trimmingASCIISpaceByCharacter()))
    }

    static let urlBases = [
        "https://example.com/feed/0", "https://example.com", "https://example.com/", "http://a.b/c/d;p?q",
        "https://blog.example.org/posts/3/", "https://x.org/a/./b/../c/", "https://x.org/a/b?x=1#f", "mailto:x@y",
        "no-scheme/path", "https://x.org/..", "http://h:80", "https://x.org/a b/\\c\"/", " https://x.org/t ",
        "file:///tmp/x.xml", "tag:blog,2025:feed", "  https://x.org/a b c d e f/ g h  ", "   ", "\t\n",
    ]
    static let urlRefs = [
        "", "a", "./a", "../a", "../../../x", "/", "/a/b/../c", "//other.org/p/./q?z#f", "?q", "#f", "a?b#c",
        "story-1.html", "../read/12.html", "img/3.png", "/img/4.jpg", "http://abs.org/x", "https://abs.org/a/../b",
        " spaced url ", "a\\b", "\"q\"<x>", ".", "..", "a/.", "a/..", "g;x=1/../y", "\t/tab\n", "é/ü?ß#π",
        "mailto:x@y", "javascript:alert(1)", "x:y", "a:b/c", "1a:b",
    ]

    @Test func urlResolutionInCAgreesWithSwift() {
        let bases = Self.urlBases
        let refs = Self.urlRefs
        for base in bases {
            guard let b = URLBase(base) else { continue }
            for ref in refs {
                var fromC: [UInt8] = []
                var fromSwift: [UInt8] = []
                var r = ref
                r.withUTF8 { u in
                    b.resolve(u, into: &fromC)
                    b.resolveInSwift(u, into: &fromSwift)
                }
                #expect(fromC == fromSwift, "\(base) + \(ref)")
                #expect(b.resolve(ref) == String(decoding: fromSwift, as: UTF8.self))
            }
        }
    }

    @Test func builderResolutionAgreesWithURLBase() {
        // `FeedBuilder.resolveURL` splits each base in C (`cfb_url_resolve_cached`) instead of through `URLBase`,
        // once while it stays the same.
        let builder = FeedBuilder(documentURL: nil)
        for base in Self.urlBases {
            for ref in Self.urlRefs {
                #expect(builder.resolveURL(ref, against: base) == URLResolver.resolve(ref, against: base), "\(base) + \(ref)")
                // Against another base in between, and back.
                _ = builder.resolveURL("x", against: base + "/other/")
                #expect(builder.resolveURL(ref, against: base) == URLResolver.resolve(ref, against: base), "\(base) + \(ref)")
            }
        }
    }

    @Test func builderResolutionOfBytesAgreesWithStrings() {
        // `resolveURL(ascii:)` reads an attribute's bytes without making the reference's string first.
        let builder = FeedBuilder(documentURL: nil)
        for base in Self.urlBases + [""] {
            for ref in Self.urlRefs {
                let fromBytes = Array(ref.utf8).withUnsafeBufferPointer { builder.resolveURL(ascii: $0, against: base) }
                #expect(fromBytes == builder.resolveURL(ref, against: base), "\(base) + \(ref)")
            }
            let none = builder.resolveURL(ascii: UnsafeBufferPointer(start: nil, count: 0), against: base)
            #expect(none == builder.resolveURL("", against: base), "\(base)")
        }
    }

    /// A reused draft (`ItemDraft.reset`) must be a fresh one: every field, as `Mirror` lists them.
    @Test func resetDraftIsAFreshOne() {
        func fields(_ d: ItemDraft) -> [String] { Mirror(reflecting: d).children.map { "\($0.label ?? "?")=\($0.value)" } }
        let d = ItemDraft(base: "http://a.org/")
        let fresh = fields(ItemDraft(base: "http://b.org/"))
        for case let (label?, _) in Mirror(reflecting: d).children {
            // Every field set to something else than its initial value.
            switch label {
            case "base": d.base = "x"
            case "title": d.title = "x"
            case "link": d.link = "x"
            case "linkIsAlternate": d.linkIsAlternate = true
            case "summary": d.summary = "x"
            case "summaryRank": d.summaryRank = 3
            case "content": d.content = TextValue(bytes: [1], mode: .html, base: "x")
            case "contentInArena": d.contentInArena = ArenaText(range: 1..<2, mode: .text, base: nil)
            case "contentRank": d.contentRank = 2
            case "contentSource": d.contentSource = "x"
            case "author": d.author = "x"
            case "authorRank": d.authorRank = 4
            case "guid": d.guid = "x"
            case "guidIsPermaLink": d.guidIsPermaLink = false
            case "atomID": d.atomID = "x"
            case "about": d.about = "x"
            case "mediaTitle": d.mediaTitle = "x"
            case "published": d.published = Date(timeIntervalSince1970: 1)
            case "hasPublished": d.hasPublished = true
            case "publishedRank": d.publishedRank = 1
            case "updated": d.updated = Date(timeIntervalSince1970: 1)
            case "hasUpdated": d.hasUpdated = true
            case "updatedRank": d.updatedRank = 1
            case "categories": d.categories = ["x"]
            case "enclosures": d.enclosures = [Enclosure(url: "x")]
            case "image": d.image = "x"
            default: Issue.record("field \(label) not set here: add it, and to ItemDraft.reset")
            }
        }
        #expect(fields(d) != fresh)
        d.reset(base: "http://b.org/")
        #expect(fields(d) == fresh)
    }

    /// Items are made as they end: a feed author given after them still fills theirs.
    @Test func feedAuthorAfterTheItemsFillsTheirs() throws {
        let atom = """
            <feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><id>a</id></entry>\
            <entry><id>b</id><author><name>Own</name></author></entry><author><name>Late</name></author></feed>
            """
        #expect(try parseString(atom).feed.items.map(\.author) == ["Late", "Own"])
        let rss = """
            <rss version="2.0"><channel><title>T</title><item><title>a</title></item>\
            <item><title>b</title><dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">Own</dc:creator></item>\
            <managingEditor>Late</managingEditor></channel></rss>
            """
        #expect(try parseString(rss).feed.items.map(\.author) == ["Late", "Own"])
    }

    @Test func commonNamespacesAreWhatClassifyFinds() {
        #expect(XMLFeedReader.commonNamespaces.count == 10)
        for c in XMLFeedReader.commonNamespaces { #expect(Namespace.classify(c.uri) == c.ns, "\(c.uri)") }
        #expect(XMLFeedReader.commonNamespace("http://www.w3.org/2005/atom") == nil)
        #expect(XMLFeedReader.commonNamespace("http://purl.org/dc/elements/1.1") == nil)
    }

    /// Atom category terms collapsed from the attribute's bytes when plain ASCII: what the string path gives.
    @Test func categoryTermsReadAsBytesGiveTheStringAnswers() throws {
        for (written, term) in [(" a  b ", " a  b "), ("", ""), ("  ", "  "), ("x&#9;y", "x\ty"), ("T &amp; L", "T & L"),
                                ("\u{e9} t ", "\u{e9} t "), ("one", "one"), ("a&#160;b", "a\u{a0}b")] {
            let doc = """
                <feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><id>e</id>\
                <category term="\(written)"/><category label=" L  x "/></entry></feed>
                """
            let expected = [HTMLText.collapsingWhitespace(term), "L x"].filter { !$0.isEmpty }
            #expect(try parseString(doc).feed.items.first?.categories == expected, "\(written)")
        }
    }

    /// Runs `body` with libxml2-style attributes (local name, prefix, URI, value start, value end) for `pairs`.
    static func withAttributes<R>(_ pairs: [(String, String)], _ body: (SAXAttributes) throws -> R) rethrows -> R {
        var storage: [UnsafeMutablePointer<UInt8>] = []
        defer { storage.forEach { $0.deallocate() } }
        func cString(_ s: String) -> UnsafeMutablePointer<UInt8> {
            let b = Array(s.utf8) + [0]
            let p = UnsafeMutablePointer<UInt8>.allocate(capacity: b.count)
            p.initialize(from: b, count: b.count)
            storage.append(p)
            return p
        }
        var slots: [UnsafePointer<UInt8>?] = []
        for (name, value) in pairs {
            let v = cString(value)
            slots += [UnsafePointer(cString(name)), nil, nil, UnsafePointer(v), UnsafePointer(v + value.utf8.count)]
        }
        return try slots.withUnsafeMutableBufferPointer { try body(SAXAttributes(base: $0.baseAddress, count: pairs.count)) }
    }

    /// An RSS `enclosure` read as bytes (`addEnclosure(ascii:)`) gives what the strings gave.
    @Test func enclosureAttributesReadAsBytesGiveTheStringAnswers() throws {
        let urls = ["/img/1.jpg", " http://a.org/x.mp3 ", "http://a.org/x.mp3", "a b.mp3", "", "  ", "../up.ogg"]
        let types: [String?] = [nil, "audio/mpeg", " audio/mpeg ", "", " ", "au&#100;io/x", "vidéo/x", "\taudio/ogg\n"]
        let lengths: [String?] = [nil, "123", " 42 ", "-1", "", "x", "1&#50;", "٣", "+7", "99999999999999999999"]
        for url in urls {
            for type in types {
                for length in lengths {
                    var pairs = [("url", url)]
                    if let type { pairs.append(("type", type)) }
                    if let length { pairs.append(("length", length)) }
                    let fast = FeedBuilder(documentURL: "http://example.com/feed/")
                    let slow = FeedBuilder(documentURL: "http://example.com/feed/")
                    fast.beginItem(base: nil)
                    slow.beginItem(base: nil)
                    try Self.withAttributes(pairs) { a in
                        guard case .ascii(let u) = a.lookup("url") else {
                            Issue.record("url \(url) not plain ASCII")
                            return
                        }
                        // Twice: the second completes the first (same URL) instead of adding another.
                        for _ in 0..<2 {
                            fast.addEnclosure(ascii: u, attributes: a, base: "http://example.com/feed/")
                            slow.addEnclosure(
                                url: try #require(a.value("url")), type: a.value("type"), length: a.value("length"),
                                base: "http://example.com/feed/")
                        }
                    }
                    #expect(fast.item?.enclosures == slow.item?.enclosures, "\(pairs)")
                }
            }
        }
    }

    @Test(arguments: [
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<?xml encoding='ISO-8859-1' ?>", "<?xml version='1.0'?>",
        "<?xml encoding = \"windows-1252\"?>", "<?xml encoding\r\n=\"utf-8\"?>", "<?xml encoding\n\r=\"x\"?>",
        "<?xml encoding=\"\"?>", "<?xml encoding=utf-8?>", "<?xml encoding=\"utf-8?>", "<?xml encodingencoding='a'?>",
        "<?XML ENCODING='a'?>", "<?xml encoding=\t'Latin_1'?>", "<?xml encoding=\"é\"?>", "<?xml encoding=\"a\r\nb\"?>",
    ])
    func declarationEncodingAgreesWithTheCharacterReading(_ decl: String) {
        var bytes = Array(decl.utf8)
        bytes.append(contentsOf: Array("<rss/>".utf8))
        let fromBytes = bytes.withUnsafeBufferPointer { Charset.fromDeclaration($0) }
        let end = decl.range(of: "?>").map { String(decl[..<$0.lowerBound]) } ?? decl
        #expect(fromBytes == Charset.encodingByCharacters(end), "\(decl)")
    }

    @Test(arguments: ["UTF_8", "utf-8", "Latin_1", "ISO_8859-15", "x_unknown", "ÜTF_8"])
    func charsetNamesReplaceUnderscoresAsStringsDo(_ name: String) {
        let expected = Charset.decision(forName: name.lowercased().replacingOccurrences(of: "_", with: "-"))
        #expect(Charset.decision(forName: name) == expected)
    }

    @Test func singleByteDecodingInCAgreesWithSwift() {
        let every = (0..<512).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 256) }
        let odd: [UInt32] = (0..<256).map { b in
            [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F, 0x7F, 0x80, 0x9F, 0x7FF, 0x800, 0xD800, 0xDFFF, 0xFFFD, 0xFFFE, 0xFFFF][b % 16]
        }
        for table in [Charset.windows1252, Charset.iso885915, odd] {
            every.withUnsafeBufferPointer { b in
                #expect(Charset.decodeSingleByte(b, table: table) == Charset.decodeSingleByteInSwift(b, table: table))
            }
            [UInt8]().withUnsafeBufferPointer { b in
                #expect(Charset.decodeSingleByte(b, table: table).isEmpty)
            }
        }
        // Long ASCII runs (the sixteen-byte path) broken by high bytes, forbidden and allowed controls at every
        // offset, and tables that do not map ASCII to itself.
        var shifted = Charset.windows1252
        shifted[0x41] = 0xE9
        for table in [Charset.windows1252, Charset.iso885915, odd, shifted] {
            for special: UInt8 in [0x80, 0xE9, 0x01, 0x0A, 0x09, 0x41] {
                for at in [0, 1, 15, 16, 17, 31, 40, 58] {
                    var b = Array("<p>Some plain ASCII text, long enough for several runs.</p>\r\n".utf8)
                    b[at] = special
                    for length in [b.count, 15, 16, 17, 33] {
                        b.prefix(length).withUnsafeBufferPointer { p in
                            #expect(Charset.decodeSingleByte(p, table: table) == Charset.decodeSingleByteInSwift(p, table: table))
                        }
                    }
                }
            }
        }
    }

    @Test func tagNamesLookUpCaseInsensitivelyAndRejectLongNames() {
        let table = TagNameTable<Int>([("p", 1), ("blockquote", 2), ("figcaption", 3), ("a", 4)])
        #expect(table[TagName("P")] == 1)
        #expect(table[TagName("BlockQuote")] == 2)
        #expect(table[TagName("figcaption")] == 3)
        #expect(table[TagName("b")] == nil)
        #expect(table[TagName("aa")] == nil)
        #expect(table[TagName("figcaptionfigcaption")] == nil)
        #expect(TagName("Span").string == "span")
    }

    @Test(arguments: ["/a/b.jpg", "a.b/c", "./a", "../a", "a/./b", "a/../b", "a/.", "a/..", ".", "..", "a/.b/..c", "/x/y..",
        "/", "/..", "/.", "a//b/../c", "a/b/../../..", "/a/b/c/./../../g", "mid/content=5/../6", "a/b/..", "//..//./x/"])
    func dotSegmentsAreRemovedOnlyWhenPresent(_ path: String) {
        var fast: [UInt8] = []
        var slow: [UInt8] = []
        Array(path.utf8).withUnsafeBufferPointer { URLBytes.appendRemovingDots($0, to: &fast) }
        URLBytes.appendRemovingDots(Array(path.utf8), to: &slow)
        #expect(fast == slow)
    }

    @Test func attributeLookupInCAgreesWithTheByteLoop() {
        // `SAXAttributes.lookup` asks C (`cfb_is_ascii_without_amp`) whether a value is plain ASCII without '&'.
        func reference(_ b: [UInt8]) -> Bool { !b.contains { $0 >= 0x80 || $0 == UInt8(ascii: "&") } }
        let clean = Array("https://example.com/a/b/c/d?e=f;g=h#frag-ment".utf8)
        for bad: UInt8 in [0x00, 0x25, 0x26, 0x27, 0x7F, 0x80, 0xC3, 0xFF] {
            for at in 0..<clean.count {
                var b = clean
                b[at] = bad
                for length in [at + 1, 15, 16, 17, 32, 33, b.count] where length <= b.count {
                    let slice = Array(b.prefix(length))
                    let fast = slice.withUnsafeBufferPointer { FeedBytes.isASCIIWithoutAmpersand($0) }
                    #expect(fast == reference(slice), "\(slice)")
                }
            }
        }
        for value in ["plain", "", "a&#38;b", "caf\u{e9}", "x&y"] {
            let lookup = FastPathTests.withAttributes([("v", value)]) { a -> String in
                switch a.lookup("v") {
                case .absent: return "absent"
                case .ascii(let b): return "ascii " + String(decoding: b, as: UTF8.self)
                case .other: return "other"
                }
            }
            #expect(lookup == (reference(Array(value.utf8)) ? "ascii " + value : "other"), "\(value)")
        }
    }

    @Test func urlCleaningCheckInCAgreesWithTheByteLoop() {
        func reference(_ b: [UInt8]) -> Bool { b.contains { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3C || $0 == 0x3E || $0 == 0x5C } }
        let clean = Array("https://example.com/a/b/c/d?e=f&g=h#frag-ment".utf8)
        for bad: UInt8 in [0x00, 0x09, 0x20, 0x21, 0x22, 0x3C, 0x3D, 0x3E, 0x5C, 0x7F, 0x80, 0xFF] {
            for at in 0..<clean.count {
                var b = clean
                b[at] = bad
                for length in [at + 1, 15, 16, 17, 32, 33, b.count] where length <= b.count {
                    let slice = Array(b.prefix(length))
                    #expect(slice.withUnsafeBufferPointer { URLBytes.needsCleaning($0) } == reference(slice))
                }
            }
        }
    }

    @Test(arguments: ["12", " 12 ", "\t\r\n7\n", "+5", "-0", "-3", "+", "-", "", " ", "1 2", "12a", "0x10",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "00042",
        "١٢", "1\u{301}", " \u{301}1", "\r\n5\r\n", "５"])
    func lengthsParseAsIntDid(_ s: String) {
        #expect(FeedBuilder.integer(s) == Int(s.trimmingASCIISpace()))
    }

    /// Atom `type`, `rel` and RSS `isPermaLink` values read as bytes when plain ASCII: the same answers as the
    /// string comparisons that still read the others.
    @Test func attributeValuesReadAsBytesGiveTheStringAnswers() throws {
        func entry(_ attributes: String) throws -> Item? {
            let doc = """
                <feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><id>i</id>\
                <link \(attributes) href="/x"/><title \(attributes.replacingOccurrences(of: "rel=", with: "x="))>\
                &lt;b&gt;a&lt;/b&gt; &amp;amp;</title></entry></feed>
                """
            return try parseString(doc, url: "http://example.com/f").feed.items.first
        }
        for type in ["", "type=\"html\"", "type=\" HTML \"", "type=\"text\"", "type=\"Text/Plain\"", "type=\"xhtml\"",
                     "type=\"application/XHTML+xml\"", "type=\"image/svg+xml\"", "type=\"text/xml\"", "type=\"text/csv\"",
                     "type=\"image/png\"", "type=\"weird\"", "type=\"\"", "type=\"ht&#109;l\"", "type=\"htmł\"",
                     "mode=\"escaped\" type=\"text\""]
        {
            for rel in ["", "rel=\"alternate\"", "rel=\" ALTERNATE \"", "rel=\"self\"", "rel=\"Edit\"", "rel=\"related\"",
                        "rel=\"enclosure\" length=\" 42 \"", "rel=\"http://www.iana.org/assignments/relation/alternate\"",
                        "rel=\"alternat&#101;\""]
            {
                let item = try entry(rel + " " + type)
                #expect(item != nil)
                // Expected answers, from the string path: the title's mode decides how the markup reads.
                let lowerType = type.lowercased()
                let title = item?.title ?? ""
                if lowerType.contains("\"html\"") || lowerType.contains("\" html \"") || lowerType.contains("ht&#109;l") {
                    #expect(title == "a &", "\(type)")
                }
                if rel.contains("self") || rel.contains("Edit") || rel.contains("enclosure") {
                    #expect(item?.link == nil, "\(rel)")
                } else {
                    #expect(item?.link == "http://example.com/x", "\(rel)")
                }
                if rel.contains("enclosure") { #expect(item?.enclosures.first?.length == 42) }
            }
        }
        for (value, permaLink) in [("", true), ("false", false), ("FALSE", false), (" false", true), ("true", true),
                                   ("fals&#101;", false), ("falsé", true)] {
            let doc = """
                <rss version="2.0"><channel><title>T</title><item><guid isPermaLink="\(value)">http://example.com/g</guid>\
                </item></channel></rss>
                """
            let item = try parseString(doc).feed.items.first
            #expect(item?.link == (permaLink ? "http://example.com/g" : nil), "\(value)")
        }
    }

    /// The AVX2 loops (used when the processor has them) give what the SSE2 ones give: the sanitizer's scan for
    /// `<` and `>` and the scan for bytes libxml2 does not check, with the bytes they look for at every offset.
    @Test func avx2LoopsAgreeWithSSE2() throws {
        func run() throws -> [String] {
            var out: [String] = []
            for at in stride(from: 0, to: 200, by: 7) {
                let text = String(repeating: "word ", count: 40)
                let chars = Array(text)
                let html = String(chars[..<at]) + "<b>x</b>>" + String(chars[at...]) + "<p>tail"
                let escaped = html.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                    .replacingOccurrences(of: ">", with: "&gt;")
                let doc = """
                    <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>\
                    <item><link>http://example.com/a/b</link><content:encoded>\(escaped)</content:encoded></item>\
                    </channel></rss>
                    """
                out.append(try parseString(doc).feed.items.first?.content ?? "-")
                var bytes = Array(doc.utf8)
                for high: UInt8 in [0x80, 0xC0, 0xC2, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5] {
                    bytes[min(bytes.count - 1, 40 + at * 2)] = high
                    out.append(bytes.withUnsafeBufferPointer { String(FeedBytes.hasUncheckedBytes($0)) })
                }
            }
            return out
        }
        let withAVX2 = FeedBytes.useAVX2(true)
        let a = try run()
        FeedBytes.useAVX2(false)
        let b = try run()
        FeedBytes.useAVX2(withAVX2)
        #expect(a == b)
    }
}
