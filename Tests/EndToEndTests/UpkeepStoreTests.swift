import Foundation
import Testing

/// `search`, retention (`fetch` with keep, `prune`), `backup` and `stats` through the built binary.
@Suite struct UpkeepStoreTests {
    let seeds = CLI.root.appendingPathComponent("seeds/feeds.toml").path

    func fetchSeeds() throws -> String {
        let db = try CLI.temporaryDirectory().appendingPathComponent("seeds.sqlite").path
        let result = try Upkeep.run(["--config", seeds, "--db", db, "fetch"])
        #expect(result.status == 0, "\(result.stderr)")
        return db
    }

    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    @Test func searchShowsTheSyndicatedSeedStoryOnce() throws {
        let db = try fetchSeeds()
        let result = try Upkeep.run(["--config", seeds, "--db", db, "search", "putin", "xi", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let stories = try #require(try json(result.stdout) as? [[String: Any]])
        #expect(stories.count == 1)
        let feeds = Set((stories.first?["feeds"] as? [String]) ?? [])
        #expect(feeds.isSuperset(of: ["serambinews", "tribunnews"]))
        #expect(((stories.first?["items"] as? [[String: Any]]) ?? []).count == feeds.count)

        let text = try Upkeep.run(["--config", seeds, "--db", db, "search", "putin"])
        #expect(text.stdout.contains("[Putin]"), "\(text.stdout)")
        let none = try Upkeep.run(["--config", seeds, "--db", db, "search", "zzzyxq"])
        #expect(none.status == 0 && none.stdout.contains("no stories match"))
    }

    @Test func fetchPrunesByKeepAndPruneReportsWhatItRemoved() throws {
        let directory = try CLI.temporaryDirectory()
        let seedsFolder = CLI.root.appendingPathComponent("seeds").path
        var text = try String(contentsOfFile: seeds, encoding: .utf8)
        text = text.replacingOccurrences(of: "url = \"", with: "url = \"\(seedsFolder)/")
        let config = directory.appendingPathComponent("feeds.toml").path
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let db = directory.appendingPathComponent("db.sqlite").path
        #expect(try Upkeep.run(["--config", config, "--db", db, "fetch"]).status == 0)

        // Retention off: prune refuses to guess.
        let off = try Upkeep.run(["--config", config, "--db", db, "prune"])
        #expect(off.status == 1 && off.stderr.contains("retention is off"), "\(off.stderr)")
        Thread.sleep(forTimeInterval: 2.1)  // times are whole seconds: 2 s apart is surely past 1 s
        let dry = try Upkeep.run(["--config", config, "--db", db, "prune", "--older-than", "1s", "--dry-run"])
        #expect(dry.stdout.hasPrefix("would remove 13 items (10 stories gone"), "\(dry.stdout)")

        // keep = 1s: the next fetch prunes everything stored before it, at its end.
        try (text.replacingOccurrences(of: "[settings]", with: "[settings]\nkeep = \"1s\"")).write(
            toFile: config, atomically: true, encoding: .utf8)
        #expect(try String(contentsOfFile: config, encoding: .utf8).contains("keep = \"1s\""))
        let fetch = try Upkeep.run(["--config", config, "--db", db, "fetch", "--force"])
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(fetch.stdout.contains("; pruned 13 old items"), "\(fetch.stdout)")
        let stats = try #require(
            try json(Upkeep.run(["--config", config, "--db", db, "stats", "--format", "json"]).stdout) as? [String: Any]
        )
        #expect(stats["items"] as? Int == 0)
        #expect(stats["clusters"] as? Int == 0)
    }

    @Test func statsCountsCopiesAndPortals() throws {
        let db = try fetchSeeds()
        let result = try Upkeep.run(["--config", seeds, "--db", db, "stats", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let stats = try #require(try json(result.stdout) as? [String: Any])
        #expect(stats["items"] as? Int == 13)
        #expect(stats["feeds"] as? Int == 6)
        #expect((stats["syndicated_copies"] as? Int ?? 0) >= 2)
        #expect((stats["shared_stories"] as? Int ?? 0) >= 2)
        let days = try #require(stats["per_day"] as? [[String: Any]])
        #expect(days.map { $0["items"] as? Int ?? 0 }.reduce(0, +) == 13)
        let text = try Upkeep.run(["--config", seeds, "--db", db, "stats"])
        #expect(text.stdout.contains("top portals"))
    }

    @Test func backupIsConsistentWhileAFetchWrites() throws {
        // 120 portals of 50 items each, served from files: a fetch that writes for a while (long enough for a
        // backup to overlap it even now that fetch stores several thousand items a second).
        let portals = 120, perFeed = 50
        let directory = try CLI.temporaryDirectory()
        var config = "[settings]\nconcurrency = 4\n"
        for index in 0..<portals {
            let name = "portal\(index)"
            try Upkeep.rss(title: "Portal \(index)", prefix: name, count: perFeed, link: "https://\(name).example/")
                .write(to: directory.appendingPathComponent("\(name).xml"), atomically: true, encoding: .utf8)
            config += "\n[[feeds]]\nname = \"\(name)\"\nurl = \"\(name).xml\"\n"
        }
        let configPath = directory.appendingPathComponent("feeds.toml").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let db = directory.appendingPathComponent("live.sqlite").path
        // A first small fetch creates the database.
        #expect(try Upkeep.run(["--config", configPath, "--db", db, "fetch", "--feed", "portal0"]).status == 0)

        let fetch = Process()
        fetch.executableURL = CLI.binary
        fetch.arguments = ["--config", configPath, "--db", db, "--quiet", "fetch", "--force"]
        fetch.standardInput = FileHandle.nullDevice
        fetch.standardOutput = FileHandle.nullDevice
        try fetch.run()
        var backups = 0, duringFetch = 0
        var counts: [Int] = []
        repeat {
            let running = fetch.isRunning
            let copy = directory.appendingPathComponent("backup-\(backups).sqlite").path
            let result = try Upkeep.run(["--db", db, "backup", copy])
            #expect(result.status == 0, "\(result.stderr)")
            let stats = try json(Upkeep.run(["--db", copy, "stats", "--format", "json"]).stdout) as? [String: Any]
            counts.append(stats?["items"] as? Int ?? -1)
            backups += 1
            if running && fetch.isRunning { duringFetch += 1 }
        } while fetch.isRunning && backups < 50
        fetch.waitUntilExit()
        #expect(fetch.terminationStatus == 0)
        #expect(duringFetch >= 1, "no backup overlapped the fetch")
        // Every copy holds whole feeds only: each feed's items are committed in one transaction.
        #expect(counts.allSatisfy { $0 >= perFeed && $0 % perFeed == 0 && $0 <= portals * perFeed }, "\(counts)")
        let final = directory.appendingPathComponent("final.sqlite").path
        #expect(try Upkeep.run(["--db", db, "backup", final]).status == 0)
        let stats = try json(Upkeep.run(["--db", final, "stats", "--format", "json"]).stdout) as? [String: Any]
        #expect(stats?["items"] as? Int == portals * perFeed)
        // An existing file is not replaced without --force.
        let refused = try Upkeep.run(["--db", db, "backup", final])
        #expect(refused.status == 1 && refused.stderr.contains("exists; pass --force"))
    }
}
