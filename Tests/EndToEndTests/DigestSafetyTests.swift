import Foundation
import Testing

/// Headless Chromium (Debian's `chromium`), when installed: `Scripts/install-deps --test` installs it.
enum Browser {
    static let path: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for directory in directories {
                let candidate = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }()

    static let missing = "chromium is not installed (apt-get install chromium, or Scripts/install-deps --test)"

    /// The DOM of `file` after its scripts (if any) ran, as `chromium --dump-dom` serializes it.
    static func dumpDOM(_ file: URL) throws -> String {
        let browser = try #require(path)
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=3000", "--dump-dom"]
        // A browser that hangs must not hang the suite: coreutils' timeout ends it after a minute.
        let hasTimeout = FileManager.default.isExecutableFile(atPath: "/usr/bin/timeout")
        let result =
            hasTimeout
            ? try Tool.run("/usr/bin/timeout", ["60", browser] + flags + [file.absoluteString])
            : try Tool.run(browser, flags + [file.absoluteString])
        #expect(result.status == 0, "chromium failed (\(result.status)): \(result.stderr.suffix(500))")
        return result.stdout
    }
}

/// Runs a program other than `aggregator` and captures its output.
enum Tool {
    static func run(_ executable: String, _ arguments: [String]) throws -> CLI.Result {
        try CLI.execute(URL(fileURLWithPath: executable), arguments)
    }

    /// Whether `python3 -c "import module"` works.
    static func hasPython(module: String) -> Bool {
        (try? run("/usr/bin/env", ["python3", "-c", "import \(module)"]).status) == 0
    }
}

/// Feeds full of hostile payloads (`Fixtures/hostile`), rendered in every format and opened in a real browser.
@Suite(.serialized) struct DigestSafetyTests {
    let config = CLI.root.appendingPathComponent("Tests/EndToEndTests/Fixtures/hostile/feeds.toml").path

    /// A fresh database with the hostile feeds fetched.
    func fetchHostile() throws -> (folder: URL, db: String) {
        let folder = try CLI.temporaryDirectory()
        let db = folder.appendingPathComponent("hostile.sqlite").path
        let result = try CLI.run(["--config", config, "--db", db, "fetch"])
        #expect(result.status == 0, "\(result.stderr)")
        return (folder, db)
    }

    /// Every element and attribute that could run script, in a serialized DOM (escaped text cannot match: its
    /// `<` is `&lt;` there).
    static func activeMarkup(in dom: String) -> [String] {
        let patterns = [
            #"<script"#, #"<iframe"#, #"<svg"#, #"<object"#, #"<embed"#, #"<math"#, #"<meta http-equiv="refresh""#,
            #"<[^>]*\son[a-z]+\s*="#, #"(href|src|action)\s*=\s*"\s*(javascript|data|vbscript):"#,
            #"<[^>]*\sstyle\s*="#, #"<[^>]*\ssrcdoc\s*="#,
        ]
        return patterns.filter { dom.range(of: $0, options: [.regularExpression, .caseInsensitive]) != nil }
    }

    /// The pages with their Content-Security-Policy removed, so the test checks our escaping rather than the
    /// browser's enforcement of the policy.
    func withoutCSP(_ file: URL) throws -> URL {
        let html = try String(contentsOf: file, encoding: .utf8)
        #expect(html.contains("Content-Security-Policy"), "the page lost its Content-Security-Policy")
        let stripped = html.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("Content-Security-Policy") }.joined(separator: "\n")
        let copy = file.deletingLastPathComponent().appendingPathComponent("nocsp-" + file.lastPathComponent)
        try Data(stripped.utf8).write(to: copy)
        return copy
    }

    @Test(.enabled(if: Browser.path != nil, Comment(rawValue: Browser.missing)))
    func noPayloadRunsInTheBrowser() throws {
        let (folder, db) = try fetchHostile()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The control: the same browser run on an unescaped payload must show it ran, or this test proves nothing.
        let control = folder.appendingPathComponent("control.html")
        try Data(
            "<html><head><title>ok</title></head><body><img src=x onerror=\"document.title='PWNED'\"></body></html>"
                .utf8
        ).write(to: control)
        #expect(try Browser.dumpDOM(control).contains("<title>PWNED</title>"))

        let site = folder.appendingPathComponent("site")
        let written = try CLI.run([
            "--config", config, "--db", db, "digest", "--date", "2025-08-11", "--output-dir", site.path,
        ])
        #expect(written.status == 0, "\(written.stderr)")
        let pages = try FileManager.default.contentsOfDirectory(atPath: site.path).filter { $0.hasSuffix(".html") }
            .sorted()
        #expect(pages == ["cluster-1.html", "index.html"])
        for page in pages {
            let dom = try Browser.dumpDOM(try withoutCSP(site.appendingPathComponent(page)))
            let title = dom.range(of: #"<title>[^<]*</title>"#, options: .regularExpression).map { String(dom[$0]) }
            #expect(
                title
                    == (page == "index.html"
                        ? "<title>Digest for 2025-08-11</title>" : "<title>Harbour reopens after storm</title>"))
            #expect(!dom.contains(#"data-pwned="1""#), "\(page): a payload ran")
            #expect(Self.activeMarkup(in: dom).isEmpty, "\(page): \(Self.activeMarkup(in: dom))")
            // The payloads are there, as text.
            #expect(dom.contains("&lt;script&gt;document.title='PWNED'&lt;/script&gt;"), "\(page)")
        }
    }

    @Test func everyFormatEscapesThePayloads() throws {
        let (folder, db) = try fetchHostile()
        defer { try? FileManager.default.removeItem(at: folder) }
        func digest(_ format: String) throws -> String {
            let result = try CLI.run([
                "--config", config, "--db", db, "digest", "--date", "2025-08-11", "--format", format,
            ])
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout
        }
        let html = try digest("html")
        #expect(Self.activeMarkup(in: html).isEmpty, "\(Self.activeMarkup(in: html))")
        #expect(!html.contains("PWNED'</script>"))
        let markdown = try digest("markdown")
        // No "<" opens a tag: each is escaped, except the "(<" and ">)" around our own link destinations.
        let unescaped = markdown.replacingOccurrences(of: "](<https://", with: "](https://")
            .range(of: #"(?<!\\)<[a-zA-Z/!?]"#, options: .regularExpression)
        #expect(unescaped == nil, "\(markdown)")
        #expect(!markdown.contains("](javascript") && !markdown.contains("](<javascript"))
        #expect(markdown.contains("\\<script\\>"))
        let atom = try digest("atom")
        #expect(!atom.contains("<script") && !atom.contains("<img") && !atom.lowercased().contains("\"javascript:"))
        // Mustache tags inside feed text stay text: nothing from a feed is ever parsed as a template.
        #expect(try digest("text").contains("{{title}} {{{title}}} {{> style}} mustache in a title"))
    }

    @Test func atomParsesBackWithOurOwnParser() throws {
        let (folder, db) = try fetchHostile()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("digest.atom").path
        for (config, day) in [
            (config, "2025-08-11"), (CLI.root.appendingPathComponent("seeds/feeds.toml").path, "2025-08-08"),
        ] {
            let database = config == self.config ? db : folder.appendingPathComponent("seeds.sqlite").path
            if database != db { #expect(try CLI.run(["--config", config, "--db", database, "fetch"]).status == 0) }
            let written = try CLI.run([
                "--config", config, "--db", database, "digest", "--date", day, "--format", "atom", "--output", file,
            ])
            #expect(written.status == 0, "\(written.stderr)")
            let parsed = try CLI.run(["parse", "--format", "json", file])
            #expect(parsed.status == 0, "\(parsed.stderr)")
            #expect(parsed.stderr.isEmpty, "the parser warned: \(parsed.stderr)")
            let feed = try #require(try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String: Any])
            #expect(feed["format"] as? String == "atom10")
            let digest = try CLI.run([
                "--config", config, "--db", database, "digest", "--date", day, "--format", "json",
            ])
            let model = try #require(try JSONSerialization.jsonObject(with: Data(digest.stdout.utf8)) as? [String: Any])
            let stories =
                (model["stories"] as? [[String: Any]] ?? [])
                + (model["single_source"] as? [[String: Any]] ?? []).flatMap { $0["stories"] as? [[String: Any]] ?? [] }
            let items = try #require(feed["items"] as? [[String: Any]])
            #expect(items.map { $0["title"] as? String } == stories.map { $0["headline"] as? String })
            #expect(
                items.map { $0["id"] as? String }
                    == stories.map { "tag:aggregator,2025:cluster/\($0["cluster"] as? Int ?? -1)" })
        }
    }

    @Test(
        .enabled(
            if: Tool.hasPython(module: "feedparser"), "python3 feedparser is not installed (pip install feedparser)"))
    func atomParsesBackWithFeedparser() throws {
        let (folder, db) = try fetchHostile()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("digest.atom").path
        #expect(
            try CLI.run([
                "--config", config, "--db", db, "digest", "--date", "2025-08-11", "--format", "atom", "--output", file,
            ]).status == 0)
        let script = """
            import feedparser, json, sys
            d = feedparser.parse(sys.argv[1])
            print(json.dumps({"bozo": bool(d.bozo), "version": d.version, "ids": [e.id for e in d.entries],
                "titles": [e.title for e in d.entries], "links": [e.link for e in d.entries],
                "updated": [e.updated for e in d.entries]}))
            """
        let result = try Tool.run("/usr/bin/env", ["python3", "-c", script, file])
        #expect(result.status == 0, "\(result.stderr)")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(parsed["bozo"] as? Bool == false)
        #expect(parsed["version"] as? String == "atom10")
        #expect(parsed["ids"] as? [String] == ["tag:aggregator,2025:cluster/1"])
        #expect(parsed["titles"] as? [String] == ["Harbour reopens after storm"])
        #expect(parsed["links"] as? [String] == ["https://evil.example/harbour"])
    }
}
