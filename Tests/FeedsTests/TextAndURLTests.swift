import Feeds
import Foundation
import Testing

@Suite struct URLCanonicalizerTests {
    @Test(arguments: [
        ("HTTPS://Example.COM/Path?a=1#frag", "https://example.com/Path?a=1"),
        ("http://example.com:80/x", "http://example.com/x"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a?utm_source=rss&id=5&utm_medium=feed", "https://example.com/a?id=5"),
        ("https://example.com/a?fbclid=abc", "https://example.com/a"),
        ("https://example.com/a?gclid=1&x=2", "https://example.com/a?x=2"),
    ])
    func dropsWhatDoesNotIdentifyThePage(_ input: String, _ expected: String) {
        #expect(URLCanonicalizer.canonical(input) == expected)
    }
}

@Suite struct HTMLTextTests {
    @Test(arguments: [
        ("<p>Satu</p><p>Dua</p>", "Satu Dua"),
        ("a <!-- <b>hidden</b> --> b", "a b"),
        ("<a title=\"x > y\" href=\"#\">link</a> text", "link text"),
        ("<![CDATA[literal <b>]]>", "literal <b>"),
        ("Tom &amp;amp; Jerry", "Tom &amp; Jerry"),
        ("x&nbsp;&mdash;&nbsp;y", "x — y"),
        ("<script>if (a < b) { x() }</script>Visible", "Visible"),
        ("  lots\n\n of   space ", "lots of space"),
        ("5 < 6 and 7 > 3", "5 < 6 and 7 > 3"),
        ("one two  three\u{A0}four\u{3000}five \u{2003}six", "one two three four five \u{2003}six"),
        ("caf\u{E9} \u{C2}\u{A0}x", "caf\u{E9} \u{C2} x"),
        ("a\u{0093}b\u{0094} c", "a\u{201C}b\u{201D} c"),
    ])
    func stripsTagsAndDecodesEntities(_ html: String, _ expected: String) {
        #expect(HTMLText.plainText(fromHTML: html) == expected)
    }
}

@Suite struct ItemKeyTests {
    func feed(_ items: String) throws -> Feed {
        try parseString("<rss version=\"2.0\"><channel><title>T</title>\(items)</channel></rss>").feed
    }

    @Test func usesCanonicalLinkWithoutGUID() throws {
        let f = try feed("<item><title>a</title><link>HTTPS://Example.com/a?utm_source=x#top</link></item>")
        #expect(f.items.first?.key == "https://example.com/a")
    }

    @Test func keyDoesNotChangeWhenTextIsEdited() throws {
        let a = try feed("<item><title>First</title><guid>k1</guid><description>one</description></item>")
        let b = try feed("<item><title>Edited</title><guid>k1</guid><description>two</description></item>")
        #expect(a.items.first?.key == b.items.first?.key)
    }

    @Test func hashesTitleDateAndSummaryWithoutGUIDOrLink() throws {
        let a = try feed("<item><title>A</title><description>s</description></item>")
        let b = try feed("<item><title>B</title><description>s</description></item>")
        let ka = try #require(a.items.first?.key)
        #expect(ka.hasPrefix("hash:"))
        #expect(ka != b.items.first?.key)
        #expect(try feed("<item><title>A</title><description>s</description></item>").items.first?.key == ka)
    }

    @Test func disambiguatesDuplicateGUIDsByLink() throws {
        let f = try feed(
            "<item><guid>x</guid><link>http://e.org/1</link></item><item><guid>x</guid><link>http://e.org/2</link></item>")
        #expect(f.items.count == 2)
        #expect(Set(f.items.map(\.key)).count == 2)
    }
}

@Suite struct LimitsTests {
    @Test func refusesDocumentsOverTheSizeLimit() throws {
        let body = Array("<rss version=\"2.0\"><channel><title>T</title></channel></rss>".utf8)
        #expect(throws: FeedError.self) { try FeedParser.parse(body, options: ParseOptions(maxBytes: 10)) }
        #expect(try FeedParser.parse(body, options: ParseOptions(maxBytes: 1000)).feed.title == "T")
    }

    @Test func printsJSONInSchemaOrder() throws {
        let f = try parseString("<rss version=\"2.0\"><channel><title>T</title><item><title>i</title></item></channel></rss>").feed
        let json = String(decoding: f.jsonData(pretty: false), as: UTF8.self)
        #expect(json.hasPrefix("{\"format\":\"rss20\",\"title\":\"T\",\"link\":null,\"description\":null,\"language\":null,\"updated\":null,\"author\":null,\"image\":null,\"items\":[{\"id\":null,\"title\":\"i\""))
        #expect(json.hasSuffix("\"categories\":[],\"enclosures\":[]}]}"))
    }
}
