import CFeedBytes
@testable import Feeds
import Foundation
import Testing

/// `cfb_cdata_lift` takes CDATA sections out of libxml2's way only where it reads the document exactly as libxml2
/// does; everything else stays for libxml2.
@Suite struct CDATALiftTests {
    /// The lifted document, and each lifted section's text.
    func lift(_ document: String) -> (out: String, sections: [String]) {
        var out = cfb_buf()
        var sections = cfb_buf()
        defer {
            cfb_buf_free(&out)
            cfb_buf_free(&sections)
        }
        return Array(document.utf8).withUnsafeBufferPointer { b in
            let count = cfb_cdata_lift(b.baseAddress, b.count, &out, &sections)
            guard count > 0, let o = out.bytes, let s = sections.bytes else { return ("", []) }
            let list = UnsafeBufferPointer(
                start: UnsafeRawPointer(s).assumingMemoryBound(to: cfb_cdata_section.self), count: count)
            return (
                String(decoding: UnsafeBufferPointer(start: o, count: out.count), as: UTF8.self),
                list.map { String(decoding: UnsafeBufferPointer(start: $0.bytes, count: $0.count), as: UTF8.self) }
            )
        }
    }

    @Test func replacesSectionsOfTheRootsContentWithNumberedInstructions() {
        let r = lift("<?xml version=\"1.0\"?>\n<!-- c -->\n<rss a=\"1\" b='x>y'><i><t><![CDATA[A <b>&</b>]]></t>"
            + "<d><![CDATA[one\ntwo\n]]></d><e/></i></rss>")
        #expect(r.sections == ["A <b>&</b>", "one\ntwo\n"])
        #expect(r.out == "<?xml version=\"1.0\"?>\n<!-- c -->\n<rss a=\"1\" b='x>y'><i><t><?cfb 0?></t>"
            + "<d><?cfb 1\n\n?></d><e/></i></rss>")
    }

    @Test func liftsNothingWithADocumentTypeDeclaration() {
        #expect(lift("<!DOCTYPE rss [<!ENTITY x \"<![CDATA[y]]>\">]><rss><a><![CDATA[z]]></a></rss>").sections.isEmpty)
    }

    @Test func liftsNothingWhenThePrologHasAnInstructionLikeAPlaceholder() {
        #expect(lift("<?cfb 0?><rss><a><![CDATA[z]]></a></rss>").sections.isEmpty)
        #expect(lift("<?xml-stylesheet href=\"s.xsl\"?><rss><a><![CDATA[z]]></a></rss>").sections == ["z"])
    }

    /// libxml2 skips a broken XML declaration to the next `>`: an instruction in the prolog is only read to its
    /// `?>` when nothing else could end it, and only with a name for a target.
    @Test func liftsNothingAfterAnInstructionLibxml2MightEndElsewhere() {
        for prolog in ["<?xml >", "<?xml version=\"1.0\" a<b?>", "<?123?>", "<?xml\u{1}?>", "<?:x?>", "<?x"] {
            #expect(lift("\(prolog)<rss><a><![CDATA[?>]]></a><b><![CDATA[z]]></b></rss>").sections.isEmpty, "\(prolog)")
        }
        #expect(lift("<?xml version=\"1.0\" encoding=\"utf-8\"?><?x?><rss><a><![CDATA[z]]></a></rss>").sections == ["z"])
    }

    @Test func liftsNothingBeforeTheRootOrAfterIt() {
        #expect(lift("<![CDATA[a]]><rss></rss>").sections.isEmpty)
        #expect(lift("<rss><a><![CDATA[b]]></a></rss><![CDATA[c]]>").sections == ["b"])
        #expect(lift("<rss/><![CDATA[c]]>").sections.isEmpty)
    }

    @Test func readsCommentsAsCommentsNotSections() {
        let r = lift("<rss><!-- <![CDATA[ not one ]]> --><a><![CDATA[one]]></a></rss>")
        #expect(r.sections == ["one"])
    }

    @Test func stopsAtTheFirstMarkupItDoesNotReadExactly() {
        // Each of these is followed by a section that libxml2 must read itself.
        let stops = [
            "<?pi x?>", "<a b>", "<a b=c>", "<a b=\"1\"c=\"2\">", "<a b=\"<\">", "< a>", "<é>", "</a >x</b>",
            "<!-- a -- b -->", "<!ELEMENT x>", "<a:b:c>", "<a\u{0}>",
        ]
        for s in stops {
            let r = lift("<rss><x><![CDATA[before]]></x>\(s)<y><![CDATA[after]]></y></rss>")
            #expect(r.sections == ["before"], "\(s)")
            #expect(r.out.hasSuffix("\(s)<y><![CDATA[after]]></y></rss>"), "\(s)")
        }
    }

    @Test func leavesSectionsLibxml2WouldComplainAboutToLibxml2() {
        for bad in ["a\u{1}b", "\u{FFFE}", "x\u{FFFF}y"] {
            #expect(lift("<rss><a><![CDATA[\(bad)]]></a><b><![CDATA[fine]]></b></rss>").sections.isEmpty, "\(bad)")
        }
        var invalid = Array("<rss><a><![CDATA[".utf8) + [0xC3, 0x28] + Array("]]></a></rss>".utf8)
        var out = cfb_buf()
        var sections = cfb_buf()
        defer {
            cfb_buf_free(&out)
            cfb_buf_free(&sections)
        }
        #expect(invalid.withUnsafeMutableBufferPointer { cfb_cdata_lift($0.baseAddress, $0.count, &out, &sections) } == 0)
        #expect(lift("<rss><a><![CDATA[tab\tcr\r\u{85}\u{FFFD}]]></a></rss>").sections == ["tab\tcr\r\u{85}\u{FFFD}"])
    }

    @Test func leavesAnUnterminatedSectionToLibxml2() {
        let r = lift("<rss><a><![CDATA[x]]></a><b><![CDATA[never ends</b></rss>")
        #expect(r.sections == ["x"])
        #expect(r.out == "<rss><a><?cfb 0?></a><b><![CDATA[never ends</b></rss>")
    }

    @Test func stopsDeeperThanTwoHundredElements() {
        let deep = String(repeating: "<d>", count: 205) + "<![CDATA[deep]]>"
        #expect(lift("<rss><a><![CDATA[x]]></a>\(deep)</rss>").sections == ["x"])
    }

    @Test func stopsAtNamesAndValuesLongerThanItReads() {
        let name = String(repeating: "n", count: 1001)
        #expect(lift("<rss><a><![CDATA[x]]></a><\(name)><![CDATA[y]]></\(name)></rss>").sections == ["x"])
        let short = String(repeating: "n", count: 1000)
        #expect(lift("<rss><a><![CDATA[x]]></a><\(short)><![CDATA[y]]></\(short)></rss>").sections == ["x", "y"])
        let value = String(repeating: "v", count: 1 << 20)
        #expect(lift("<rss><a><![CDATA[x]]></a><b c=\"\(value)\"><![CDATA[y]]></b></rss>").sections == ["x"])
        #expect(lift("<rss><a><![CDATA[\(value)]]></a><b><![CDATA[y]]></b></rss>").sections == ["\(value)", "y"])
        #expect(lift("<rss><a><![CDATA[\(value)v]]></a><b><![CDATA[y]]></b></rss>").sections.isEmpty)
    }

    @Test func skipsALeadingByteOrderMark() {
        #expect(lift("\u{FEFF}<rss><a><![CDATA[x]]></a></rss>").sections == ["x"])
    }
}

extension CDATALiftTests {
    @Test(arguments: [true, false])
    func findsForbiddenCharactersAndCountsLineFeedsAtEveryOffset(avx2: Bool) {
        let was = cfb_use_avx2(avx2 ? 1 : 0)
        defer { _ = cfb_use_avx2(was) }
        for at in 0..<80 {
            var text = Array(repeating: UInt8(ascii: "a"), count: 80)
            text[at] = 0x0B
            let bad = String(decoding: text, as: UTF8.self)
            #expect(lift("<rss><a><![CDATA[\(bad)]]></a></rss>").sections.isEmpty, "control at \(at)")
            text[at] = 0x0A
            text[79 - at] = 0x0A
            let lines = String(decoding: text, as: UTF8.self)
            let r = lift("<rss><a><![CDATA[\(lines)]]></a></rss>")
            #expect(r.sections == [lines], "line feed at \(at)")
            let feeds = at == 79 - at ? 1 : 2
            #expect(r.out == "<rss><a><?cfb 0" + String(repeating: "\n", count: feeds) + "?></a></rss>", "line feed at \(at)")
            let nonCharacter = String(repeating: "é", count: at / 2) + "\u{FFFF}" + String(repeating: "b", count: 60)
            #expect(lift("<rss><a><![CDATA[\(nonCharacter)]]></a></rss>").sections.isEmpty, "U+FFFF at \(at)")
        }
    }
}
