import Feeds
import Testing

@Suite struct FeedDiscoveryTests {
    func feeds(_ html: String, page: String = "https://news.example/section/index.html") -> [DiscoveredFeed] {
        FeedDiscovery.feeds(inHTML: Array(html.utf8), pageURL: page)
    }

    @Test func findsEveryFeedAlternateAndResolvesRelativeHrefs() {
        let found = feeds(
            """
            <!DOCTYPE html><html><head><title>News</title>
            <link rel="stylesheet" href="/style.css" type="text/css">
            <link rel="alternate" type="application/rss+xml" title="All news" href="/rss">
            <LINK REL="Alternate" TYPE="application/atom+xml; charset=utf-8" TITLE="Aceh" HREF="aceh/atom.xml">
            <link rel="alternate" type="application/feed+json" href="../feed.json">
            <link rel="alternate" hreflang="en" href="/en/">
            <link rel="alternate" type="application/rss+xml" href="/rss">
            </head><body><p>Hello</body></html>
            """)
        #expect(
            found.map(\.url) == [
                "https://news.example/rss", "https://news.example/section/aceh/atom.xml",
                "https://news.example/feed.json",
            ])
        #expect(found.map(\.title) == ["All news", "Aceh", nil])
        #expect(found.map(\.type) == ["application/rss+xml", "application/atom+xml", "application/feed+json"])
    }

    @Test func honoursBaseHrefAndProtocolRelativeLinks() {
        let found = feeds(
            """
            <html><head><base href="https://cdn.example/site/">
            <link rel="alternate feed" type="application/rss+xml" href="rss.xml">
            <link rel="alternate" type="application/atom+xml" href="//other.example/atom">
            </head></html>
            """)
        #expect(found.map(\.url) == ["https://cdn.example/site/rss.xml", "https://other.example/atom"])
    }

    @Test func survivesBrokenHTMLAndLinksOutsideTheHead() {
        let found = feeds(
            """
            <html><head><title>Broken<title><div><table><tr><td>
            <link rel=alternate type=application/rss+xml href=/feed?x=1&amp;y=2>
            </head><body><link rel="alternate" type="application/atom+xml" href="/atom"></body>
            """)
        #expect(found.map(\.url) == ["https://news.example/feed?x=1&y=2", "https://news.example/atom"])
    }

    @Test func findsNothingOnPagesWithoutFeeds() {
        #expect(feeds("<html><head><link rel='icon' href='/favicon.ico'></head><body>no feeds</body></html>").isEmpty)
        #expect(feeds("").isEmpty)
        #expect(FeedDiscovery.looksLikeHTML(Array("<!DOCTYPE html><html>".utf8)))
        #expect(!FeedDiscovery.looksLikeHTML(Array("<?xml version='1.0'?><rss/>".utf8)))
    }
}
