import Foundation
import Testing

@testable import AggregatorKit

@Suite struct ConfigTests {
    func parse(_ text: String, path: String = "/srv/news/feeds.toml") throws(ConfigError) -> Config {
        try Config.parse(text, path: path)
    }

    func error(_ text: String) -> String {
        do {
            _ = try parse(text)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func readsFeedsSettingsAndResolvesRelativePaths() throws {
        let config = try parse(
            """
            [settings]
            database = "data/news.sqlite"
            concurrency = 8
            timezone = "Asia/Jakarta"
            timeout = "1m"

            [[feeds]]
            name = "serambinews"
            url = "https://aceh.tribunnews.com/rss"
            title = "Serambinews"
            tags = ["aceh", "regional"]
            interval = "30m"

            [[feeds]]
            name = "local"
            url = "snapshots/local.xml"
            """)
        #expect(config.settings.concurrency == 8)
        #expect(config.settings.timeout == 60)
        #expect(config.settings.timeZone.identifier == "Asia/Jakarta")
        #expect(config.settings.database == "data/news.sqlite")
        #expect(config.feeds.map(\.name) == ["serambinews", "local"])
        #expect(config.feeds[0].tags == ["aceh", "regional"])
        #expect(config.feeds[0].interval == 1800)
        #expect(config.feeds[1].resolvedURL == "file:///srv/news/snapshots/local.xml")
    }

    @Test func rejectsUnknownKeyWithLineAndSuggestion() {
        let message = error(
            """
            [[feeds]]
            name = "a"
            urll = "https://example.com/rss"
            """)
        #expect(message == "/srv/news/feeds.toml:3: unknown key 'urll' in [[feeds]] #1 (did you mean 'url'?)")
    }

    @Test func rejectsDuplicateFeedNames() {
        let message = error(
            """
            [[feeds]]
            name = "a"
            url = "https://example.com/rss"

            [[feeds]]
            name = "a"
            url = "https://example.org/rss"
            """)
        #expect(message == "/srv/news/feeds.toml:5: duplicate feed name 'a' (feeds #1 and #2)")
    }

    @Test func rejectsMissingURL() {
        #expect(error("[[feeds]]\nname = \"a\"\n") == "/srv/news/feeds.toml:1: feed 'a' has no url")
    }

    @Test func rejectsInvalidURL() {
        let message = error("[[feeds]]\nname = \"a\"\nurl = \"ftp://example.com/feed\"\n")
        #expect(message.hasPrefix("/srv/news/feeds.toml:3: feed 'a' url is not valid"))
        let noHost = error("[[feeds]]\nname = \"a\"\nurl = \"https:///feed\"\n")
        #expect(noHost.hasPrefix("/srv/news/feeds.toml:3: feed 'a' url is not valid"))
    }

    @Test func rejectsWrongValueTypeNamingIt() {
        #expect(
            error("[settings]\nconcurrency = \"many\"\n")
                == "/srv/news/feeds.toml:2: [settings] concurrency must be an integer, not a string")
        #expect(
            error("[[feeds]]\nname = \"a\"\nurl = \"https://e.com/\"\ntags = \"x\"\n")
                == "/srv/news/feeds.toml:4: feed 'a' tags must be an array of strings, not a string")
    }

    @Test func reportsSyntaxErrorsWithTheirLine() {
        let message = error("[settings]\nconcurrency = = 3\n")
        #expect(message.hasPrefix("/srv/news/feeds.toml:2: syntax error"))
    }

    @Test func rejectsBadFeedNamesAndDurations() {
        #expect(error("[[feeds]]\nname = \"Has Space\"\nurl = \"https://e.com/\"\n").contains("must be 1-64 characters"))
        #expect(error("[[feeds]]\nname = \"a\"\nurl = \"https://e.com/\"\ninterval = \"soon\"\n").contains("is not a duration"))
        #expect(error("[settings]\ntimezone = \"Mars/Olympus\"\n").contains("not a known time zone"))
    }

    @Test func reportsAMissingFileInOneLine() {
        do {
            _ = try Config.load(path: "/nonexistent/feeds.toml")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "/nonexistent/feeds.toml: no such file")
        }
    }

    @Test func parsesDurations() {
        #expect(DurationText.seconds("90m") == 5400)
        #expect(DurationText.seconds("24h") == 86_400)
        #expect(DurationText.seconds("7d") == 604_800)
        #expect(DurationText.seconds("1h30m") == 5400)
        #expect(DurationText.seconds("soon") == nil)
        #expect(DurationText.seconds("15") == nil)
        #expect(DurationText.seconds("") == nil)
    }
}
