import Feeds
import Foundation
import Testing

@Suite struct RSS20ParserTests {
    @Test func readsEveryFieldOfABasicItem() throws {
        let parsed = try parseFixture("rss20/basic-item.xml", url: "https://aceh.tribunnews.com/rss")
        let feed = parsed.feed
        #expect(parsed.warnings.isEmpty)
        #expect(feed.format == .rss20)
        #expect(feed.title == "Serambinews")
        #expect(feed.link == "https://aceh.tribunnews.com/")
        #expect(feed.description == "Berita & info Aceh")
        #expect(feed.language == "id")
        #expect(feed.updated == utc("2025-08-08T03:30:00Z"))
        let item = try #require(feed.items.first)
        #expect(item.id == "sn-123")
        #expect(item.key == "sn-123")
        #expect(item.title == "Banjir di Aceh Utara & Lhokseumawe")
        #expect(item.link == "https://aceh.tribunnews.com/2025/08/08/banjir?utm_source=rss")
        #expect(item.summary == "Hujan deras sejak pagi.")
        #expect(item.content == "<p>Isi <img src=\"https://aceh.tribunnews.com/img/a.jpg\"> lengkap</p>")
        #expect(item.author == "Redaksi")
        #expect(item.published == utc("2025-08-08T03:00:00Z"))
        #expect(item.updated == nil)
        #expect(item.categories == ["Aceh", "Bencana"])
        #expect(item.enclosures == [Enclosure(url: "https://aceh.tribunnews.com/audio/a.mp3", type: "audio/mpeg", length: 12345)])
    }
}

@Suite struct AtomParserTests {
    @Test func resolvesLinksAgainstNestedXMLBase() throws {
        let feed = try parseFixture("atom10/xml-base.xml", url: "http://example.org/feed").feed
        #expect(feed.format == .atom10)
        #expect(feed.title == "Example")
        #expect(feed.link == "http://example.org/blog/")
        #expect(feed.language == "en")
        #expect(feed.author == "Alice")
        #expect(feed.updated == utc("2025-08-08T03:00:00Z"))
        let item = try #require(feed.items.first)
        #expect(item.title == "First post")
        #expect(item.link == "http://example.org/blog/posts/first.html")
        #expect(item.id == "tag:example.org,2025:1")
        #expect(item.published == utc("2025-08-08T03:00:00Z"))
        #expect(item.updated == utc("2025-08-08T04:00:00Z"))
        #expect(item.content == "<p>Hello <a href=\"http://example.org/blog/posts/second.html\">next</a></p>")
        #expect(item.summary == "Hello next")
        #expect(item.author == "Alice")
        #expect(item.enclosures == [Enclosure(url: "http://example.org/blog/media/ep1.mp3", type: "audio/mpeg", length: 42)])
    }
}

@Suite struct RSS10ParserTests {
    @Test func readsRDFItemsOutsideTheChannel() throws {
        let feed = try parseFixture("rss10/basic-item.xml").feed
        #expect(feed.format == .rss10)
        #expect(feed.title == "RDF site")
        #expect(feed.language == "de")
        #expect(feed.items.count == 1)
        let item = try #require(feed.items.first)
        #expect(item.title == "One")
        #expect(item.key == "http://example.org/1")
        #expect(item.published == utc("2025-08-08T00:00:00Z"))
        #expect(item.categories == ["news"])
    }
}

@Suite struct HostileInputTests {
    @Test func boundsBillionLaughs() throws {
        let parsed = try parseFixture("hostile/billion-laughs.xml")
        #expect(parsed.feed.items.count == 1)
        #expect((parsed.feed.items.first?.title ?? "").utf8.count <= 1 << 20)
        #expect(parsed.feed.items.first?.link == "http://example.org/1")
    }

    @Test func neverLoadsExternalEntities() throws {
        let parsed = try parseFixture("hostile/xxe-local-file.xml")
        let title = parsed.feed.items.first?.title ?? ""
        #expect(!title.contains("root:"))
        #expect(parsed.feed.items.count == 1)
    }

    @Test func rejectsAnHTMLPage() throws {
        #expect(throws: FeedError.self) { try parseFixture("hostile/html-page.xml") }
        do {
            _ = try parseFixture("hostile/html-page.xml")
        } catch let e as FeedError {
            #expect(e.description == "got an HTML page, not a feed")
        }
    }
}
