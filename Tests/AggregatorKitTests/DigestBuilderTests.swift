import Foundation
import Store
import Testing

@testable import AggregatorKit

@Suite struct DigestBuilderTests {
    @Test func ranksByPortalsThenRecencyAndGroupsSinglesByPortal() throws {
        let fixture = try DigestFixture()
        defer { fixture.remove() }
        let digest = try fixture.digest()
        // Three portals first; among two-portal stories the more recent (cluster 3, 09:00Z) before cluster 2 (05:00Z).
        #expect(digest.stories.map(\.cluster) == [1, 3, 2])
        #expect(digest.stories.map(\.portalCount) == [3, 2, 2])
        #expect(digest.singles.map(\.group) == ["Alpha News", "Delta"])
        // Within a group, newest first.
        #expect(digest.singles.first?.entries.map(\.cluster) == [5, 4])
    }

    @Test func listsEverySourceEarliestFirstWithItsOwnTitleWhenItDiffers() throws {
        let fixture = try DigestFixture()
        defer { fixture.remove() }
        let summit = try #require(try fixture.digest().stories.first)
        #expect(summit.sources.map(\.portal) == ["Alpha News", "Beta Daily", "Gamma Post"])
        #expect(summit.sources.map(\.titleDiffers) == [false, true, false])
        // The lead comes from the most complete copy (beta's), cut at a sentence boundary.
        #expect(summit.lead.hasPrefix("JAKARTA - The summit opened"))
        #expect(summit.updated == Date(timeIntervalSince1970: Double(DigestFixture.time("2025-08-08T06:05:00Z"))))
    }

    @Test func leadSkipsParagraphsThatAreNotProseAndCutsAtASentence() throws {
        let fixture = try DigestFixture()
        defer { fixture.remove() }
        let summit = try #require(try fixture.digest().stories.first)
        #expect(
            summit.lead
                == "JAKARTA - The summit opened on Friday with leaders from five countries. Talks went on late. The ministers agreed on a joint statement about trade and energy. Observers said the next round would follow in September."
        )
        let long = String(repeating: "Word word word word word word. ", count: 20)
        let lead = DigestBuilder.cut(long.trimmingCharacters(in: .whitespaces), limit: 100)
        #expect(lead == "Word word word word word word. Word word word word word word. Word word word word word word.")
        #expect(DigestBuilder.cut(String(repeating: "longword ", count: 30), limit: 40).hasSuffix("longword…"))
    }

    @Test func keepsOnlyHTTPLinks() throws {
        let fixture = try DigestFixture()
        defer { fixture.remove() }
        let summit = try #require(try fixture.digest().stories.first)
        #expect(summit.sources.map(\.link) == ["https://alpha.example/summit", "https://beta.example/a?x=1&y=2", nil])
        #expect(DigestBuilder.safeLink("JavaScript:alert(1)") == nil)
        #expect(DigestBuilder.safeLink(" data:text/html,x") == nil)
        #expect(DigestBuilder.safeLink("https://a.example/\"><script>") == "https://a.example/%22%3E%3Cscript%3E")
        #expect(DigestBuilder.safeLink("HTTP://A.example/x y") == "HTTP://A.example/x%20y")
    }

    @Test func minSourcesHidesStoriesWithFewerPortals() throws {
        let fixture = try DigestFixture()
        defer { fixture.remove() }
        let two = try fixture.digest(minSources: 2)
        #expect(two.stories.map(\.cluster) == [1, 3, 2])
        #expect(two.singles.isEmpty)
        let three = try fixture.digest(minSources: 3)
        #expect(three.stories.map(\.cluster) == [1])
    }

    @Test func groupsSinglesByTagWhenAsked() throws {
        let fixture = try DigestFixture()
        defer { fixture.remove() }
        let digest = try fixture.digest(groups: ["alpha": "markets", "delta": "night"])
        #expect(digest.singles.map(\.group) == ["markets", "night"])
    }

    @Test func dayWindowFollowsTheConfiguredTimeZone() throws {
        let jakarta = try #require(DigestBuilder.dayWindow("2025-08-08", timeZone: DigestFixture.timeZone))
        #expect(RFC3339.format(jakarta.0) == "2025-08-07T17:00:00Z")
        #expect(RFC3339.format(jakarta.1) == "2025-08-08T17:00:00Z")
        let eastern = try #require(TimeZone(identifier: "America/New_York"))
        let newYork = try #require(DigestBuilder.dayWindow("2025-03-09", timeZone: eastern))
        // The day clocks jump forward is 23 hours long.
        #expect(newYork.1.timeIntervalSince(newYork.0) == 23 * 3600)
        #expect(DigestBuilder.dayWindow("2025-02-30", timeZone: .gmt) == nil)
        #expect(DigestBuilder.dayWindow("2025-8-8", timeZone: .gmt) == nil)
    }

    @Test func includesTheDaysFirstAndLastSecondOnly() throws {
        let fixture = try DigestFixture()
        defer { fixture.remove() }
        let clusters = Set(try fixture.digest().singles.flatMap(\.entries).map(\.cluster))
        #expect(clusters.isSuperset(of: [4, 6]))  // 00:00:00 and 23:59:59 local
        #expect(clusters.isDisjoint(with: [7, 8]))  // a second before, and the next day's midnight
        // In UTC the same instants fall on other days: the 8th runs from 00:00Z, so 17:00Z (cluster 8) is in it
        // and the Jakarta midnight (cluster 4, 17:00Z on the 7th) is not.
        let utc = Set(try fixture.digest(timeZone: .gmt).singles.flatMap(\.entries).map(\.cluster))
        #expect(utc.isSuperset(of: [6, 8]) && utc.isDisjoint(with: [4, 7]))
        let utcSeventh = Set(try fixture.digest("2025-08-07", timeZone: .gmt).singles.flatMap(\.entries).map(\.cluster))
        #expect(utcSeventh == [4, 7])
    }

    @Test func anEmptyDayHasNoStories() throws {
        let fixture = try DigestFixture()
        defer { fixture.remove() }
        let digest = try fixture.digest("2025-08-01")
        #expect(digest.isEmpty)
    }
}
