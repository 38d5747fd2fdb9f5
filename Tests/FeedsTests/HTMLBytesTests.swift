@testable import Feeds
import Foundation
import Testing

/// The C byte loops (`CFeedBytes`: sanitizer, plain text, clean-UTF-8 check) on their edge cases. The expected
/// strings are what the Swift implementation they replaced produced for the same input.
@Suite struct HTMLBytesTests {
    /// The item's (content, summary) when `html` is its `content:encoded`, read from http://example.com/dir/page.
    func read(_ html: String) throws -> (content: String?, summary: String?) {
        let escaped = html.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
        let doc = """
            <?xml version="1.0" encoding="utf-8"?><rss version="2.0" \
            xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title><item><title>t</title>\
            <link>http://example.com/dir/page</link><content:encoded>\(escaped)</content:encoded></item></channel></rss>
            """
        let item = try #require(try parseString(doc).feed.items.first)
        return (item.content, item.summary)
    }

    @Test(arguments: [
        (
            // Text keeps its references as written; plain text decodes them (C1 numbers as windows-1252).
            "<p>Tom &amp; Jerry &copy; &nosuch; &#150; &#x85; &#0; &amp &lt3 &#x1F600;</p>",
            "<p>Tom &amp; Jerry &copy; &nosuch; &#150; &#x85; &#0; &amp &lt3 &#x1F600;</p>",
            "Tom & Jerry \u{A9} &nosuch; \u{2013} \u{2026} \u{FFFD} & &lt3 \u{1F600}"
        ),
        (
            "a<!-- <script>x</script> -->b<!----><p>c</p><!-- unterminated <b>d</b>",
            "ab<p>c</p>",
            "ab c"
        ),
        (
            "x<![CDATA[ <b>bold?</b> & ]]>y<!DOCTYPE html><?php echo 1 ?>z",
            "x &lt;b&gt;bold?&lt;/b&gt; &amp; yz",
            "x <b>bold?</b> & yz"
        ),
        (
            "<a title=\"x > y\" href=\"/p?a=1&amp;b=2\">t</a><img alt='1>0' src=/i.png><b class=x>z</b>",
            "<a title=\"x > y\" href=\"http://example.com/p?a=1&amp;b=2\">t</a>"
                + "<img alt=\"1>0\" src=\"http://example.com/i.png\"><b>z</b>",
            "t z"
        ),
        (
            "<a href=\"javascript:alert(1)\">x</a><a href=\" JaVa&#x09;script:alert(1)\">y</a>"
                + "<a href=\"//evil.example/x\" onclick=\"steal()\">z</a><img src=\"data:image/svg+xml,&lt;svg&gt;\">"
                + "<img src=\"data:image/png;base64,AAAA\"><img srcset=\"a.jpg 1x, javascript:x 2x, /b.jpg 3x\">",
            "<a>x</a><a>y</a><a href=\"http://evil.example/x\">z</a><img><img src=\"data:image/png;base64,AAAA\">"
                + "<img srcset=\"http://example.com/dir/a.jpg 1x, http://example.com/b.jpg 3x\">",
            "xyz"
        ),
        (
            "<script>document.write(\"</scr\" + \"ipt>\")</script>after<style>p{}</style><SCRIPT>x</SCRIPT>end"
                + "<iframe src=x>in</iframe>",
            "afterend",
            "after end"
        ),
        (
            "<div><p>one<b>two</div>three</i><em>four",
            "<div><p>one<b>two</b></p></div>three<em>four</em>",
            "onetwo threefour"
        ),
        (
            // One-letter tags (the sanitizer's shortest path): kept, dropped, mismatched and upper-case end tags.
            "<p>a<b>b</p>c</b><u>d</i></u><x>e</x><s>f</S></s><q>g</q></p><br>h<p>i",
            "<p>a<b>b</b></p>c<u>d</u>e<s>f</s><q>g</q><br>h<p>i</p>",
            "ab cdefg h i"
        ),
        (
            "5 < 6 and 7 > 3 <3 </ > a</ b",
            "5 &lt; 6 and 7 &gt; 3 &lt;3 &lt;/ &gt; a&lt;/ b",
            "5 < 6 and 7 > 3 <3 </ > a</ b"
        ),
    ])
    func sanitizesAndStripsLikeBefore(_ html: String, _ content: String, _ summary: String) throws {
        let item = try read(html)
        #expect(item.content == content)
        #expect(item.summary == summary)
    }

    /// Text without markup, references or white space to collapse comes back as it is (the C fast path);
    /// anything else is still collapsed, decoded and stripped.
    @Test(arguments: [
        ("Plain title, with punctuation: 1/2 (x) \u{E9}\u{1F600}", "Plain title, with punctuation: 1/2 (x) \u{E9}\u{1F600}"),
        ("a", "a"), ("a b", "a b"), ("a  b", "a b"), (" a", "a"), ("a ", "a"), ("a\tb", "a b"), ("a\nb", "a b"),
        ("a\u{A0}b", "a b"), ("a\u{3000}b", "a b"), ("a\u{85}b", "a\u{2026}b"), ("a&amp;b", "a&b"), ("x<b>y</b>", "xy"),
        ("1 < 2", "1 < 2"), ("", ""), ("   ", ""),
    ])
    func plainTextOfTextWithoutMarkup(_ text: String, _ plain: String) {
        let b = Array(text.utf8)
        #expect(b.withUnsafeBufferPointer { FeedBytes.plainText($0, limit: Int.max) } == plain)
    }

    @Test func relativeURLsWithDotSegmentsAndProtocolRelativeOnesResolve() throws {
        let item = try read("<a href=\"/a/./b/../c?x=1#f\">1</a><a href='rel/p.jpg'>2</a><img src=\"HTTP://UP.example/I\">")
        #expect(
            item.content == "<a href=\"http://example.com/a/c?x=1#f\">1</a>"
                + "<a href=\"http://example.com/dir/rel/p.jpg\">2</a><img src=\"HTTP://UP.example/I\">")
    }

    @Test func invalidUTF8IsReplacedOrReadAsWindows1252() throws {
        func title(_ doc: [UInt8]) throws -> String? { try FeedParser.parse(doc).feed.items.first?.title }
        let head = Array("<rss version=\"2.0\"><channel><title>T</title><item><guid>g</guid><title>caf".utf8)
        let tail = Array("</title></item></channel></rss>".utf8)
        // é in latin-1, then C1 quotes in UTF-8 (windows-1252 read through latin-1), an emoji, a surrogate, U+FFFE.
        let body: [UInt8] = [0xE9, 0x20, 0xC2, 0x93, 0x71, 0xC2, 0x94, 0x20, 0xF0, 0x9F, 0x98, 0x80, 0x20, 0xED, 0xA0, 0x80,
                             0x7C, 0xEF, 0xBF, 0xBE, 0x7C]
        let declared = Array("<?xml version=\"1.0\" encoding=\"utf-8\"?>".utf8)
        #expect(try title(declared + head + body + tail) == "caf\u{FFFD} \u{201C}q\u{201D} \u{1F600} ||")
        #expect(try title(head + [0xE9, 0x20, 0xC2, 0x93, 0x71, 0xC2, 0x94] + tail) == "caf\u{E9} \u{201C}q\u{201D}")
    }

    /// Documents are parsed as they are when libxml2 can vouch for their UTF-8; sequences it decodes without a
    /// complaint (overlong forms in CDATA), C1 controls and control characters before the root still get repaired.
    @Test(arguments: [
        ([UInt8]([0xE0, 0x9F, 0xBF]), "a\u{FFFD}\u{FFFD}\u{FFFD}b", true, "a\u{E0}\u{178}\u{BF}b"),
        ([0xC1, 0xBF], "a\u{FFFD}\u{FFFD}b", true, "a\u{C1}\u{BF}b"),
        ([0xC2, 0x85], "a\u{2026}b", false, "a\u{2026}b"),
        ([0x80], "a\u{FFFD}b", true, "a\u{20AC}b"),
        ([0xC3, 0xA9], "a\u{E9}b", false, "a\u{E9}b"),
    ])
    func repairsWhatLibxml2LetsThrough(_ bad: [UInt8], _ summary: String, _ warns: Bool, _ leadSummary: String) throws {
        let head = Array(("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>T</title>"
            + "<item><guid>g</guid><description><![CDATA[<p>a").utf8)
        let tail = Array("b</p>]]></description></item></channel></rss>".utf8)
        let parsed = try FeedParser.parse(head + bad + tail)
        #expect(parsed.feed.items.first?.summary == summary)
        #expect(parsed.warnings == (warns ? ["invalid utf-8 byte sequences replaced"] : []))
        // A control character before the declaration: dropped, and the declaration no longer counts, so stray
        // bytes read as windows-1252 (as before).
        let lead = try FeedParser.parse(Array(" \u{1}\n".utf8) + head + bad + tail)
        #expect(lead.feed.items.first?.summary == leadSummary)
    }

    @Test func cleanUTF8CheckRejectsWhatMustBeRepaired() {
        func clean(_ b: [UInt8]) -> Bool { b.withUnsafeBufferPointer { Charset.isCleanUTF8($0) } }
        let pad = Array(repeating: UInt8(ascii: "a"), count: 40)
        #expect(clean(pad + Array("caf\u{E9} \u{1F600}\t\r\n".utf8) + pad))
        #expect(!clean([0xEF, 0xBB, 0xBF] + pad))  // byte-order mark
        for bad: [UInt8] in [[0xC2, 0x85], [0xED, 0xA0, 0x80], [0xEF, 0xBF, 0xBF], [0xC0, 0x80], [0xE0, 0x80, 0x80],
                             [0xF4, 0x90, 0x80, 0x80], [0xF5], [0x80], [0xE2, 0x82], [0x7F - 0x70]] {
            #expect(!clean(pad + bad + pad), "\(bad)")
            #expect(!clean(pad + bad), "\(bad) at the end")
        }
    }
}
