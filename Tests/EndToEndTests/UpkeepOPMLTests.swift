import Foundation
import Testing

/// `import-opml` and `export-opml` through the built binary.
@Suite struct UpkeepOPMLTests {
    let directory: URL
    let config: String

    init() throws {
        directory = try CLI.temporaryDirectory()
        config = directory.appendingPathComponent("feeds.toml").path
        try "# hand-written\n[[feeds]]\nname = \"kompas\"\nurl = \"https://www.kompas.com/rss\"  # keep me\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
    }

    func write(_ text: String, _ name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func importsAnotherReadersExportAndRoundTripsThroughOurs() throws {
        let opml = try write(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <opml version="1.0"><head><title>Exported from Reader</title></head><body>
              <outline text="Berita" title="Berita">
                <outline text="Aceh"><outline type="rss" text="Serambinews" xmlUrl="https://aceh.tribunnews.com/rss" htmlUrl="https://aceh.tribunnews.com/"/></outline>
                <outline type="rss" text="Kompas (dup)" xmlUrl="https://kompas.com/rss/"/>
              </outline>
              <outline type="RSS" xmlURL="https://feeds.bbci.co.uk/news/rss.xml"/>
            </body></opml>
            """, "reader.opml")
        let imported = try Upkeep.run(["--config", config, "import-opml", opml])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("skipped Kompas (dup): already configured as 'kompas'"), "\(imported.stdout)")
        #expect(imported.stdout.contains("added 2 feeds"), "\(imported.stdout)")
        let text = try String(contentsOfFile: config, encoding: .utf8)
        #expect(
            text.hasPrefix(
                "# hand-written\n[[feeds]]\nname = \"kompas\"\nurl = \"https://www.kompas.com/rss\"  # keep me\n"))
        #expect(
            text.contains(
                "name = \"serambinews\"\nurl = \"https://aceh.tribunnews.com/rss\"\ntitle = \"Serambinews\"\ntags = [\"Berita\", \"Aceh\"]"
            ))
        #expect(text.contains("name = \"feeds-bbci-co-uk\""))

        // Ours → ours: export, import into an empty config, export again: the same feeds.
        let exported = try Upkeep.run([
            "--config", config, "--db", directory.appendingPathComponent("none.sqlite").path, "export-opml",
        ])
        #expect(exported.status == 0, "\(exported.stderr)")
        let copy = directory.appendingPathComponent("copy.toml").path
        let opml2 = try write(exported.stdout, "ours.opml")
        #expect(try Upkeep.run(["--config", copy, "import-opml", opml2]).status == 0)
        let again = try Upkeep.run([
            "--config", copy, "--db", directory.appendingPathComponent("none.sqlite").path, "export-opml",
        ])
        func outlines(_ text: String) -> [String] {
            text.split(separator: "\n").filter { $0.contains("<outline") }.map(String.init)
        }
        #expect(outlines(again.stdout) == outlines(exported.stdout))
        #expect(outlines(exported.stdout).count == 4)  // 3 feeds, 1 folder (a feed sits in its first tag's folder)
    }

    @Test func malformedOPMLChangesNothing() throws {
        let before = try String(contentsOfFile: config, encoding: .utf8)
        for (name, body) in [
            ("broken.opml", "<opml version='2.0'><body><outline text='a' xmlUrl='https://a.example/rss'></body>"),
            ("notopml.opml", "<html><body>hello</body></html>"),
        ] {
            let result = try Upkeep.run(["--config", config, "import-opml", try write(body, name)])
            #expect(result.status == 1)
            #expect(
                result.stderr.hasPrefix("aggregator: \(directory.appendingPathComponent(name).path): "),
                "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
        #expect(try String(contentsOfFile: config, encoding: .utf8) == before)
    }
}
