import Foundation
import Testing

/// The offline demo, end to end: fetch the bundled seed snapshots, then read clusters and the digest.
@Suite(.serialized) struct SeedsTests {
    let config = CLI.root.appendingPathComponent("seeds/feeds.toml").path

    func fetchSeeds() throws -> String {
        let db = try CLI.temporaryDirectory().appendingPathComponent("seeds.sqlite").path
        let result = try CLI.run(["--config", config, "--db", db, "fetch"])
        #expect(result.status == 0, "fetch failed: \(result.stderr)")
        #expect(result.stdout.contains("fetched 6 feeds"), "\(result.stdout)")
        #expect(result.stdout.contains("6 ok, 0 not modified, 0 failed"), "\(result.stdout)")
        return db
    }

    func clusters(_ db: String) throws -> [[String: Any]] {
        let result = try CLI.run(["--config", config, "--db", db, "clusters", "--format", "json", "--all", "--min-size", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try #require(json as? [[String: Any]])
    }

    func feeds(of cluster: [String: Any]) -> Set<String> {
        Set(((cluster["items"] as? [[String: Any]]) ?? []).compactMap { $0["feed"] as? String })
    }

    func cluster(containing titleFragment: String, feed: String, in clusters: [[String: Any]]) -> [String: Any]? {
        clusters.first { cluster in
            ((cluster["items"] as? [[String: Any]]) ?? []).contains {
                ($0["feed"] as? String) == feed && (($0["title"] as? String) ?? "").contains(titleFragment)
            }
        }
    }

    @Test func groupsTheSeedStorysCopiesAndKeepsOtherStoriesApart() throws {
        let db = try fetchSeeds()
        let all = try clusters(db)
        let seed = try #require(cluster(containing: "Putin Telepon Xi Jinping", feed: "serambinews", in: all))
        #expect(feeds(of: seed).isSuperset(of: ["serambinews", "tribunnews"]))
        // Similarity is to the representative (Serambinews' full text, whichever copy was stored first): the
        // edited syndicated copy is close but not identical, the teaser is wholly contained.
        let similarity = Dictionary(
            uniqueKeysWithValues: ((seed["items"] as? [[String: Any]]) ?? []).compactMap { item in
                (item["feed"] as? String).map { ($0, (item["similarity"] as? Double) ?? -1) }
            })
        #expect(similarity["serambinews"] == 1.0)
        #expect((similarity["tribunnews"] ?? 0) > 0.8 && (similarity["tribunnews"] ?? 1) < 1.0)
        #expect((similarity["tribun-medan"] ?? 0) >= 0.9)
        // The same-topic story on the same day (a drone strike in Russia) stays apart.
        let drone = try #require(cluster(containing: "Serangan Drone", feed: "serambinews", in: all))
        #expect((drone["id"] as? Int) != (seed["id"] as? Int))
        #expect(feeds(of: drone) == ["serambinews"])
        // Trump's tariff threat (same topic, TRIBUNnews) stays apart too.
        let tariff = try #require(cluster(containing: "Trump Ancam Tarif", feed: "tribunnews", in: all))
        #expect(feeds(of: tariff) == ["tribunnews"])
        // The earthquake story is shared by Kompas and ANTARA.
        let quake = try #require(cluster(containing: "Gempa", feed: "kompas", in: all))
        #expect(feeds(of: quake) == ["kompas", "antaranews"])
        // Every stored item belongs to exactly one cluster.
        let ids = all.flatMap { (($0["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? Int } }
        #expect(ids.count == Set(ids).count)
        #expect(ids.count == 13)
    }

    @Test func digestShowsTheSeedStoryOnceNamingBothPortals() throws {
        let db = try fetchSeeds()
        let result = try CLI.run(["--config", config, "--db", db, "digest", "--date", "2025-08-08", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let digest = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let stories = try #require(digest["stories"] as? [[String: Any]])
        let seedStories = stories.filter { (($0["headline"] as? String) ?? "").contains("Putin Telepon Xi Jinping") }
        #expect(seedStories.count == 1)
        let portals = Set(((seedStories.first?["sources"] as? [[String: Any]]) ?? []).compactMap { $0["portal"] as? String })
        #expect(portals.isSuperset(of: ["Serambinews", "TRIBUNnews"]))

        let text = try CLI.run(["--config", config, "--db", db, "digest", "--date", "2025-08-08"])
        #expect(text.status == 0)
        #expect(text.stdout.components(separatedBy: "Putin Telepon Xi Jinping dan 3 Kepala Negara Lainnya").count - 1 == 1)
        #expect(text.stdout.contains("Serambinews") && text.stdout.contains("TRIBUNnews"))
    }

    @Test func secondFetchAddsNothing() throws {
        let db = try fetchSeeds()
        let again = try CLI.run(["--config", config, "--db", db, "fetch", "--force"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("0 new items, 0 new stories"), "\(again.stdout)")
    }
}
