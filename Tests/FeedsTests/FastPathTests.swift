import CFeedBytes
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

    @Test func iso8601CommonFormAgreesWithTheGeneralReading() {
        var rng = SplitMix64(seed: 0x150_8601)
        func two(_ max: UInt64) -> String {
            let v = rng.next() % max
            return v < 10 ? "0\(v)" : "\(v)"
        }
        var dates: [String] = []
        for _ in 0..<20_000 {
            let y = rng.next() % 4 == 0 ? String(rng.next() % 10_000) : "20\(two(40))"
            let zone: String
            switch rng.next() % 6 {
            case 0: zone = "Z"
            case 1: zone = "z"
            case 2: zone = "-\(two(16)):\(two(61))"
            default: zone = "+\(two(16)):\(two(61))"
            }
            dates.append("\(y)-\(two(14))-\(two(33))T\(two(26)):\(two(62)):\(two(62))\(zone)")
        }
        for base in ["2025-03-16T10:56:00+07:00", "2024-02-29T23:59:60Z"] {
            let b = Array(base.utf8)
            for k in b.indices {
                for r in [UInt8(ascii: "0"), UInt8(ascii: "9"), UInt8(ascii: " "), UInt8(ascii: "T"), UInt8(ascii: ":"),
                          UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "Z"), UInt8(ascii: "."), UInt8(ascii: "/"), 0xC3] {
                    var c = b
                    c[k] = r
                    dates.append(String(decoding: c, as: UTF8.self))
                }
                var c = b
                c.insert(UInt8(ascii: "1"), at: k)
                dates.append(String(decoding: c, as: UTF8.self))
                dates.append(String(decoding: b[..<k], as: UTF8.self))
            }
        }
        var taken = 0
        for d in dates {
            var s = d
            s.withUTF8 { b in
                if let fast = DateParser.iso8601Common(b) {
                    taken += 1
                    #expect(fast == DateParser.iso8601(b), "\(d)")
                }
                #expect(DateParser.parse(bytes: b) == (DateParser.iso8601(b) ?? DateParser.rfc822(b)), "\(d)")
            }
        }
        #expect(taken > 5_000)
    }

    @Test func rfc822WordsFormAgreesWithTheGeneralReading() {
        // Parts of `Weekday, D Month YYYY HH:MM[:SS] ZONE` and near misses, combined at random (seeded), then
        // every byte of a few dates replaced by others, and every prefix.
        let weekdays = ["Rabu", "Jumat", "Sabtu", "Minggu", "Senin", "Selasa", "Kamis", "Wed", "wednesday", "Mar",
                        "Maret", "am", "PM", "WIB", "Gmt", "X", "Sabtuuuuuuuuuuuuuuuuu", "Ra'bu", "Ra/bu", "", "12"]
        let commas = [", ", ",  ", " ", ",", ". ", ", "]
        let days = ["16", "9", "09", "0", "00", "31", "32", "29", "30", "123", "1a", " 9"]
        let months = ["Maret", "Mei", "Agustus", "Desember", "Januari", "Februari", "Juli", "November", "Oktober",
                      "mar", "MAY", "June", "Sept", "Des", "agt", "Xyz", "Marett", "Ma'ret", "am", "WIB", ""]
        let years = ["2025", "2024", "1970", "0000", "25", "02025", "20x5", "2023"]
        let times = ["10:56", "9:05", "09:05", "10:56:07", "23:59:60", "24:00", "24:00:01", "24:01", "25:00", "10:60",
                     "10:5", "10:56.30", "10.56", "10:56:07.5", "100:56", "10:567", "10:56:", "10::56", "1:2:3",
                     ":56", "10:56:7"]
        let zones = ["WIB", "wita", "WIT", "GMT", "UTC", "am", "PM", "XYZ", "Mar", "Mei", "GMT+7", "+0700", "-0530", "",
                     "Z", "J", "z", "aest", "WIB ", "WI B", "W1B", "etc/utc", "G'T", "WIBWIBWIBWIBWIBWIBWIB"]
        var rng = SplitMix64(seed: 0x5EED_DA7E)
        // Three times in four one of the first `valid` entries (the form's own), else any.
        func pick(_ a: [String], valid: Int) -> String {
            let r = rng.next()
            return a[Int((r >> 8) % UInt64(r % 4 == 0 ? a.count : valid))]
        }
        var dates: [String] = []
        for _ in 0..<20_000 {
            dates.append(pick(weekdays, valid: 9) + pick(commas, valid: 1) + pick(days, valid: 8) + " "
                + pick(months, valid: 15) + " " + pick(years, valid: 4) + " " + pick(times, valid: 7) + " "
                + pick(zones, valid: 5))
        }
        for base in ["Rabu, 16 Maret 2025 10:56 WIB", "Sabtu, 9 November 2024 07:05:09 wita"] {
            let b = Array(base.utf8)
            for k in b.indices {
                for r in [UInt8(ascii: "0"), UInt8(ascii: "9"), UInt8(ascii: " "), UInt8(ascii: "a"), UInt8(ascii: ":"),
                          UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "'"), 0xC3] {
                    var c = b
                    c[k] = r
                    dates.append(String(decoding: c, as: UTF8.self))
                }
                var c = b
                c.remove(at: k)
                dates.append(String(decoding: c, as: UTF8.self))
                dates.append(String(decoding: b[..<k], as: UTF8.self))
            }
        }
        var taken = 0
        for d in dates {
            var s = d
            s.withUTF8 { b in
                let slow = DateParser.rfc822Slow(b)
                if let fast = DateParser.rfc822Words(b) {
                    taken += 1
                    #expect(fast == slow, "\(d)")
                }
                #expect(DateParser.rfc822(b) == slow, "\(d)")
                #expect(DateParser.parse(bytes: b) == DateParser.parse(d), "\(d)")
            }
        }
        // The fast path is taken often (the comparison above is not vacuous), and by the usual forms.
        #expect(taken > 3_000)
        for d in ["Rabu, 16 Maret 2025 10:56 WIB", "Sabtu, 9 November 2024 07:05:09 wita", "Kamis, 1 Mei 2025 9:05 WIT"] {
            var s = d
            #expect(s.withUTF8 { DateParser.rfc822Words($0) } != nil, "\(d)")
        }
    }

    @Test func sanitizerKeepsTheSplitOnlyWhenItIsTheSame() {
        // One sanitizer over a run of bases (it keeps the last split when the next base has it too) against a
        // new sanitizer per base, on content whose URLs resolve against every part of the base.
        let content = Array(("<p><a href=\"a.html\">a</a> <a href=\"../up\">b</a> <img src=\"/root.png\"> "
            + "<a href=\"?q=1\">c</a> <a href=\"#f\">d</a> <a href=\"//other.example/x\">e</a> "
            + "<a href=\"./d/e\">f</a> <a href=\"\">g</a> <a href=\"https://abs.example/z\">h</a></p>").utf8)
        let schemes = ["https://", "http://", "HTTPS://", "urn:", "mailto:", "ftp:/", ""]
        let hosts = ["example.com", "example.com:8080", "ex.co.id", "", "user@host"]
        let dirs = ["/", "/read/9/", "/a/b/", "/a/../b/", "/./", "/read/9", "", "/a b/", "/x\\y/", "/%20/"]
        let files = ["0", "1?utm_source=rss", "story-1.html", "", "x#frag/y", "y?q=/a/b", "z#", "?", "a/b", "..", ".",
                     "a b", "x\"y", "<z>", "q?a b", "w\\v", "t\tu", "r#s<t", "p?q\\r"]
        var rng = SplitMix64(seed: 0xBA5E)
        func pick(_ a: [String]) -> String { a[Int(rng.next() % UInt64(a.count))] }
        var bases: [String?] = []
        for _ in 0..<3_000 {
            // Runs that share a prefix, and now and then a different one or none.
            switch rng.next() % 10 {
            case 0: bases.append(nil)
            case 1, 2: bases.append(pick(schemes) + pick(hosts) + pick(dirs) + pick(files))
            default:
                if let last = bases.last, let l = last, let slash = l.lastIndex(of: "/") {
                    bases.append(String(l[...slash]) + pick(files))
                } else {
                    bases.append(pick(schemes) + pick(hosts) + pick(dirs) + pick(files))
                }
            }
        }
        let kept = Sanitizer()
        content.withUnsafeBufferPointer { c in
            for base in bases {
                #expect(kept.sanitize(c, base: base) == Sanitizer().sanitize(c, base: base), "\(base ?? "nil")")
            }
        }
    }

    @Test func guidLinkAndAboutShareAStringOnlyWhenTheyAreTheSame() throws {
        // Same-length values that differ, values equal after trimming, non-ASCII ones, relative links.
        let pairs: [(String, String)] = [
            ("https://a.example/1", "https://a.example/1"), ("https://a.example/1", "https://a.example/2"),
            ("https://a.example/x1", " https://a.example/x1\n"), ("https://a.example/\u{e9}", "https://a.example/\u{e9}"),
            ("/rel/1", "/rel/1"), ("https://a.example/1", "https://a.example/1 "), ("", "x"), ("x", ""),
            ("https://b.example/123456789", "https://b.example/123456780"),
        ]
        for (link, other) in pairs {
            let rss = "<rss version=\"2.0\"><channel><title>t</title><item><title>i</title><link>\(link)</link>"
                + "<guid>\(other)</guid></item></channel></rss>"
            let rdf = "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\">"
                + "<channel rdf:about=\"https://a.example/\"><title>t</title></channel><item rdf:about=\"\(other)\">"
                + "<title>i</title><link>\(link)</link></item></rdf:RDF>"
            let atom = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><entry><title>i</title>"
                + "<id>\(other)</id><link href=\"\(link)\"/></entry><entry><title>j</title><link href=\"\(link)\"/>"
                + "<id>\(other)</id></entry></feed>"
            for doc in [rss, rdf, atom] {
                let items = try FeedParser.parse(Array(doc.utf8), url: "https://feed.example/dir/feed.xml").feed.items
                for item in items {
                    // Element text is trimmed; an attribute's value is as XML normalizes it (a newline is a space).
                    let trimmedOther = doc == rdf
                        ? other.replacingOccurrences(of: "\n", with: " ") : other.trimmingCharacters(in: .whitespacesAndNewlines)
                    let expectedLink = link.isEmpty ? nil : URLResolver.resolve(link, against: "https://feed.example/dir/feed.xml")
                    if let expectedLink, !link.isEmpty { #expect(item.link == expectedLink, "\(doc)") }
                    if !trimmedOther.isEmpty { #expect(item.id == trimmedOther, "\(doc)") }
                }
            }
        }
    }

    @Test func capturedTextASCIICheckAgreesWithTheByteLoop() {
        var rng = SplitMix64(seed: 0xA5C1)
        for n in 0..<40 {
            for k in -1..<n {
                var b = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next() % 0x80) }
                if k >= 0 { b[k] = 0x80 | UInt8(truncatingIfNeeded: rng.next() % 0x80) }
                b.withUnsafeBufferPointer { u in
                    #expect(CapturedText.isASCII(u) == !u.contains { $0 >= 0x80 })
                }
            }
        }
        #expect(CapturedText.isASCII(UnsafeBufferPointer(start: nil, count: 0)))
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

    /// The sanitizer writes relative URLs with leading `./` and `../` segments itself (`put_simple_url`): the
    /// same as the general resolution (`HTMLSanitizer.safeURL`), for bases with and without empty or dot
    /// segments, at and above the root, and for references it must leave to the general path.
    @Test func sanitizerLeadingDotSegmentsAgreeWithTheGeneralResolution() {
        let refs = Self.urlRefs + [
            "./a", "../a", "../../a/b.html", "./../x?y=1#z", "../../../../x", ".././a", "../x/../y", "../.hidden",
            "../a b", "..//x", "../?q", "../#f", "../", "./", "../..", "...//x", "..x/y", ".x", "./.", "../a/./b",
            "../%2E%2E/x", "../a\\b", "./a?b=../c", "../img.png#../x", "../\"q\".png", "../a&amp;b",
        ]
        let bases = Self.urlBases + [
            "http://h.example/a/b/c/d.html", "http://h.example/", "http://h.example", "http://h.example/a//b/c",
            "http://h.example/a/./b/", "http://h.example/%7Eu/x", "https://h.example/a&b/c/d", "http://h.example//x/y",
        ]
        for base in bases {
            for ref in refs {
                let html = ref.contains("\"") ? "<a href='\(ref)'>x</a>" : "<a href=\"\(ref)\">x</a>"
                let got = Array(html.utf8).withUnsafeBufferPointer { FeedBytes.sanitize($0, base: base) }
                // The value as the sanitizer reads it (references decoded), resolved by the general path.
                let raw = Array(ref.replacingOccurrences(of: "&amp;", with: "&").utf8)
                let expected: String
                if let url = HTMLSanitizer.safeURL(raw, base: URLBase(base), image: false) {
                    let value = String(decoding: url, as: UTF8.self).replacingOccurrences(of: "&", with: "&amp;")
                        .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: "\"", with: "&quot;")
                    expected = "<a href=\"\(value)\">x</a>"
                } else {
                    expected = "<a>x</a>"
                }
                #expect(got == expected, "\(base) + \(ref)")
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
        let d = ItemDraft()
        let fresh = fields(ItemDraft())
        for case let (label?, _) in Mirror(reflecting: d).children {
            // Every field set to something else than its initial value.
            switch label {
            case "title": d.title = "x"
            case "link": d.link = "x"
            case "linkIsAlternate": d.linkIsAlternate = true
            case "summary": d.summary = "x"
            case "summaryRank": d.summaryRank = 3
            case "content": d.content = TextValue(bytes: [1], mode: .html, base: "x")
            case "contentInArena": d.contentInArena = ArenaText(range: 1..<2, mode: .text, base: nil)
            case "contentSanitized": d.contentSanitized = true
            case "contentPlain": d.contentPlain = 3..<4
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
        d.reset()
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
                    fast.beginItem()
                    slow.beginItem()
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

    /// The sanitizer compiled for AVX2 (its whole loop, not only the scan) gives what the baseline copy gives, on
    /// every fixture about sanitizing, hostile input and Atom text (tags, attributes, URLs, malformed markup).
    @Test func sanitizerAVX2CopyAgreesWithBaselineOnFixtures() throws {
        let paths = FixtureCase.all().map(\.path).filter {
            $0.hasPrefix("sanitize/") || $0.hasPrefix("hostile/") || $0.hasPrefix("atom10/") || $0.hasPrefix("recovery/")
        }
        #expect(paths.count > 40)
        func run() -> [String] {
            paths.map { path in
                guard let parsed = try? parseFixture(path) else { return "error" }
                return parsed.feed.items.map { $0.content ?? "-" }.joined(separator: "\u{1F}")
            }
        }
        let withAVX2 = FeedBytes.useAVX2(true)
        let a = run()
        FeedBytes.useAVX2(false)
        let b = run()
        FeedBytes.useAVX2(withAVX2)
        #expect(a == b)
        #expect(a.contains { $0.contains("<a href=") })
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

/// XHTML item content whose base is known when it begins (explicit, or the item's alternate link) is sanitized
/// as libxml2 reports it (`cfb_sax`'s `direct`), instead of rebuilt as markup and sanitized by `cfb_sanitize`:
/// the same items either way, with the content's plain text as the summary when there is none.
@Suite struct XHTMLAsItArrivesTests {
    static let xhtml = "http://www.w3.org/1999/xhtml"

    /// The content bodies (inside `<content type="xhtml">`): each sanitizer rule and quirk the rebuilt markup
    /// went through.
    static let bodies: [String] = [
        "<div xmlns=\"\(xhtml)\"><p>Hello <b>world</b></p></div>",
        "\n  <div xmlns=\"\(xhtml)\">  <p>x</p>  </div>\n",
        "x<div xmlns=\"\(xhtml)\">y</div>",
        "<div xmlns=\"\(xhtml)\">a</div><div xmlns=\"\(xhtml)\">b</div>",
        "<div xmlns=\"\(xhtml)\"><div>inner</div></div>after",
        // Elements after the wrapper, at its depth: the rebuilt markup had no end tags for them.
        "<div xmlns=\"\(xhtml)\">a</div><p>b</p>c<b>d</b>", "<div/><li title=\"t\">a</li>&#38;<br/>e",
        "<div xmlns=\"\(xhtml)\">Tom &amp; Jerry &lt;3 &gt; &#x3C;b&#x3E; &#160;<![CDATA[<i>cdata</i> & ]]></div>",
        "<div xmlns=\"\(xhtml)\"><a href=\"../x.html\" title=\"a &quot;q&quot; &amp; &lt;b&gt; > c\" xml:lang=\"en\" "
            + "onclick=\"evil()\">l</a><img src=\"img/1.png\" alt=\"1 > 0\"/><img src=\"data:image/png;base64,AA\"/>"
            + "<a href=\"javascript:alert(1)\">j</a><a href=\"http://abs.example/p\">abs</a>"
            + "<a href=\" JaVa&#x09;script:x\">t</a><img srcset=\"a.jpg 1x, /b.jpg 2x, javascript:x 3x\"/>"
            + "<a href=\"//proto.example/x\">p</a><a href=\"?q=1#f\">q</a><a href=\"./c/../d\">d</a>"
            + "<a href=\"mailto:a@b\">m</a><a href=\"\">empty</a><a href=\"a b.html\">space</a>"
            + "<a href=\"a?b=1&amp;c=2\" title=\"&#38;amp; &amp;lt;\">amp</a><a HREF=\"up.html\" Title=\"T\">up</a>"
            + "<video poster=\"p.jpg\" src=\"v.mp4\" controls=\"\">v</video><q cite=\"c.html\">q</q></div>",
        "<div xmlns=\"\(xhtml)\" xmlns:xlink=\"http://www.w3.org/1999/xlink\"><a xlink:href=\"rel.html\">x</a>"
            + "<a href=\"a.html\" xlink:href=\"b.html\">both</a></div>",
        "<div xmlns=\"\(xhtml)\"><p xml:base=\"http://other.example/\"><a href=\"y.html\">y</a></p></div>",
        "<div xmlns=\"\(xhtml)\">a<br/>b<hr></hr><p/><span/>c<img src=\"i.png\">inside</img><col/><wbr/>"
            + "<source src=\"s.webm\"/><track src=\"t.vtt\"/>d</div>",
        "<div xmlns=\"\(xhtml)\"><foo>kept text</foo><form><input value=\"v\"/>form text</form><center>c</center>"
            + "<o:p xmlns:o=\"urn:o\">word</o:p><area/><param name=\"x\"/>z</div>",
        "<div xmlns=\"\(xhtml)\">a<script>alert(1)<b>x</b></script>b<style>p{}</style>c"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>svg text</text></svg>d<iframe src=\"x\">if</iframe>e"
            + "<object><param name=\"a\"/>obj</object>f<select><option>o</option></select>g<title>t</title>h</div>",
        "<div xmlns=\"\(xhtml)\"><p><script>1<script>2</script>3<b>4</b></script>after</p>"
            + "<script><SCRIPT/>y</script>z<b><style><b>s</b></style>w</b></div>",
        "<div xmlns=\"\(xhtml)\">a<meta name=\"x\"/>b<link href=\"x\"/>c<base href=\"http://evil/\"/>d"
            + "<embed src=\"x\"/>e<embed>inner</embed>f</div>",
        "<div xmlns=\"\(xhtml)\"><P>upper</P><BR/>x<B>b</B><Script>s</Script>y<IMG SRC=\"u.png\"/><Hr/>z</div>",
        "<div xmlns=\"\(xhtml)\">a<BR>in</BR>after<Hr>x</Hr>y<Foo>f</Foo><FORM>g</FORM>h</div>",
        "<div xmlns=\"\(xhtml)\"><_x a=\"1 > 2\" b=\"&amp;\">under</_x><\u{E9}>accent</\u{E9}>"
            + "<_y/><p><_z>in</_z></p></div>",
        "<div xmlns=\"\(xhtml)\"><abcdefghijklmnopq>long</abcdefghijklmnopq><p abcdefghijklmnopqr=\"x\">p</p>"
            + "<blockquotexxxxxx>x</blockquotexxxxxx></div>",
        "<div xmlns=\"\(xhtml)\"></div>", "<div xmlns=\"\(xhtml)\">   </div>",
        "<div xmlns=\"\(xhtml)\"><script>x</script></div>", "<div xmlns=\"\(xhtml)\"><foo/></div>", "   ", "",
        "<div xmlns=\"\(xhtml)\">a<!-- c -->b<?pi x?>c</div>",
        "<div xmlns=\"\(xhtml)\"><p><foo><b>x</b></foo></p><table><tr><td>1</td></tr></table><ul><li>i</li></ul></div>",
        "plain text &amp; more",
        "<div xmlns=\"\(xhtml)\"><m:math xmlns:m=\"http://www.w3.org/1998/Math/MathML\"><m:mi>x</m:mi></m:math>"
            + "after</div>",
        "<div xmlns=\"\(xhtml)\">  a&#160;b\u{3000}c  <p> d </p> \u{85} </div>",
        "<div xmlns=\"\(xhtml)\">one<form>two</form>three<br/>four<address>five</address>six</div>",
        "<div xmlns=\"\(xhtml)\"><x:y>undeclared</x:y></div>",
        "<html:div xmlns:html=\"\(xhtml)\"><html:p>prefixed</html:p></html:div>",
        "<div xmlns=\"\(xhtml)\"><p>unclosed <b>bold</p> after</div>",
    ]

    /// An entry with `body` as its content, `before` and `after` it, under `base` as the entry's `xml:base` (and
    /// the feed's, unless `feedBase` is false).
    static func document(
        _ body: String, before: String, after: String, base: String, contentBase: String, feedBase: Bool = true
    ) -> String {
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\""
            + (feedBase ? " xml:base=\"http://example.org/a/b/\"" : "") + "><title>T</title><entry\(base)><id>x</id>\(before)"
            + "<content type=\"xhtml\"\(contentBase)>\(body)</content>\(after)</entry></feed>"
    }

    @Test(arguments: bodies)
    func agreesWithSanitizingTheRebuiltMarkup(_ body: String) throws {
        let around = [
            ("", ""), ("<summary>s</summary>", ""),
            // A summary replaced by one with no plain text: the content's is used after all.
            ("<itunes:summary>s</itunes:summary>", "<summary type=\"html\">&lt;script&gt;x&lt;/script&gt;</summary>"),
        ]
        // Links before the content (an alternate one makes the link the base now; others leave it to the end)
        // and after it.
        let links = [
            ("", ""), ("<link rel=\"alternate\" href=\"../p/1.html\"/>", "<link rel=\"alternate\" href=\"late/\"/>"),
            ("<link rel=\"related\" href=\"q.html\"/><link href=\"http://other.example/x/\"/>", ""),
            ("<link rel=\"alternate\" type=\"application/pdf\" href=\"f.pdf\"/>", "<link rel=\"alternate\" href=\"h/\"/>"),
            ("", "<link rel=\"alternate\" href=\"late/\"/>"),
        ]
        for (before, after) in around {
            // Without the feed's `xml:base` and the entry's, the base is the link (or the document's URL).
            for (base, feedBase) in [("", true), (" xml:base=\"e/\"", true), (" xml:base=\"../d./\"", true), ("", false)] {
                for (contentBase, link) in [("", 0), ("", 1), ("", 2), ("", 3), ("", 4), (" xml:base=\"http://c.example/c/\"", 1)] {
                    let doc = Self.document(
                        body, before: links[link].0 + before, after: after + links[link].1, base: base,
                        contentBase: contentBase, feedBase: feedBase)
                    let fast = try parseString(doc, url: "http://example.org/feed")
                    let slow = try FeedBuilder.$sanitizingXHTMLAsItArrives.withValue(false) {
                        try parseString(doc, url: "http://example.org/feed")
                    }
                    #expect(fast.feed == slow.feed, "\(doc)")
                    #expect(fast.warnings == slow.warnings, "\(doc)")
                }
            }
        }
    }

    /// What the rebuilt markup gave (and gives), for a few of the bodies: the comparison above is not between two
    /// wrong answers.
    @Test func givesWhatTheRebuiltMarkupGave() throws {
        func item(_ body: String, summary: String = "") throws -> Item {
            let doc = Self.document(body, before: summary, after: "", base: " xml:base=\"e/\"", contentBase: "")
            return try #require(try parseString(doc, url: "http://example.org/feed").feed.items.first)
        }
        var i = try item(Self.bodies[0])
        #expect(i.content == "<p>Hello <b>world</b></p>")
        #expect(i.summary == "Hello world")
        i = try item("<div xmlns=\"\(Self.xhtml)\"> <p><a href=\"../x.html\" onclick=\"e()\" title=\"1 > 0\">l</a>"
            + "<img src=\"i.png\"/><P>u</P>a<script>s<b>b</b></script>b<foo>c</foo><form>d</form></p> </div>")
        #expect(i.content == "<p><a href=\"http://example.org/a/b/x.html\" title=\"1 > 0\">l</a>"
            + "<img src=\"http://example.org/a/b/e/i.png\"><p>u</p>abcd</p>")
        #expect(i.summary == "l u a bc d")
        i = try item("<div xmlns=\"\(Self.xhtml)\"><_x a=\"1 > 2\">t</_x></div>")
        #expect(i.content == "&lt;_x a=\"1 &gt; 2\"&gt;t&lt;/_x&gt;")
        i = try item("<div xmlns=\"\(Self.xhtml)\"><foo/></div>", summary: "<summary>s</summary>")
        #expect(i.content == nil)
    }

    /// Random mixtures of the cases above: text, references, kept, void, unknown and dropped elements (any case,
    /// nested), attributes of every class, wrapped in the `div` or not.
    @Test func randomBodiesAgree() throws {
        var rng = SystemRandomNumberGenerator()
        let texts = [
            "a", " ", "Tom &amp; Jerry", "&lt;b&gt;", "x > y", "\n  ", "\u{A0}", "\u{E9}t\u{E9}", "<![CDATA[<i>c</i> &]]>",
            "<!-- c -->", "&#38;", "one two", "\u{3000}",
        ]
        let names = [
            "p", "b", "a", "img", "br", "div", "span", "script", "style", "svg", "form", "foo", "P", "BR", "Script", "_x",
            "em", "table", "td", "meta", "embed", "iframe", "input", "title", "abcdefghijklmnopq", "hr", "select", "wbr",
            "Foo", "li", "object", "base", "IMG", "address",
        ]
        let attributes = [
            "href=\"../r.html\"", "href=\"http://a.example/x\"", "src=\"javascript:x\"", "src=\"i.png\"",
            "srcset=\"a.jpg 1x, /b.jpg 2x\"", "alt=\"1 &gt; 0 &amp; &quot;\"", "title=\"t\"", "xml:lang=\"en\"",
            "onclick=\"e()\"", "HREF=\"U.html\"", "xml:base=\"http://other.example/\"", "cite=\"./c/../d\"",
            "poster=\"data:image/png;base64,AA\"",
        ]
        func body(_ depth: Int) -> String {
            var out = ""
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                if depth >= 4 || Bool.random(using: &rng) {
                    out += texts.randomElement(using: &rng) ?? ""
                    continue
                }
                let name = names.randomElement(using: &rng) ?? "p"
                var tag = name
                for a in attributes.shuffled(using: &rng).prefix(Int.random(in: 0...3, using: &rng)) { tag += " " + a }
                out += Bool.random(using: &rng) ? "<\(tag)/>" : "<\(tag)>\(body(depth + 1))</\(name)>"
            }
            return out
        }
        for _ in 0..<400 {
            let inner = body(0)
            let content = Bool.random(using: &rng) ? " <div xmlns=\"\(Self.xhtml)\">\(inner)</div> " : inner
            let summary = Bool.random(using: &rng) ? "<summary>s</summary>" : ""
            // The base explicit, or the alternate link's.
            let explicit = Bool.random(using: &rng)
            let (link, base) = explicit ? ("", " xml:base=\"e/\"") : ("<link href=\"http://example.org/p/q/r.html\"/>", "")
            let doc = Self.document(
                content, before: link + summary, after: "", base: base, contentBase: "", feedBase: explicit)
            let fast = try parseString(doc, url: "http://example.org/feed")
            let slow = try FeedBuilder.$sanitizingXHTMLAsItArrives.withValue(false) {
                try parseString(doc, url: "http://example.org/feed")
            }
            #expect(fast.feed == slow.feed, "\(doc)")
        }
    }

    /// Every fixture parses to the same feed either way.
    @Test(arguments: FixtureCase.all())
    func fixturesAgree(_ fixture: FixtureCase) throws {
        let bytes = try fixtureBytes(fixture.path)
        func parse() -> String {
            do {
                let p = try FeedParser.parse(bytes, url: "http://example.org/feed")
                return String(decoding: p.feed.jsonData(pretty: false), as: UTF8.self) + "\(p.warnings)"
            } catch {
                return "\(error)"
            }
        }
        let fast = parse()
        let slow = FeedBuilder.$sanitizingXHTMLAsItArrives.withValue(false) { parse() }
        #expect(fast == slow)
    }
}

extension FeedBytes {
    /// Runs `body` with the AVX2 loops in use (where the processor has them), then with the SSE2 ones, and leaves
    /// the AVX2 ones on again.
    static func withAndWithoutAVX2(_ body: (_ avx2: Bool) -> Void) {
        let was = useAVX2(true)
        defer { useAVX2(was) }
        for avx2 in [true, false] {
            useAVX2(avx2)
            body(avx2)
        }
    }
}

/// A small deterministic generator (SplitMix64) for the generated inputs of the fast-path comparisons.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Escaping scans and copies the bytes before the first one it replaces sixteen or thirty-two bytes a step (eight
/// for short text), the last step overlapping the one before: at every length up to 80 and with the byte to
/// replace at every offset, the answer is the one of replacing bytes one at a time, with and without AVX2.
@Suite struct EscapeTests {
    static func reference(_ s: [UInt8], attribute: Bool) -> [UInt8] {
        var out: [UInt8] = []
        for c in s {
            switch c {
            case UInt8(ascii: "<"): out += Array("&lt;".utf8)
            case UInt8(ascii: "&"): out += Array("&amp;".utf8)
            case UInt8(ascii: ">") where !attribute: out += Array("&gt;".utf8)
            case UInt8(ascii: "\"") where attribute: out += Array("&quot;".utf8)
            default: out.append(c)
            }
        }
        return out
    }

    static func escaped(_ s: [UInt8], attribute: Bool) -> [UInt8] {
        var out = cfb_buf()
        defer { cfb_buf_free(&out) }
        s.withUnsafeBufferPointer {
            if attribute { cfb_escape_attribute($0.baseAddress, $0.count, &out) }
            else { cfb_escape_text($0.baseAddress, $0.count, &out) }
        }
        return out.count == 0 ? [] : Array(UnsafeBufferPointer(start: out.bytes, count: out.count))
    }

    @Test func escapingAgreesWithByteAtATimeAtEveryOffset() {
        let specials: [UInt8] = [0x3C, 0x3E, 0x26, 0x22, 0x3D, 0x3F, 0x27, 0x24, 0xC3, 0x00]
        FeedBytes.withAndWithoutAVX2 { avx2 in
            for n in 0...80 {
                let plain = (0..<n).map { UInt8(ascii: "a") + UInt8($0 % 26) }
                for attribute in [false, true] {
                    #expect(Self.escaped(plain, attribute: attribute) == plain)
                }
                for at in 0..<n {
                    for c in specials {
                        var s = plain
                        s[at] = c
                        if at + 3 < n { s[at + 3] = UInt8(ascii: "&") }
                        for attribute in [false, true] {
                            let got = Self.escaped(s, attribute: attribute)
                            let want = Self.reference(s, attribute: attribute)
                            #expect(got == want, "n=\(n) at=\(at) c=\(c) attribute=\(attribute) avx2=\(avx2)")
                        }
                    }
                }
            }
        }
    }
}

/// Text that is one run of words with single spaces, without '<' or '&', is its own plain text without being
/// tokenized (a check reading sixteen bytes and the sixteen after them a step, the last step overlapping): with
/// white space, references, markup and multi-byte spaces at every offset of texts of every length up to 60, the
/// answer is the tokenizer's (which a comment first forces: it writes nothing).
@Suite struct PlainWordsTests {
    @Test func wordsCheckAgreesWithTheTokenizer() {
        FeedBytes.withAndWithoutAVX2 { _ in check() }
    }

    func check() {
        let inserts: [[UInt8]] = [
            [0x20], [0x20, 0x20], [0x09], [0x0A], [0x0B], [0x00], [0x26], Array("&amp;".utf8), [0x3C], [0x3C, 0x62, 0x3E],
            [0xC2, 0xA0], [0xE3, 0x80, 0x80], [0xC2, 0x85], [0xC2, 0x80], [0xC3, 0xA9], [0xE3, 0x81, 0x82], [0x3E],
        ]
        for n in 1...60 {
            let plain = (0..<n).map { $0 % 6 == 5 ? UInt8(0x20) : UInt8(ascii: "a") + UInt8($0 % 26) }
            for at in 0...n {
                for insert in inserts {
                    var s = plain
                    s.replaceSubrange(at..<min(n, at + insert.count), with: insert)
                    let fast = s.withUnsafeBufferPointer { FeedBytes.plainText($0, limit: Int.max) }
                    let tokenized = (Array("<!---->".utf8) + s).withUnsafeBufferPointer {
                        FeedBytes.plainText($0, limit: Int.max)
                    }
                    #expect(fast == tokenized, "n=\(n) at=\(at) insert=\(insert)")
                }
            }
        }
    }
}

/// The sanitizer reads a start tag whose attributes are names with quoted values in one pass (`read_start_tag`)
/// instead of the tokenizer's two (the tag's end, then its attributes): on start tags with every kind of attribute
/// the tokenizer reads (unquoted values, quotes and '=' where no value starts, white space and capitals, long
/// names, references, '>' in values, too many attributes, tags cut short), both readings give the same output.
@Suite struct SanitizerStartTagTests {
    static let pieces = [
        " href=\"x.html\"", " href='../y'", " HREF=\"http://e.com/a b\"", " src=\"/i.png\"", " alt=\"a &amp; b > c\"",
        " alt=x", " alt = \"sp\"", " alt\t=\n\"ctl\"", " disabled", " a\"b=\"c\"", " =\"v\"", " title==\"q\"",
        " title=\"unterminated", " abcdefghijklmnopqrstu=\"long\"", " width=\"640\"/", "/", " /", " srcset=\"a.jpg 1x\"",
        " onclick=\"track()\"", " title='it\"s'", " x=\u{0B}\"v\"", " data-\u{E9}=\"v\"", " title=\"&#60;\"",
        " Alt=\"A\">", " cite=\"c.html\"x", "\u{0B}alt=\"vt\"", " alt=\"\"", " alt=''",
        " alt  =  \"two\"", "   alt=\"3sp\"", "\n\t alt\t \n=\t \"mix\"", " / / alt=\"sl\"",
    ]
    static let names = ["a", "img", "IMG", "p", "script", "abcdefghijklmnopq", "foo", "meta", "br", "q"]

    static func sanitized(_ html: String) -> String {
        Array(html.utf8).withUnsafeBufferPointer { FeedBytes.sanitize($0, base: "http://example.com/dir/page") }
    }

    @Test func oneReadingOfStartTagsAgreesWithTheTokenizers() {
        var inputs: [String] = []
        for name in Self.names {
            for (k, a) in Self.pieces.enumerated() {
                for (l, b) in Self.pieces.enumerated() {
                    inputs.append("x<\(name)\(a)\(b)>in</\(name)>y")
                    if (k + l) % 5 == 0 {
                        let c = Self.pieces[(k * 7 + l) % Self.pieces.count]
                        inputs.append("<p>x<\(name)\(a)\(b)\(c)/>y</p>")
                    }
                }
                inputs.append("x<\(name)\(a)")
                inputs.append("x<\(name)\(a)>")
            }
        }
        inputs.append("<a" + String(repeating: " title=\"t\"", count: 16) + ">x</a>")
        inputs.append("<a" + String(repeating: " title=\"t\"", count: 17) + ">x</a>")
        let long = "<p>t <a href=\"/read/1\" onclick=\"track()\">l</a> <img src=\"/images/1.jpg\" alt=\"A &amp; b\" width=\"640\"/></p>"
        for cut in 0...long.utf8.count { inputs.append(String(decoding: Array(long.utf8)[..<cut], as: UTF8.self)) }
        let was = cfb_sanitizer_fast_tags(1)
        defer { cfb_sanitizer_fast_tags(was) }
        let fast = inputs.map(Self.sanitized)
        cfb_sanitizer_fast_tags(0)
        let tokenized = inputs.map(Self.sanitized)
        #expect(inputs.count > 5000)
        for (k, input) in inputs.enumerated() where fast[k] != tokenized[k] {
            Issue.record("\(input): \(fast[k]) != \(tokenized[k])")
        }
        #expect(fast.contains { $0.contains("<img src=\"http://example.com/i.png\" alt=\"a &amp; b > c\">") })
    }
}

/// The sanitizer's check that a relative URL is a plain path reads up to 32 bytes sixteen at a time, in place
/// when 32 bytes can be read and from a copy otherwise (XHTML attribute values as libxml2 gives them): with each
/// byte the check looks for at every offset of paths of every length up to 40, both the HTML content and the
/// XHTML content give what the general resolution gives.
@Suite struct PlainPathTests {
    @Test func plainPathCheckAgreesWithTheGeneralResolution() throws {
        let base = "http://h.example/a/b/"
        let specials = [".", "..", ":", "?", "#", "/", " ", "\\", "%", "\u{E9}", "./", "\"", "<", ">", "x"]
        var refs: [String] = []
        for n in 0...40 {
            let letters = Array("abcdef/ghijklm/nopqrs/tuvwxyz/")
            let plain = String((0..<n).map { letters[$0 % letters.count] })
            refs.append(plain)
            for at in stride(from: 0, through: n, by: n > 20 ? 3 : 1) {
                for special in specials {
                    var chars = Array(plain)
                    chars.replaceSubrange(at..<min(n, at + special.count), with: Array(special))
                    refs.append(String(chars))
                }
            }
        }
        let xml: (String) -> String = {
            $0.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: "\"", with: "&quot;")
        }
        var entries = ""
        var expected: [String] = []
        for (k, ref) in refs.enumerated() {
            let value = HTMLSanitizer.safeURL(Array(ref.utf8), base: URLBase(base), image: false).map {
                String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "&", with: "&amp;")
                    .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: "\"", with: "&quot;")
            }
            let want = value.map { "<a href=\"\($0)\">x</a>" } ?? "<a>x</a>"
            expected.append(want)
            let html = "<a href=\"\(xml(ref))\">x</a>"
            let got = Array(html.utf8).withUnsafeBufferPointer { FeedBytes.sanitize($0, base: base) }
            #expect(got == want, "\(ref)")
            entries += "<entry xml:base=\"\(base)\"><id>\(k)</id><title>t</title><content type=\"xhtml\">"
                + "<div xmlns=\"http://www.w3.org/1999/xhtml\">\(html)</div></content></entry>"
        }
        let doc = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title>\(entries)</feed>"
        let items = try parseString(doc).feed.items
        #expect(items.count == refs.count)
        for (k, item) in items.enumerated() where k < refs.count {
            #expect(item.content == expected[k], "\(refs[k])")
        }
    }
}

/// Whether a URL needs cleaning is read sixteen bytes a step, the last step overlapping the one before: with each
/// byte it looks for at every offset of URLs of every length up to 48, the answer is the byte-at-a-time one.
@Suite struct URLCleaningCheckTests {
    @Test func needsCleaningAgreesWithByteAtATime() {
        let specials: [UInt8] = [0x20, 0x09, 0x0A, 0x00, 0x01, 0x22, 0x3C, 0x3E, 0x5C, 0x21, 0x3D, 0x3F, 0x7F, 0x80, 0xE9]
        let letters = Array("http://h.example/a/b-c_d.html?x=1#f".utf8)
        for n in 0...48 {
            let plain = (0..<n).map { letters[$0 % letters.count] }
            #expect(plain.withUnsafeBufferPointer { URLBytes.needsCleaning($0) } == false)
            for at in 0..<n {
                for c in specials {
                    var s = plain
                    s[at] = c
                    let want = s.contains { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3C || $0 == 0x3E || $0 == 0x5C }
                    #expect(s.withUnsafeBufferPointer { URLBytes.needsCleaning($0) } == want, "n=\(n) at=\(at) c=\(c)")
                }
            }
        }
    }
}

/// Collapsing white space finds runs of words sixteen bytes (and the sixteen after them) a step, the last step
/// overlapping the one before and short runs read from a padded copy: with white space, no-break and ideographic
/// spaces, C1 controls and lone lead bytes at every offset of texts of every length up to 50, the answer is the
/// byte-at-a-time one.
@Suite struct CollapseTests {
    static func reference(_ t: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var pending = false
        var k = 0
        func flush() {
            if pending && !out.isEmpty { out.append(0x20) }
            pending = false
        }
        while k < t.count {
            let c = t[k]
            if c > 0x20 && c != 0xC2 && c != 0xE3 {
                flush()
                out.append(c)
                k += 1
            } else if c <= 0x20 {
                if [0x20, 0x0A, 0x09, 0x0D, 0x0C, 0x0B].contains(c) { pending = true }
                k += 1
            } else if c == 0xC2, k + 1 < t.count, t[k + 1] == 0xA0 {
                pending = true
                k += 2
            } else if c == 0xC2, k + 1 < t.count, t[k + 1] == 0x85 {
                flush()
                out += [0xE2, 0x80, 0xA6]
                k += 2
            } else if c == 0xE3, k + 2 < t.count, t[k + 1] == 0x80, t[k + 2] == 0x80 {
                pending = true
                k += 3
            } else {
                flush()
                out.append(c)
                k += 1
            }
        }
        return out
    }

    @Test func collapsingAgreesWithByteAtATime() {
        FeedBytes.withAndWithoutAVX2 { _ in check() }
    }

    func check() {
        let inserts: [[UInt8]] = [
            [0x20], [0x20, 0x20], [0x09], [0x0A], [0x0B], [0x01], [0xC2, 0xA0], [0xE3, 0x80, 0x80], [0xC2, 0x85],
            [0xC2], [0xE3], [0xC3, 0xA9], [0x20, 0xC2, 0xA0, 0x20], [0x3C], [0x26],
        ]
        let letters = Array("ab cd efg hijk l mnopq rstuv wxyz ".utf8)
        for n in 0...80 {
            let plain = (0..<n).map { letters[$0 % letters.count] }
            for at in 0...n {
                for insert in inserts {
                    var s = plain
                    s.replaceSubrange(at..<min(n, at + insert.count), with: insert)
                    let got = s.withUnsafeBufferPointer { FeedBytes.collapsed($0) }
                    let want = String(decoding: Self.reference(s), as: UTF8.self)
                    #expect(got == want, "n=\(n) at=\(at) insert=\(insert)")
                }
            }
        }
    }
}

/// Whether an attribute value is ASCII without '&' is read sixteen bytes a step (eight or four for short values),
/// the last step overlapping the one before: with '&' and bytes >= 0x80 at every offset of values of every length
/// up to 40, the answer is the byte-at-a-time one.
@Suite struct ASCIIWithoutAmpersandTests {
    @Test func checkAgreesWithByteAtATime() {
        for n in 0...40 {
            let plain = (0..<n).map { UInt8(ascii: "!") + UInt8($0 % 90) }.map { $0 == 0x26 ? 0x27 : $0 }
            #expect(plain.withUnsafeBufferPointer { FeedBytes.isASCIIWithoutAmpersand($0) })
            for at in 0..<n {
                for c: UInt8 in [0x26, 0x80, 0xFF, 0xC3, 0x25, 0x27, 0x7F, 0xA6] {
                    var s = plain
                    s[at] = c
                    let want = !s.contains { $0 >= 0x80 || $0 == 0x26 }
                    #expect(s.withUnsafeBufferPointer { FeedBytes.isASCIIWithoutAmpersand($0) } == want, "n=\(n) at=\(at) c=\(c)")
                }
            }
        }
    }
}

/// A URL's query and fragment are found sixteen bytes a step, the last step overlapping the one before and short
/// URLs read from a copy: with '?' and '#' at every offset of references of every length up to 40, the builder's
/// resolution in C gives what `URLResolver` gives.
@Suite struct URLSplitTests {
    /// Schemes (a letter, then letters, digits, '+', '-' or '.') read from a table: references and bases with
    /// every kind of byte in and after their scheme resolve as `URLResolver` and the general sanitizer path have it.
    @Test func schemesAgreeWithTheGeneralResolution() {
        let builder = FeedBuilder(documentURL: nil)
        let schemes = ["a", "a1", "a+b", "a-b", "a.b", "A.B-C+9", "1a", "+a", "a_b", "a/b", "a%b", "a b", "ab~", "\u{E9}a"]
        var refs = ["x/y.html", "/root.html", "../up.html", "./here", "?q", "#f"]
        for scheme in schemes { refs += ["\(scheme):x/y", "\(scheme):", "\(scheme)://h/p?q#f", "x/\(scheme):y"] }
        let bases = schemes.map { "\($0)://h.example/a/b" }
            + ["http://h.example/a/b", "http://h.example/a/b?q=/x/y#f/g", "http://h.example/a/b#f/g?q=/x"]
        for base in bases {
            for ref in refs {
                #expect(builder.resolveURL(ref, against: base) == URLResolver.resolve(ref, against: base), "\(base) + \(ref)")
                guard !ref.contains(" ") else { continue }
                let html = "<a href=\"\(ref)\">x</a>"
                let got = Array(html.utf8).withUnsafeBufferPointer { FeedBytes.sanitize($0, base: base) }
                let expected = HTMLSanitizer.safeURL(Array(ref.utf8), base: URLBase(base), image: false).map {
                    "<a href=\"\(String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "&", with: "&amp;"))\">x</a>"
                } ?? "<a>x</a>"
                #expect(got == expected, "\(base) + \(ref)")
            }
        }
    }

    @Test func queryAndFragmentAtEveryOffset() {
        let builder = FeedBuilder(documentURL: nil)
        let letters = Array("abc/def/ghij.html".utf8)
        for base in ["http://h.example/a/b", "https://h.example/x/?q=1#f"] {
            for n in 1...40 {
                let plain = (0..<n).map { letters[$0 % letters.count] }
                for at in 0..<n {
                    for marks in [[UInt8(ascii: "?")], [UInt8(ascii: "#")], [UInt8(ascii: "?"), UInt8(ascii: "#")],
                                  [UInt8(ascii: "#"), UInt8(ascii: "?")]] {
                        var s = plain
                        s[at] = marks[0]
                        if marks.count > 1 { s[n - 1 - (n - 1 - at) / 2] = marks[1] }
                        let ref = String(decoding: s, as: UTF8.self)
                        let want = URLResolver.resolve(ref, against: base)
                        #expect(builder.resolveURL(ref, against: base) == want, "\(base) + \(ref)")
                        let abs = "http://h.example/" + ref
                        #expect(builder.resolveURL(abs, against: base) == URLResolver.resolve(abs, against: base), "\(abs)")
                    }
                }
            }
        }
    }
}

/// `cfb_utf8_validate` lets strings be made without the standard library's check: it must accept exactly what
/// that check accepts, and call ASCII exactly what is ASCII.
@Suite struct UTF8ValidationTests {
    /// What Swift's own check says: 0 invalid, 1 ASCII, 2 valid and not ASCII.
    static func reference(_ b: [UInt8]) -> Int32 {
        guard String(validating: b, as: UTF8.self) != nil else { return 0 }
        return b.allSatisfy { $0 < 0x80 } ? 1 : 2
    }

    static func validate(_ b: [UInt8]) -> Int32 {
        b.withUnsafeBufferPointer { cfb_utf8_validate($0.baseAddress, $0.count) }
    }

    @Test func edgeSequencesAgreeWithTheStandardLibrary() {
        let sequences: [[UInt8]] = [
            [], [0x41], [0x7F], [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xC2, 0x80], [0xDF, 0xBF], [0xC2],
            [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xE0, 0xA0, 0x80], [0xEC, 0xBF, 0xBF], [0xED, 0x9F, 0xBF],
            [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xEE, 0x80, 0x80], [0xEF, 0xBF, 0xBF], [0xE2, 0x80],
            [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xF0, 0x9F, 0x98], [0xE2, 0x41, 0x80],
            [0xC3, 0xC3, 0xA9], Array("caf\u{e9} \u{201C}x\u{201D} \u{2014} \u{1F600}".utf8),
        ]
        FeedBytes.withAndWithoutAVX2 { avx2 in
            for s in sequences {
                // Alone, then at every place around the sixteen-byte steps and the 128-byte AVX2 skip.
                for pad in [0, 1, 13, 14, 15, 16, 17, 31, 126, 127, 128, 130] {
                    for tail in [0, 1, 20] {
                        let b = [UInt8](repeating: 0x61, count: pad) + s + [UInt8](repeating: 0x62, count: tail)
                        #expect(Self.validate(b) == Self.reference(b), "\(s) pad \(pad) tail \(tail) avx2 \(avx2)")
                    }
                }
            }
        }
    }

    @Test func generatedTextAgreesWithTheStandardLibrary() {
        var rng = SplitMix64(seed: 0x0F8_5A11)
        let pieces: [[UInt8]] = [
            Array("warga ".utf8), Array("\u{e9}".utf8), Array("\u{201C}".utf8), Array("\u{2014}".utf8),
            Array("\u{1F600}".utf8), Array("\u{4E2D}\u{6587}".utf8), [0x0A], Array("<p>".utf8),
        ]
        FeedBytes.withAndWithoutAVX2 { _ in
            for _ in 0..<3000 {
                var b: [UInt8] = []
                let count = Int(rng.next() % 60)
                for _ in 0..<count { b += pieces[Int(rng.next() % UInt64(pieces.count))] }
                #expect(Self.validate(b) == Self.reference(b))
                guard !b.isEmpty else { continue }
                // One byte changed, dropped or cut off: most of these are invalid.
                var m = b
                m[Int(rng.next() % UInt64(m.count))] = UInt8(truncatingIfNeeded: rng.next())
                #expect(Self.validate(m) == Self.reference(m), "\(m)")
                var d = b
                d.remove(at: Int(rng.next() % UInt64(d.count)))
                #expect(Self.validate(d) == Self.reference(d), "\(d)")
                let cut = Array(b.prefix(Int(rng.next() % UInt64(b.count))))
                #expect(Self.validate(cut) == Self.reference(cut), "\(cut)")
            }
        }
    }

    @Test func stringsMadeFromBytesEqualTheDecodedOnes() {
        let samples: [[UInt8]] = [
            Array("short".utf8), Array(String(repeating: "plain ascii text, ", count: 9).utf8),
            Array(String(repeating: "Kata \u{201C}berita\u{201D} \u{2014} banjir \u{2026} ", count: 7).utf8),
            Array(String(repeating: "ab", count: 20).utf8) + [0xED, 0xA0, 0x80] + Array("tail".utf8),
            Array(String(repeating: "x", count: 40).utf8) + [0xC3],
        ]
        for b in samples {
            let made = b.withUnsafeBufferPointer { FeedBytes.string(utf8: $0) }
            let decoded = String(decoding: b, as: UTF8.self)
            #expect(made == decoded)
            #expect(Array(made.utf8) == Array(decoded.utf8))
            #expect(made.unicodeScalars.count == decoded.unicodeScalars.count)
        }
    }
}
