import Feeds
import Foundation
import Testing

/// One fixture file per behaviour. Each carries its expectations in `Expect:` lines (in a leading XML comment,
/// or in a sidecar `NAME.expect` file for fixtures whose bytes cannot hold ASCII comments), checked field by
/// field against the JSON that `aggregator parse --format json` prints:
///
///     Expect: items[0].title = "Banjir"          a JSON value at a path of the output
///     Expect: items.count = 2                     number of items
///     Expect: error = "got an HTML page, not a feed"
///     Expect: warnings > 0                        at least one recovery warning
///     URL: http://example.org/feed.xml            the document URL (default http://example.org/feed)
///     Content-Type: text/xml; charset=utf-8       the HTTP header, when the case needs one
struct FixtureCase: CustomTestStringConvertible, Sendable {
    let path: String
    var testDescription: String { path }

    static func all() -> [FixtureCase] {
        guard let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil),
            let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        else { return [] }
        var out: [FixtureCase] = []
        for case let url as URL in e where !url.hasDirectoryPath && url.pathExtension != "expect"
            && url.lastPathComponent != ".keep" && !url.path.contains("/fuzz/")
        {
            out.append(FixtureCase(path: String(url.path.dropFirst(root.path.count + 1))))
        }
        return out.sorted { $0.path < $1.path }
    }
}

struct Expectation {
    let path: String
    let op: String
    let value: String
}

func expectations(of text: String) -> (list: [Expectation], url: String?, contentType: String?) {
    var list: [Expectation] = []
    var url: String?
    var contentType: String?
    for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
        let l = line.trimmingCharacters(in: .whitespaces)
        if l.hasPrefix("URL:") {
            url = l.dropFirst(4).trimmingCharacters(in: .whitespaces)
        } else if l.hasPrefix("Content-Type:") {
            contentType = l.dropFirst(13).trimmingCharacters(in: .whitespaces)
        } else if l.hasPrefix("Expect:") {
            let body = l.dropFirst(7).trimmingCharacters(in: .whitespaces)
            for op in [" = ", " > ", " contains ", " !contains "] {
                if let r = body.range(of: op) {
                    list.append(Expectation(path: String(body[..<r.lowerBound]), op: op.trimmingCharacters(in: .whitespaces),
                                            value: String(body[r.upperBound...])))
                    break
                }
            }
        }
    }
    return (list, url, contentType)
}

/// The value at `path` ("items[0].enclosures[1].url", "items.count") of a JSON object.
func lookup(_ root: Any, _ path: String) -> Any? {
    var cur: Any? = root
    for part in path.split(separator: ".") {
        var name = Substring(part)
        var indexes: [Int] = []
        while let open = name.lastIndex(of: "["), name.hasSuffix("]") {
            guard let k = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) else { return nil }
            indexes.insert(k, at: 0)
            name = name[..<open]
        }
        if name == "count", let a = cur as? [Any] {
            cur = a.count
            continue
        }
        guard let o = cur as? [String: Any] else { return nil }
        cur = o[String(name)]
        for k in indexes {
            guard let a = cur as? [Any], k < a.count else { return nil }
            cur = a[k]
        }
    }
    return cur
}

func jsonEqual(_ a: Any?, _ b: Any?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case (is NSNull, nil), (nil, is NSNull), (is NSNull, is NSNull): return true
    case (let x as String, let y as String): return x == y
    case (let x as NSNumber, let y as NSNumber): return x == y
    case (let x as [Any], let y as [Any]): return x.count == y.count && zip(x, y).allSatisfy { jsonEqual($0, $1) }
    case (let x as [String: Any], let y as [String: Any]):
        return x.count == y.count && x.allSatisfy { jsonEqual($0.value, y[$0.key]) }
    default: return false
    }
}

/// The text holding a fixture's `Expect:` lines: its sidecar, else its first 4 KiB.
func fixtureHeader(_ path: String, _ bytes: [UInt8]) throws -> String {
    if let sidecar = Bundle.module.url(forResource: "Fixtures/" + path + ".expect", withExtension: nil) {
        return try String(contentsOf: sidecar, encoding: .utf8)
    }
    return String(decoding: bytes.prefix(4096), as: UTF8.self)
}

@Suite struct FixtureTests {
    @Test(arguments: FixtureCase.all())
    func matchesItsExpectations(_ fixture: FixtureCase) throws {
        let bytes = try fixtureBytes(fixture.path)
        let header = try fixtureHeader(fixture.path, bytes)
        let (list, url, contentType) = expectations(of: header)
        try #require(!list.isEmpty, "fixture \(fixture.path) has no Expect: lines")
        var object: Any = [String: Any]()
        var warnings: [String] = []
        do {
            let parsed = try FeedParser.parse(bytes, contentType: contentType, url: url ?? "http://example.org/feed")
            warnings = parsed.warnings
            object = try JSONSerialization.jsonObject(with: Data(parsed.feed.jsonData(pretty: false)))
        } catch let e as FeedError {
            object = ["error": e.description]
        }
        for e in list {
            if e.path == "warnings" {
                if e.op == "contains" {
                    let needle = (try? JSONSerialization.jsonObject(with: Data(e.value.utf8), options: [.fragmentsAllowed])) as? String
                    #expect(warnings.contains { $0.contains(needle ?? "\u{0}") }, "\(fixture.path): warnings \(warnings)")
                } else {
                    #expect(warnings.count > (Int(e.value) ?? 0), "\(fixture.path): warnings \(warnings)")
                }
                continue
            }
            let actual = lookup(object, e.path)
            let expected = try JSONSerialization.jsonObject(with: Data(e.value.utf8), options: [.fragmentsAllowed])
            switch e.op {
            case "=":
                #expect(jsonEqual(actual, expected), "\(fixture.path): \(e.path) is \(String(describing: actual)), expected \(e.value)")
            case "contains", "!contains":
                let hay = (actual as? String) ?? ""
                let needle = (expected as? String) ?? "\u{0}"
                #expect(hay.contains(needle) == (e.op == "contains"), "\(fixture.path): \(e.path) = \(hay)")
            default:
                Issue.record("unknown operator \(e.op)")
            }
        }
    }

    /// CDATA sections lifted out of libxml2's way (`cfb_cdata_lift`) or left to it: the same feed, warnings and
    /// errors.
    @Test(arguments: FixtureCase.all())
    func parsesTheSameWithCDATALeftToLibxml2(_ fixture: FixtureCase) throws {
        let bytes = try fixtureBytes(fixture.path)
        let header = try fixtureHeader(fixture.path, bytes)
        let (_, url, contentType) = expectations(of: header)
        func outcome(_ lifts: Bool) -> String {
            FeedParser.outcome(
                bytes, contentType: contentType, url: url ?? "http://example.org/feed", options: ParseOptions(liftsCDATA: lifts))
        }
        #expect(outcome(true) == outcome(false), "\(fixture.path)")
    }
}
