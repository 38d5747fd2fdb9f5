import Foundation
import Testing

@testable import AggregatorKit

@Suite struct ConfigEditorTests {
    let original = """
        # My feeds. Keep this comment.
        [settings]
        timezone = "Asia/Jakarta"   # local time

        # Aceh's portal
        [[feeds]]
        name = "serambinews"
        url = "https://aceh.tribunnews.com/rss"
        tags = [
          "aceh",   # multi-line arrays stay intact
        ]

        # The national one
        [[feeds]]
        name = 'tribunnews'
        url = "https://www.tribunnews.com/rss"

        [dedup]
        window_days = 3
        """

    func temporaryFile(_ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("editor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("feeds.toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func appendsAfterTheUsersTextKeepingEveryByte() throws {
        let path = try temporaryFile(original)
        let config = try ConfigEditor.append(
            [
                NewFeed(
                    name: "kompas", url: "https://www.kompas.com/rss", title: "Kompas \"Daily\"\\", tags: ["nasional"])
            ],
            toFile: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix(original + "\n"))
        #expect(config.feeds.map(\.name) == ["serambinews", "tribunnews", "kompas"])
        #expect(config.feeds.last?.title == "Kompas \"Daily\"\\")
        #expect(config.settings.timeZone.identifier == "Asia/Jakarta")
    }

    @Test func removesOneBlockWithItsCommentAndNothingElse() throws {
        let path = try temporaryFile(original)
        let config = try ConfigEditor.remove(feed: "serambinews", fromFile: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(config.feeds.map(\.name) == ["tribunnews"])
        #expect(!text.contains("Aceh's portal") && !text.contains("multi-line"))
        #expect(text.contains("# My feeds. Keep this comment.") && text.contains("# The national one"))
        #expect(text.contains("timezone = \"Asia/Jakarta\"   # local time") && text.contains("window_days = 3"))
        // The literal-string name is found too, and the [dedup] table after it survives.
        let after = try ConfigEditor.remove(feed: "tribunnews", fromFile: path)
        #expect(after.feeds.isEmpty)
        #expect(after.dedup.values["window_days"] == 3)
    }

    @Test func changesNothingWhenTheEditWouldBreakTheConfig() throws {
        let path = try temporaryFile(original)
        #expect(throws: ConfigError.self) {
            try ConfigEditor.append([NewFeed(name: "serambinews", url: "https://dup.example/rss")], toFile: path)
        }
        #expect(throws: ConfigError.self) { try ConfigEditor.remove(feed: "nope", fromFile: path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == original)
        let leftovers = try FileManager.default.contentsOfDirectory(
            atPath: (path as NSString).deletingLastPathComponent)
        #expect(leftovers == ["feeds.toml"])
    }

    @Test func editsTheTargetOfASymlink() throws {
        let path = try temporaryFile(original)
        let link = (path as NSString).deletingLastPathComponent + "/link.toml"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        _ = try ConfigEditor.append([NewFeed(name: "kompas", url: "https://www.kompas.com/rss")], toFile: link)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == path)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("name = \"kompas\""))
    }
}
