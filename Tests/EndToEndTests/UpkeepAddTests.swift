import Foundation
import Testing

/// `add` and `remove` against a local HTTP server, through the built binary.
@Suite struct UpkeepAddTests {
    let directory: URL
    let server: UpkeepServer
    let config: String

    init() throws {
        directory = try CLI.temporaryDirectory()
        let site = directory.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        server = try UpkeepServer(serving: site)
        try server.write(Upkeep.rss(title: "Berita Aceh — Terkini", prefix: "aceh", count: 3), to: "rss")
        try server.write(Upkeep.rss(title: "Kanal Sport", prefix: "sport", count: 2), to: "kanal/sport/atom.xml")
        try server.write(Upkeep.rss(title: "Kanal Ekonomi", prefix: "eko", count: 2), to: "ekonomi.rss")
        // A portal's home page in a sub-folder, advertising three feeds with relative and absolute hrefs.
        try server.write(
            """
            <!DOCTYPE html><html><head><meta charset="utf-8"><title>Portal</title>
            <link rel="alternate" type="application/rss+xml" title="Semua berita" href="../rss">
            <link rel="alternate" type="application/atom+xml" title="Sport" href="sport/atom.xml">
            <link rel="alternate" type="application/rss+xml" title="Ekonomi" href="\(server.url("/ekonomi.rss"))">
            </head><body><h1>Portal</h1></body></html>
            """, to: "kanal/index.html")
        try server.write(
            "<html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/rss\"></head></html>",
            to: "one/index.html")
        try server.write(
            "<html><head><title>No feeds here</title></head><body>hi</body></html>", to: "plain/index.html")
        config = directory.appendingPathComponent("feeds.toml").path
        try "# my feeds\n[settings]\ntimezone = \"Asia/Jakarta\"\n".write(
            toFile: config, atomically: true, encoding: .utf8)
    }

    func configText() throws -> String { try String(contentsOfFile: config, encoding: .utf8) }

    @Test func addsAFeedByItsURLNamedAfterItsTitle() throws {
        let result = try Upkeep.run([
            "--config", config, "add", server.url("/rss"), "--tag", "aceh", "--tag", "regional",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("added 'berita-aceh-terkini'"), "\(result.stdout)")
        let text = try configText()
        #expect(text.hasPrefix("# my feeds\n[settings]\ntimezone = \"Asia/Jakarta\"\n"))
        #expect(
            text.contains(
                "name = \"berita-aceh-terkini\"\nurl = \"\(server.url("/rss"))\"\ntitle = \"Berita Aceh — Terkini\"\ntags = [\"aceh\", \"regional\"]"
            ))
        // The same feed again is refused, and the config stays as it was.
        let again = try Upkeep.run(["--config", config, "add", server.url("/rss/")])
        #expect(again.status == 1)
        #expect(again.stderr.contains("is already in \(config) as 'berita-aceh-terkini'"), "\(again.stderr)")
        #expect(try configText() == text)
    }

    @Test func listsSeveralFeedsAndAsksForPickWithoutATerminal() throws {
        let before = try configText()
        let result = try Upkeep.run(["--config", config, "add", server.url("/kanal/")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("offers 3 feeds; pass --pick N"), "\(result.stderr)")
        // Relative hrefs come out resolved against the page.
        #expect(result.stdout.contains("1  Semua berita  \(server.url("/rss"))"), "\(result.stdout)")
        #expect(result.stdout.contains("2  Sport  \(server.url("/kanal/sport/atom.xml"))"), "\(result.stdout)")
        #expect(result.stdout.contains("3  Ekonomi  \(server.url("/ekonomi.rss"))"), "\(result.stdout)")
        #expect(try configText() == before)

        let picked = try Upkeep.run([
            "--config", config, "add", server.url("/kanal/"), "--pick", "2", "--name", "sport",
        ])
        #expect(picked.status == 0, "\(picked.stderr)")
        #expect(
            try configText().contains(
                "name = \"sport\"\nurl = \"\(server.url("/kanal/sport/atom.xml"))\"\ntitle = \"Kanal Sport\""))

        let outOfRange = try Upkeep.run(["--config", config, "add", server.url("/kanal/"), "--pick", "4"])
        #expect(outOfRange.status == 1)
        #expect(outOfRange.stderr.contains("--pick 4:"), "\(outOfRange.stderr)")
    }

    /// On a terminal (a pseudo-terminal made by util-linux `script`), `add` asks, re-asks after a bad answer,
    /// and adds the feed chosen.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func asksWhichFeedOnATerminal() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        let command = [CLI.binary.path, "--config", config, "--no-color", "add", server.url("/kanal/")].joined(
            separator: " ")
        process.arguments = ["-qec", command, "/dev/null"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data("9\n3\n".utf8))
        try input.fileHandleForWriting.close()  // an end, so a wrong prompt cannot wait forever
        let transcript = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(transcript)")
        #expect(transcript.components(separatedBy: "add which one? [1-3]").count - 1 == 2, "\(transcript)")
        #expect(try configText().contains("url = \"\(server.url("/ekonomi.rss"))\""))
    }

    @Test func takesThePagesOnlyFeedWithoutAsking() throws {
        let result = try Upkeep.run(["--config", config, "add", server.url("/one/")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try configText().contains("url = \"\(server.url("/rss"))\""))
    }

    @Test func reportsPagesWithoutFeedsAndMissingPages() throws {
        let before = try configText()
        let plain = try Upkeep.run(["--config", config, "add", server.url("/plain/")])
        #expect(plain.status == 1)
        #expect(plain.stderr.contains("the page advertises no feed"), "\(plain.stderr)")
        #expect(plain.stderr.split(separator: "\n").count == 1)
        let missing = try Upkeep.run(["--config", config, "add", server.url("/gone.xml")])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("gone.xml: HTTP 404"), "\(missing.stderr)")
        let badName = try Upkeep.run(["--config", config, "add", server.url("/rss"), "--name", "Bad Name"])
        #expect(badName.status != 0)
        #expect(try configText() == before)
    }

    @Test func removesAFeedAndKeepsTheRestOfTheFile() throws {
        #expect(try Upkeep.run(["--config", config, "add", server.url("/rss"), "--name", "aceh"]).status == 0)
        #expect(
            try Upkeep.run(["--config", config, "add", server.url("/ekonomi.rss"), "--name", "ekonomi"]).status == 0)
        let removed = try Upkeep.run(["--config", config, "remove", "aceh"])
        #expect(removed.status == 0, "\(removed.stderr)")
        let text = try configText()
        #expect(!text.contains("name = \"aceh\""))
        #expect(text.contains("name = \"ekonomi\"") && text.hasPrefix("# my feeds\n"))
        let unknown = try Upkeep.run(["--config", config, "remove", "ekonomy"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("did you mean 'ekonomi'?"), "\(unknown.stderr)")
    }
}
