import Foundation
import Store
import Testing

@testable import AggregatorKit

@Suite struct DigestClusterViewTests {
    @Test func marksEachLineSharedEditedOrOwnAgainstTheRepresentative() throws {
        let fixture = try DigestFixture()
        defer { fixture.remove() }
        let view = DigestClusterView(
            cluster: try #require(try fixture.store.cluster(id: 1)), portalNames: DigestFixture.portals)
        #expect(view.members.map(\.portal) == ["Alpha News", "Beta Daily", "Gamma Post"])
        #expect(view.members.map(\.isRepresentative) == [false, true, false])

        let alpha = view.members[0]
        #expect(alpha.lines.map(\.status) == [.edited, .shared, .own])
        #expect(
            alpha.lines.map(\.text) == [
                "ALPHA - The summit opened on Friday with leaders from five countries. Talks went on late.",
                "The ministers agreed on a joint statement about trade and energy.", "Read more at Alpha",
            ])
        // "Baca juga" and the closing paragraph of the representative are not in alpha's copy.
        #expect(alpha.missingLines == 2)

        let beta = view.members[1]
        #expect(beta.lines.count == 4 && beta.lines.allSatisfy { $0.status == .shared } && beta.missingLines == 0)

        // Gamma has no content: its summary is its one line, a shortened first paragraph.
        let gamma = view.members[2]
        #expect(gamma.lines.map(\.status) == [.edited])
        #expect(gamma.link == nil)
    }

    @Test func splitsContentIntoParagraphsOnBlockTags() {
        let html =
            "<div><p>One &amp; <b>two</b></p>three<br/>four<BR>five<ul><li>six</li><li>seven</li></ul></div><h2 class=x>eight</h2>"
        #expect(
            DigestClusterView.paragraphs(fromHTML: html) == [
                "One & two", "three", "four", "five", "six", "seven", "eight",
            ])
        #expect(DigestClusterView.paragraphs(fromHTML: "<p> </p><p></p>").isEmpty)
        // Inline tags whose names start like block tags do not split.
        #expect(DigestClusterView.paragraphs(fromHTML: "<p>a <pre-x>b</pre-x> <bdi>c</bdi></p>") == ["a b c"])
    }

    @Test func comparesLinesIgnoringCaseSpacingAndPunctuation() {
        #expect(DigestClusterView.key("  Hello, World!  ") == DigestClusterView.key("hello world"))
        #expect(DigestClusterView.overlap(["a", "b", "c", "d"], ["a", "b", "c", "e"]) == 0.75)
        #expect(DigestClusterView.overlap([], ["a"]) == 0)
    }
}
