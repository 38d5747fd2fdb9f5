import Foundation
import Testing

/// Bad input gets one clear line on stderr and a non-zero exit, and stored data is untouched.
@Suite struct ErrorTests {
    @Test func badConfigGivesOneLineAndExitsNonZero() throws {
        let dir = try CLI.temporaryDirectory()
        let config = dir.appendingPathComponent("feeds.toml")
        try "[[feeds]]\nname = \"a\"\nurll = \"https://example.com/rss\"\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try CLI.run(["--config", config.path, "fetch"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr == "aggregator: \(config.path):3: unknown key 'urll' in [[feeds]] #1 (did you mean 'url'?)\n")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("aggregator.sqlite").path))
    }

    @Test func corruptDatabaseGivesOneLineAndIsLeftUntouched() throws {
        let dir = try CLI.temporaryDirectory()
        let db = dir.appendingPathComponent("news.sqlite")
        let garbage = Data(repeating: 0x41, count: 8192)
        try garbage.write(to: db)
        let config = CLI.root.appendingPathComponent("seeds/feeds.toml").path
        for command in [["fetch"], ["clusters"], ["digest", "--date", "2025-08-08"]] {
            let result = try CLI.run(["--config", config, "--db", db.path] + command)
            #expect(result.status == 1, "\(command)")
            #expect(result.stderr.hasPrefix("aggregator: cannot open database \(db.path): file is not an SQLite database"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
            #expect(try Data(contentsOf: db) == garbage)
        }
    }

    @Test func parseReportsNonFeedInputAndKeepsGoing() throws {
        let dir = try CLI.temporaryDirectory()
        let page = dir.appendingPathComponent("page.html")
        try "<!DOCTYPE html><html><head><title>Home</title></head><body><p>hi</p></body></html>".write(
            to: page, atomically: true, encoding: .utf8)
        let feed = CLI.root.appendingPathComponent("seeds/bbc-uk.xml").path
        let result = try CLI.run(["parse", page.path, feed, "--format", "text"])
        #expect(result.status != 0)
        #expect(result.stderr.contains(page.path))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stdout.hasPrefix("# BBC News - UK (rss20, 1 item)\n"))
    }

    @Test func parsePrintsOneLineForBytesLibxml2TakesForUCS4() throws {
        // Blank lines, then `<` and NUL bytes: libxml2 reads a UCS-4 signature, and its failed conversion was
        // printed to stderr by libxml2 itself, before our own line.
        let file = CLI.root.appendingPathComponent("Tests/FeedsTests/Fixtures/hostile/ucs4-signature-after-blank-lines.xml")
        let result = try CLI.run(["parse", file.path, "--format", "text"])
        #expect(result.status != 0)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("aggregator: \(file.path): got no xml root element"), "\(result.stderr)")
    }
}
