import Feeds
import Testing

@Suite struct OPMLReaderTests {
    func parse(_ text: String) throws(OPMLError) -> OPMLDocument {
        try OPMLReader.parse(Array(text.utf8), source: "subs.opml")
    }

    func error(_ text: String) -> String {
        do {
            _ = try parse(text)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func readsNestedFoldersAsOtherReadersExportThem() throws {
        // The shape Feedly/Inoreader-style exports take: folders as outlines with text only, feeds inside.
        let document = try parse(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <opml version="1.0">
              <head><title>Subscriptions in Reader</title></head>
              <body>
                <outline text="News" title="News">
                  <outline text="Aceh">
                    <outline type="rss" text="Serambinews" title="Serambinews" xmlUrl="https://aceh.tribunnews.com/rss" htmlUrl="https://aceh.tribunnews.com/"/>
                  </outline>
                  <outline type="rss" text="Kompas &amp; Co" xmlUrl="https://www.kompas.com/rss"/>
                </outline>
                <outline type="rss" text="BBC" xmlUrl="https://feeds.bbci.co.uk/news/rss.xml"/>
              </body>
            </opml>
            """)
        #expect(document.title == "Subscriptions in Reader")
        #expect(document.outlines.count == 2)
        let news = try #require(document.outlines.first)
        #expect(news.displayTitle == "News" && news.xmlURL == nil && news.children.count == 2)
        let aceh = try #require(news.children.first)
        #expect(aceh.children.first?.xmlURL == "https://aceh.tribunnews.com/rss")
        #expect(aceh.children.first?.htmlURL == "https://aceh.tribunnews.com/")
        #expect(news.children.last?.displayTitle == "Kompas & Co")
    }

    @Test(arguments: [
        #"<outline type="rss" text="A" xmlUrl="https://a.example/feed"/>"#,
        #"<outline type="RSS" text="A" xmlURL="https://a.example/feed"/>"#,
        #"<outline type="atom" title="A" xmlurl="https://a.example/feed"/>"#,
        #"<outline text="A" xmlUrl="  https://a.example/feed  "/>"#,
        #"<outline type="rss" text="A" xmlUrl="https://a.example/feed"></outline>"#,
    ])
    func acceptsTheVariationsReadersWrite(outline: String) throws {
        let document = try parse("<opml version=\"2.0\"><head/><body>\(outline)</body></opml>")
        #expect(document.outlines.first?.xmlURL == "https://a.example/feed")
        #expect(document.outlines.first?.displayTitle == "A")
    }

    @Test func keepsOutlinesWithoutTitles() throws {
        let document = try parse(
            #"<opml version="2.0"><body><outline type="rss" xmlUrl="https://b.example/rss"/><outline text="  " xmlUrl="https://c.example/rss"/></body></opml>"#
        )
        #expect(document.outlines.map(\.xmlURL) == ["https://b.example/rss", "https://c.example/rss"])
        #expect(document.outlines.allSatisfy { $0.displayTitle == nil })
    }

    @Test func readsOurOwnNamespacedAttributes() throws {
        let document = try parse(
            """
            <opml version="2.0" xmlns:aggregator="\(OPMLReader.namespace)"><body>
            <outline text="A" xmlUrl="https://a.example/feed" category="x,/y/z" aggregator:name="a-feed" aggregator:keep="90d"/>
            </body></opml>
            """)
        #expect(document.outlines.first?.extensions == ["name": "a-feed", "keep": "90d"])
        #expect(document.outlines.first?.category == "x,/y/z")
    }

    @Test(arguments: [
        ("", "subs.opml: the file is empty"),
        ("<opml><body><outline text='a'></body></opml>", "subs.opml: not well-formed xml (line 1:"),
        ("<rss version='2.0'><channel/></rss>", "subs.opml: not an opml file (the root element is <rss>)"),
        ("<opml version='2.0'><head/></opml>", "subs.opml: not an opml file (no <body> element)"),
        (
            "<?xml version='1.0'?><!DOCTYPE opml [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;'>]><opml><body><outline text='&b;'/></body></opml>",
            "subs.opml: the file declares xml entities; refusing to read it"
        ),
    ])
    func refusesWhatIsNotSafeWellFormedOPML(input: String, expected: String) {
        #expect(error(input).hasPrefix(expected), "\(error(input))")
    }

    @Test func neverLoadsAnExternalDTDOrExpandsItsEntities() throws {
        let document = try parse(
            "<?xml version='1.0'?><!DOCTYPE opml SYSTEM 'http://127.0.0.1:9/evil.dtd'><opml><body><outline text='a&ext;b' xmlUrl='https://a.example/'/></body></opml>"
        )
        let text = try #require(document.outlines.first?.text)
        #expect(text.hasPrefix("a") && text.hasSuffix("b") && text.count <= 7, "\(text)")
    }

    @Test func enforcesTheSizeLimit() {
        let big =
            "<opml><body>" + String(repeating: "<outline text='x' xmlUrl='https://x.example/'/>", count: 100)
            + "</body></opml>"
        #expect(throws: OPMLError.self) { try OPMLReader.parse(Array(big.utf8), source: "big.opml", maxBytes: 1000) }
        #expect(throws: Never.self) { try OPMLReader.parse(Array(big.utf8), source: "big.opml", maxBytes: 100_000) }
    }
}
