import Foundation
import Store
import Testing

@testable import AggregatorKit

@Suite struct DigestRenderTests {
    static let now = Date(timeIntervalSince1970: Double(DigestFixture.time("2025-08-09T00:00:00Z")))

    func render(_ format: DigestFormat, _ digest: DigestModel, color: Bool = false, template: String? = nil) throws
        -> String
    {
        let context = DigestContext(timeZone: DigestFixture.timeZone, width: 80, color: color)
        return try DigestRenderer(format: format, context: context, templatePath: template, now: Self.now).render(
            digest)
    }

    @Test(arguments: DigestFormat.allCases)
    func matchesTheGoldenFile(format: DigestFormat) throws {
        let fixture = try DigestFixture()
        defer { fixture.remove() }
        let ext =
            ["text": "txt", "markdown": "md", "html": "html", "json": "json", "atom": "atom"][format.rawValue] ?? "out"
        try Snapshot.check(try render(format, try fixture.digest()), named: "digest.\(ext)")
    }

    @Test(arguments: DigestFormat.allCases)
    func saysAnEmptyDayPlainly(format: DigestFormat) throws {
        let fixture = try DigestFixture()
        defer { fixture.remove() }
        let output = try render(format, try fixture.digest("2025-08-01"))
        switch format {
        case .json:
            let object = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
            #expect((object["stories"] as? [Any])?.isEmpty == true)
            #expect((object["single_source"] as? [Any])?.isEmpty == true)
        case .atom:
            #expect(!output.contains("<entry>"))
            #expect(output.contains("<subtitle>No stories for 2025-08-01.</subtitle>"))
        case .text, .markdown, .html:
            #expect(output.contains("No stories for 2025-08-01."))
        }
        if format != .json { try Snapshot.check(output, named: "empty.\(format.rawValue)") }
    }

    @Test func clusterPagesMatchTheirGoldenFiles() throws {
        let fixture = try DigestFixture()
        defer { fixture.remove() }
        let cluster = try #require(try fixture.store.cluster(id: 1))
        let view = DigestClusterView(cluster: cluster, portalNames: DigestFixture.portals)
        try Snapshot.check(Render.clusterText(view, width: 80, timeZone: DigestFixture.timeZone), named: "cluster.txt")
        try Snapshot.check(Render.clusterJSON(view) + "\n", named: "cluster.json")
        let context = DigestContext(timeZone: DigestFixture.timeZone, indexName: DigestSite.indexName)
        try Snapshot.check(
            try DigestRenderer(format: .html, context: context).renderCluster(view), named: "cluster.html")
    }

    @Test func colorsTextOnlyWhenAsked() throws {
        let fixture = try DigestFixture()
        defer { fixture.remove() }
        let plain = try render(.text, try fixture.digest())
        let colored = try render(.text, try fixture.digest(), color: true)
        // The feed's own escape sequence is dropped either way; ours appear only with colour on.
        #expect(!plain.contains("\u{1B}"))
        #expect(colored.contains("\u{1B}[1m1. Leaders meet at the summit\u{1B}[0m"))
        #expect(!colored.contains("\u{1B}[31m"))
    }

    @Test func dropsControlCharactersAndBidiOverridesFromFeedText() {
        #expect(DigestContext.clean("a\u{1B}[31mb\u{202E}c\u{0}d\u{85}e\tf\ng") == "a[31mbcde\tf\ng")
        #expect(DigestAtom.xml("a\u{1}b\u{FFFE}<&>\"'") == "ab&lt;&amp;&gt;&quot;&apos;")
    }

    @Test func escapesFeedTextInEveryFormat() throws {
        let fixture = try DigestFixture()
        defer { fixture.remove() }
        let digest = try fixture.digest()
        let html = try render(.html, digest)
        #expect(html.contains("Tom &amp; Jerry &lt;b&gt;&quot;quoted&quot;&lt;/b&gt;"))
        #expect(!html.contains("<b>\"quoted\""))
        #expect(!html.lowercased().contains("javascript:alert"))
        #expect(html.contains("href=\"https://alpha.example/t?a=%3Cb%3E&amp;c=%22d%22\""))
        let markdown = try render(.markdown, digest)
        #expect(markdown.contains("Tom \\& Jerry \\<b\\>\"quoted\"\\</b\\> \\*stars\\* \\[x\\](javascript:y) \\#tag"))
        #expect(Render.markdownEscape("1. A lead") == "1\\. A lead")
        #expect(Render.markdownEscape("- item") == "\\- item")
        let atom = try render(.atom, digest)
        #expect(atom.contains("<title type=\"text\">Tom &amp; Jerry &lt;b&gt;&quot;quoted&quot;&lt;/b&gt;"))
        #expect(!atom.contains("\u{1B}"))
        // The entry's HTML content is escaped twice: once as HTML, once as XML.
        #expect(
            atom.contains("&lt;li&gt;&lt;a href=&quot;https://alpha.example/t?a=%3Cb%3E&amp;amp;c=%22d%22&quot;&gt;"))
    }

    @Test func atomEntriesHaveStableIDsAndTheClustersUpdatedTime() throws {
        let fixture = try DigestFixture()
        defer { fixture.remove() }
        let atom = try render(.atom, try fixture.digest())
        #expect(atom.contains("<id>tag:aggregator,2025:cluster/1</id>"))
        #expect(atom.contains("<updated>2025-08-08T06:05:00Z</updated>"))
        // The feed's updated is its newest entry's, not the clock's: the same database renders the same feed.
        #expect(atom.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <id>tag:aggregator,2025:digest</id>"))
        #expect(atom.contains("  <updated>2025-08-08T16:59:59Z</updated>\n  <author>"))
    }

    @Test func atomLinksToItselfOnlyWithAnHTTPURL() throws {
        let fixture = try DigestFixture()
        defer { fixture.remove() }
        let digest = try fixture.digest()
        let atom = DigestAtom.render(
            digest, timeZone: DigestFixture.timeZone, selfLink: "https://news.example/a.xml", now: Self.now)
        #expect(atom.contains("<link rel=\"self\" type=\"application/atom+xml\" href=\"https://news.example/a.xml\"/>"))
        let hostile = DigestAtom.render(
            digest, timeZone: DigestFixture.timeZone, selfLink: "javascript:x", now: Self.now)
        #expect(!hostile.contains("rel=\"self\""))
    }

    @Test func usesTheUsersTemplate() throws {
        let fixture = try DigestFixture()
        defer { fixture.remove() }
        let file = fixture.directory.appendingPathComponent("mine.mustache")
        try Data("{{label}}:{{#stories}} {{rank}}={{headline}}{{/stories}}\n".utf8).write(to: file)
        #expect(
            try render(.html, try fixture.digest(), template: file.path)
                == "2025-08-08: 1=Leaders meet at the summit 2=Earthquake shakes the coast 3=Rice prices rise in 14 provinces\n"
        )
        #expect(throws: TemplateError.self) { try render(.json, try fixture.digest(), template: file.path) }
        try Data("{{#stories}}unclosed".utf8).write(to: file)
        let error = try #require(throws: TemplateError.self) {
            try render(.text, try fixture.digest(), template: file.path)
        }
        #expect(error.description == "\(file.path):1: template error: expected section end")
    }

    @Test func writesTheDigestAndOnePagePerMultiPortalStoryLinkedBothWays() throws {
        let fixture = try DigestFixture()
        defer { fixture.remove() }
        let folder = fixture.directory.appendingPathComponent("site")
        let written = try DigestSite.write(
            try fixture.digest(), store: fixture.store, to: folder.path, timeZone: DigestFixture.timeZone,
            portalNames: DigestFixture.portals)
        #expect(
            written.map { URL(fileURLWithPath: $0).lastPathComponent } == [
                "index.html", "cluster-1.html", "cluster-3.html", "cluster-2.html",
            ])
        let index = try String(contentsOf: folder.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(index.contains("<a class=\"compare\" href=\"cluster-1.html\">compare the 3 copies →</a>"))
        let page = try String(contentsOf: folder.appendingPathComponent("cluster-1.html"), encoding: .utf8)
        #expect(page.contains("<a href=\"index.html\">"))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(files == ["cluster-1.html", "cluster-2.html", "cluster-3.html", "index.html"])
    }
}
