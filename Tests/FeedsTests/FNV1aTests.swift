import Testing

@testable import Feeds

/// Item keys and stored content hashes are FNV-1a 64: the values must never change (a changed hash would make
/// every stored item look edited).
@Suite struct FNV1aTests {
    static func hash(_ parts: String...) -> UInt64 {
        var h = FNV1a()
        for part in parts { h.add(part) }
        return h.value
    }

    @Test func matchesTheReferenceValues() {
        #expect(Self.hash("") == 0xcbf2_9ce4_8422_2325)
        #expect(Self.hash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(Self.hash("foobar") == 0x8594_4171_f739_67e8)
        #expect(Self.hash("foo", "bar") == Self.hash("foobar"))
    }

    @Test func hashesTheUTF8OfAnyString() {
        // A substring's copy, a long text and non-ASCII text give what byte-by-byte hashing gives.
        let text = String(repeating: "Banjir rendam desa — ", count: 300) + "é"
        var reference: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            reference ^= UInt64(b)
            reference = reference &* 0x100_0000_01b3
        }
        #expect(Self.hash(text) == reference)
        #expect(Self.hash(String(text.dropFirst(7))) == Self.hash(String(text.utf8.dropFirst(7)) ?? ""))
    }
}
