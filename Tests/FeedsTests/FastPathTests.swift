@testable import Feeds
import Testing

/// The byte-level fast paths must agree with the slow paths they shortcut.
@Suite struct FastPathTests {
    @Test(arguments: [UInt8(0x09), 0x0A, 0x0D, 0x01, 0x08, 0x0B, 0x1F, 0x00])
    func cleanUTF8ChecksControlBytesAtEveryOffset(_ control: UInt8) {
        let allowed = control == 0x09 || control == 0x0A || control == 0x0D
        for offset in 0..<24 {
            var b = Array(repeating: UInt8(ascii: "a"), count: 24)
            b[offset] = control
            #expect(b.withUnsafeBufferPointer { Charset.isCleanUTF8($0) } == allowed, "offset \(offset)")
        }
    }

    @Test(arguments: [
        "", " ", " \n\t\r ", "a", " a ", "\r\na b\r\n", " \u{301}x ", "x\u{301} ", " é ", "\u{600} ", " \u{600}x",
        "\t\u{200D} ", " \u{1F600} ",
    ])
    func trimmingMatchesTheCharacterLoop(_ s: String) {
        #expect(String(s.trimmingASCIISpace()) == String(s.trimmingASCIISpaceByCharacter()))
        let sub = ("#" + s + "#").dropFirst().dropLast()
        #expect(String(sub.trimmingASCIISpace()) == String(sub.trimmingASCIISpaceByCharacter()))
    }

    @Test func tagNamesLookUpCaseInsensitivelyAndRejectLongNames() {
        let table = TagNameTable<Int>([("p", 1), ("blockquote", 2), ("figcaption", 3), ("a", 4)])
        #expect(table[TagName("P")] == 1)
        #expect(table[TagName("BlockQuote")] == 2)
        #expect(table[TagName("figcaption")] == 3)
        #expect(table[TagName("b")] == nil)
        #expect(table[TagName("aa")] == nil)
        #expect(table[TagName("figcaptionfigcaption")] == nil)
        #expect(TagName("Span").string == "span")
    }

    @Test(arguments: ["/a/b.jpg", "a.b/c", "./a", "../a", "a/./b", "a/../b", "a/.", "a/..", ".", "..", "a/.b/..c", "/x/y..",
        "/", "/..", "/.", "a//b/../c", "a/b/../../..", "/a/b/c/./../../g", "mid/content=5/../6", "a/b/..", "//..//./x/"])
    func dotSegmentsAreRemovedOnlyWhenPresent(_ path: String) {
        var fast: [UInt8] = []
        var slow: [UInt8] = []
        Array(path.utf8).withUnsafeBufferPointer { URLBytes.appendRemovingDots($0, to: &fast) }
        URLBytes.appendRemovingDots(Array(path.utf8), to: &slow)
        #expect(fast == slow)
    }
}
