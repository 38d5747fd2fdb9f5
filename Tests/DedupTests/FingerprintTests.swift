import Testing

@testable import Dedup

@Suite struct FingerprintTests {
    let dedup = Deduplicator()

    func sample() -> Fingerprint {
        dedup.fingerprint(
            DedupDocument(
                feed: "f", title: "Gubernur Aceh Resmikan Jembatan Baru",
                text: syntheticArticle(seed: 9).joined(separator: "\n")),
            boilerplate: nil)
    }

    @Test func roundTripsThroughItsBlob() throws {
        let fp = sample()
        let decoded = try Fingerprint(encoded: fp.encoded())
        #expect(decoded == fp)
        #expect(fp.signature.count == 128)
        #expect(fp.bandKeys.count == DedupSettings().bands)
        #expect(!fp.titleKeys.isEmpty && !fp.leadKeys.isEmpty)
    }

    @Test func rejectsTruncatedAndForeignBlobs() {
        let blob = sample().encoded()
        #expect(throws: DedupError.self) { try Fingerprint(encoded: Array(blob.dropLast(3))) }
        #expect(throws: DedupError.self) { try Fingerprint(encoded: [9] + blob.dropFirst()) }
        #expect(throws: DedupError.self) { try Fingerprint(encoded: []) }
        #expect(throws: DedupError.self) { try Fingerprint(encoded: blob + [0]) }
    }

    @Test func isIdenticalAcrossInstances() {
        #expect(
            sample()
                == Deduplicator(settings: DedupSettings()).fingerprint(
                    DedupDocument(
                        feed: "other", title: "Gubernur Aceh Resmikan Jembatan Baru",
                        text: syntheticArticle(seed: 9).joined(separator: "\n")),
                    boilerplate: nil))
    }

    @Test func titleOnlyItemHasNoTextKeys() {
        let fp = dedup.fingerprint(DedupDocument(feed: "f", title: "Banjir di Jakarta", text: ""), boilerplate: nil)
        #expect(fp.isEmptyText && fp.bandKeys.isEmpty && fp.leadKeys.isEmpty && fp.textHash == 0)
        #expect(fp.titleKeys.count == 1)
    }

    @Test(arguments: [
        ("https://www.Example.com/a/b/?utm_source=rss&utm_medium=feed#top", "https://example.com/a/b"),
        ("https://example.com/a/b?id=3&fbclid=XYZ", "https://example.com/a/b?id=3"),
        ("http://example.com/", "http://example.com"),
    ])
    func canonicalizesURLs(url: String, expected: String) {
        #expect(Deduplicator.canonicalURL(url) == expected)
    }

    @Test(arguments: [
        ("https://www.Example.com/a/?utm_source=rss#top", "http://example.com/a"),
        ("https://example.com/a", "https://example.com/b"),
        ("https://example.com/a//", "https://example.com/a"),
        ("https://example.com/", "https://example.com"),
        ("example.com/x://y", "example.com/x://z"),
        ("https://example.com/a?id=1", "https://example.com/a?id=2"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2&fbclid=x"),
        ("\u{00A0}https://example.com/a", "https://example.com/a"),
        ("https://example.com/A", "https://example.com/a"),
        ("https://example.com/a#x?y", "https://example.com/a"),
    ])
    func comparesLinksAsTheirCanonicalFormsDo(a: String, b: String) {
        #expect(Deduplicator.sameCanonicalURL(a, b) == (Deduplicator.canonicalURL(a) == Deduplicator.canonicalURL(b)))
        #expect(Deduplicator.sameCanonicalURL(b, a) == Deduplicator.sameCanonicalURL(a, b))
    }
}
