import Foundation
import Testing

/// `aggregator parse --format json` prints exactly the documented object.
@Suite struct ParseJSONTests {
    @Test func printsTheDocumentedSchema() throws {
        let feed = CLI.root.appendingPathComponent("seeds/serambinews.xml").path
        let result = try CLI.run(["parse", feed, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["format", "title", "link", "description", "language", "updated", "author", "image", "items"])
        #expect(object["format"] as? String == "rss20")
        #expect(object["title"] as? String == "Serambinews.com")
        #expect(object["language"] as? String == "id")
        #expect(object["image"] is NSNull)
        let items = try #require(object["items"] as? [[String: Any]])
        #expect(items.count == 3)
        let first = items[0]
        #expect(
            Set(first.keys) == [
                "id", "title", "link", "summary", "content", "author", "published", "updated", "categories", "enclosures",
            ])
        #expect((first["title"] as? String)?.hasPrefix("Putin Telepon Xi Jinping") == true)
        #expect(first["published"] as? String == "2025-08-08T12:12:00Z")
        #expect(first["updated"] is NSNull)
        #expect(first["author"] as? String == "Agus Ramadhan")
        #expect(first["categories"] as? [String] == ["Internasional"])
        #expect((first["enclosures"] as? [Any])?.isEmpty == true)
        #expect((first["content"] as? String)?.contains("<p>SERAMBINEWS.COM - Presiden Rusia") == true)
    }

    @Test func printsOneCompactObjectPerLineForSeveralInputs() throws {
        let inputs = ["seeds/kompas.atom", "seeds/antaranews.rdf"].map { CLI.root.appendingPathComponent($0).path }
        let result = try CLI.run(["parse"] + inputs + ["--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let formats = try lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])["format"] as? String
        }
        #expect(formats == ["atom10", "rss10"])
    }
}
