import Feeds
import Foundation
import Testing

@testable import AggregatorKit

@Suite struct OPMLTests {
    func config(_ text: String, path: String = "/srv/news/feeds.toml") throws -> Config {
        try Config.parse(text, path: path)
    }

    func document(_ text: String) throws -> OPMLDocument {
        try OPMLReader.parse(Array(text.utf8), source: "subs.opml")
    }

    @Test func turnsFoldersIntoTagsAndTitlesIntoUniqueNames() throws {
        let existing = try config("[[feeds]]\nname = \"kompas\"\nurl = \"https://www.kompas.com/rss/\"\n")
        let plan = OPML.plan(
            try document(
                """
                <opml version="1.0"><body>
                  <outline text="News"><outline title="Aceh">
                    <outline type="rss" text="Serambinews — Berita Aceh" xmlUrl="https://aceh.tribunnews.com/rss"/>
                    <outline type="rss" text="Kompás" xmlUrl="https://kompas.example/other" category="/Nasional/Jakarta"/>
                  </outline></outline>
                  <outline type="rss" text="Kompas again" xmlUrl="HTTPS://kompas.com/rss"/>
                  <outline type="rss" xmlUrl="https://feeds.bbci.co.uk/news/rss.xml"/>
                  <outline type="rss" text="Dup" xmlUrl="https://aceh.tribunnews.com/rss/"/>
                  <outline type="link" text="Just a page" htmlUrl="https://example.com/"/>
                  <outline type="rss" text="Gopher" xmlUrl="gopher://old.example/feed"/>
                </body></opml>
                """), into: existing)
        #expect(plan.added.map(\.name) == ["serambinews-berita-aceh", "kompas-2", "feeds-bbci-co-uk"])
        #expect(plan.added.map(\.tags) == [["News", "Aceh"], ["News", "Aceh", "Nasional", "Jakarta"], []])
        #expect(plan.added.map(\.title) == ["Serambinews — Berita Aceh", "Kompás", nil])
        #expect(plan.skipped.map(\.existing) == ["kompas", "serambinews-berita-aceh"])
        #expect(plan.ignored == ["Just a page", "Gopher"])
    }

    @Test func roundTripsOurOwnExportWithoutLoss() throws {
        let original = try config(
            """
            [[feeds]]
            name = "serambinews"
            url = "https://aceh.tribunnews.com/rss"
            title = "Serambinews \\"Aceh\\" & <friends>"
            tags = ["aceh", "tribun network"]
            interval = "30m"
            keep = "90d"

            [[feeds]]
            name = "bbc"
            url = "https://feeds.bbci.co.uk/news/rss.xml"

            [[feeds]]
            name = "kompas"
            url = "https://www.kompas.com/rss"
            title = "Kompas"
            tags = ["nasional"]
            timeout = "45s"
            """)
        let exported = OPML.export(original, siteLinks: ["bbc": "https://www.bbc.co.uk/news"])
        let reread = try document(exported)
        #expect(reread.outlines.contains { $0.htmlURL == "https://www.bbc.co.uk/news" })
        let plan = OPML.plan(reread, into: nil)
        let text = ConfigEditor.appending(plan.added, to: "")
        let imported = try config(text)
        #expect(imported.feeds.map(\.name).sorted() == original.feeds.map(\.name).sorted())
        for feed in original.feeds {
            let copy = try #require(imported.feeds.first { $0.name == feed.name })
            #expect(copy.resolvedURL == feed.resolvedURL)
            #expect(copy.title == feed.title)
            #expect(copy.tags == feed.tags)
            #expect(copy.interval == feed.interval && copy.keep == feed.keep && copy.timeout == feed.timeout)
        }
        // Exporting the imported config again gives the same document (apart from its date).
        let again = OPML.export(
            imported, siteLinks: ["bbc": "https://www.bbc.co.uk/news"], now: Date(timeIntervalSince1970: 0))
        let first = OPML.export(
            original, siteLinks: ["bbc": "https://www.bbc.co.uk/news"], now: Date(timeIntervalSince1970: 0))
        #expect(Set(again.split(separator: "\n")) == Set(first.split(separator: "\n")))
    }

    @Test func slugsNamesTheWayConfigAcceptsThem() {
        #expect(OPML.slug("CNN Indonesia — Nasional!") == "cnn-indonesia-nasional")
        #expect(OPML.slug("Ekonomi & Bisnis: Berita Terkini") == "ekonomi-bisnis-berita-terkini")
        #expect(OPML.slug("Kompás.com") == "kompas-com")
        #expect(OPML.slug("日本のニュース").isEmpty)
        #expect(OPML.slug(String(repeating: "ab ", count: 40)).count <= 48)
        #expect(OPML.unique("a", in: ["a", "a-2"]) == "a-3")
    }
}
