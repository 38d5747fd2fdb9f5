import Foundation
import Testing

/// `digest`, `cluster` and `clusters` on the seeds, through the built binary.
@Suite(.serialized) struct DigestCommandTests {
    let config = CLI.root.appendingPathComponent("seeds/feeds.toml").path

    func fetchSeeds() throws -> (folder: URL, db: String) {
        let folder = try CLI.temporaryDirectory()
        let db = folder.appendingPathComponent("seeds.sqlite").path
        let result = try CLI.run(["--config", config, "--db", db, "fetch"])
        #expect(result.status == 0, "\(result.stderr)")
        return (folder, db)
    }

    @Test func outputReplacesTheFileAtomically() throws {
        let (folder, db) = try fetchSeeds()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("digest.html")
        let old = String(repeating: "the previous digest\n", count: 1000)
        try Data(old.utf8).write(to: file)
        // A reader that opened the old file keeps reading the whole old file: the new one is renamed over it,
        // never written into it.
        let reader = try FileHandle(forReadingFrom: file)
        defer { try? reader.close() }
        let result = try CLI.run([
            "--config", config, "--db", db, "digest", "--date", "2025-08-08", "--format", "html", "--output", file.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(String(decoding: try reader.readToEnd() ?? Data(), as: UTF8.self) == old)
        let new = try String(contentsOf: file, encoding: .utf8)
        #expect(new.hasPrefix("<!DOCTYPE html>") && new.hasSuffix("</html>\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp") }.isEmpty)

        let missing = try CLI.run([
            "--config", config, "--db", db, "digest", "--date", "2025-08-08", "--output", "/nonexistent/dir/d.txt",
        ])
        #expect(missing.status != 0)
        #expect(missing.stderr.split(separator: "\n").count == 1, "\(missing.stderr)")
    }

    @Test func aCopiedBinaryNeedsNoResourcesBesideIt() throws {
        let (folder, db) = try fetchSeeds()
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("aggregator")
        try FileManager.default.copyItem(at: CLI.binary, to: copy)
        for format in ["text", "markdown", "html"] {
            let result = try Tool.run(
                copy.path, ["--config", config, "--db", db, "digest", "--date", "2025-08-08", "--format", format])
            #expect(result.status == 0, "\(format): \(result.stderr)")
            #expect(result.stdout.contains("Putin Telepon Xi Jinping"))
        }
    }

    @Test func anEmptyDaySaysSo() throws {
        let (folder, db) = try fetchSeeds()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The seeds are from 2025: nothing was published in the last day.
        let recent = try CLI.run(["--config", config, "--db", db, "digest", "--since", "24h"])
        #expect(recent.status == 0 && recent.stdout.contains("No stories for the last 24h."), "\(recent.stdout)")
        let both = try CLI.run(["--config", config, "--db", db, "digest", "--since", "24h", "--date", "2025-08-08"])
        #expect(both.status != 0 && both.stderr == "aggregator: use either --date or --since, not both\n")
        for format in ["text", "markdown", "html"] {
            let result = try CLI.run([
                "--config", config, "--db", db, "digest", "--date", "2025-08-01", "--format", format,
            ])
            #expect(result.status == 0)
            #expect(result.stdout.contains("No stories for 2025-08-01."), "\(format): \(result.stdout)")
        }
    }

    @Test func outputDirWritesLinkedPages() throws {
        let (folder, db) = try fetchSeeds()
        defer { try? FileManager.default.removeItem(at: folder) }
        let site = folder.appendingPathComponent("site")
        let result = try CLI.run([
            "--config", config, "--db", db, "digest", "--date", "2025-08-08", "--output-dir", site.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "wrote 3 page(s) to \(site.path)\n")
        let index = try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8)
        let pages = try FileManager.default.contentsOfDirectory(atPath: site.path).filter { $0.hasPrefix("cluster-") }
        #expect(pages.count == 2)
        for page in pages {
            #expect(index.contains("href=\"\(page)\""))
            let html = try String(contentsOf: site.appendingPathComponent(page), encoding: .utf8)
            #expect(html.contains("<a href=\"index.html\">"))
        }
        let both = try CLI.run([
            "--config", config, "--db", db, "digest", "--output-dir", site.path, "--format", "json",
        ])
        #expect(both.status != 0 && both.stderr == "aggregator: --output-dir writes html pages; drop --format\n")
    }

    @Test func clusterShowsSharedAndOwnLinesOfEachCopy() throws {
        let (folder, db) = try fetchSeeds()
        defer { try? FileManager.default.removeItem(at: folder) }
        let list = try CLI.run([
            "--config", config, "--db", db, "clusters", "--all", "--search", "Putin Telepon", "--format", "json",
        ])
        let clusters = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let id = try #require(clusters.first?["id"] as? Int)
        let text = try CLI.run(["--config", config, "--db", db, "cluster", String(id)])
        #expect(text.status == 0, "\(text.stderr)")
        // TRIBUNnews' copy has its own "Baca juga" lines and footer, and an edited dateline.
        #expect(
            text.stdout.contains("    + Baca juga: Zelensky Tolak Serahkan Wilayah Ukraina dalam Perundingan Damai"))
        #expect(text.stdout.contains("    ~ TRIBUNNEWS.COM - Presiden Rusia Vladimir Putin"))
        #expect(text.stdout.contains("    = Panggilan telepon kedua pemimpin itu terjadi atas permintaan pihak Rusia."))

        let json = try CLI.run(["--config", config, "--db", db, "cluster", String(id), "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let items = try #require(object["items"] as? [[String: Any]])
        #expect(items.filter { $0["representative"] as? Bool == true }.count == 1)
        let statuses = Set(
            items.flatMap { ($0["lines"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String } })
        #expect(statuses == ["shared", "edited", "own"])

        let page = folder.appendingPathComponent("cluster.html")
        let html = try CLI.run([
            "--config", config, "--db", db, "cluster", String(id), "--format", "html", "--output", page.path,
        ])
        #expect(html.status == 0, "\(html.stderr)")
        let written = try String(contentsOf: page, encoding: .utf8)
        #expect(
            written.contains(
                "<li class=\"own\">Baca juga: Zelensky Tolak Serahkan Wilayah Ukraina dalam Perundingan Damai</li>"))
    }

    @Test func minSourcesAndTemplatesFromTheCommandLine() throws {
        let (folder, db) = try fetchSeeds()
        defer { try? FileManager.default.removeItem(at: folder) }
        let three = try CLI.run([
            "--config", config, "--db", db, "digest", "--date", "2025-08-08", "--min-sources", "3",
        ])
        #expect(three.stdout.contains("1 story carried by several portals"))
        #expect(!three.stdout.contains("Only on") && !three.stdout.contains("Gempa"))
        let template = folder.appendingPathComponent("t.mustache")
        try Data("{{#stories}}{{portal_count}} {{headline}}\n{{/stories}}".utf8).write(to: template)
        let custom = try CLI.run([
            "--config", config, "--db", db, "digest", "--date", "2025-08-08", "--format", "markdown", "--template",
            template.path,
        ])
        #expect(
            custom.stdout.hasPrefix(
                "3 Putin Telepon Xi Jinping dan 3 Kepala Negara Lainnya, Minta Rapatkan Barisan, Apa yang Terjadi?\n2 Gempa"
            ))
        let missing = try CLI.run(["--config", config, "--db", db, "digest", "--template", "/nonexistent.mustache"])
        #expect(missing.status != 0 && missing.stderr == "aggregator: /nonexistent.mustache: cannot read template\n")
    }
}
