// libFuzzer entry point for the feed parser; built by Scripts/fuzz-parser with the Feeds sources.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Every content type path: none, a charset header, a JSON header.
    let contentTypes: [String?] = [nil, "application/rss+xml; charset=iso-8859-1", "application/json"]
    let ct = size > 0 ? contentTypes[Int(bytes[0]) % contentTypes.count] : nil
    // CDATA sections lifted out of libxml2's way (the default) or left to it: the same outcome, or a crash here.
    let url = "http://example.com/a/feed.xml"
    let lifted = FeedParser.outcome(bytes, contentType: ct, url: url, options: ParseOptions(liftsCDATA: true))
    if lifted != FeedParser.outcome(bytes, contentType: ct, url: url, options: ParseOptions(liftsCDATA: false)) {
        fatalError("lifting CDATA sections changed the result")
    }
    if let parsed = try? FeedParser.parse(bytes, contentType: ct, url: "http://example.com/a/feed.xml") {
        _ = parsed.feed.jsonData(pretty: false)
        // Strings are made from parsed bytes without the standard library's check (`FeedBytes.string(utf8:)`):
        // every one must hold valid UTF-8 all the same.
        let f = parsed.feed
        for s in [f.title, f.link, f.description, f.language, f.author, f.image].compactMap({ $0 }) { checkUTF8(s) }
        for item in f.items {
            let texts = [item.key, item.id, item.title, item.link, item.summary, item.content, item.author, item.image]
            for s in texts.compactMap({ $0 }) + item.categories + item.enclosures.map(\.url) { checkUTF8(s) }
        }
        for item in parsed.feed.items {
            if let c = item.content { _ = HTMLText.plainText(fromHTML: c) }
            if let l = item.link { _ = URLCanonicalizer.canonical(l) }
        }
    }
    return 0
}

/// Traps when `s` holds bytes that are not valid UTF-8.
func checkUTF8(_ s: String) {
    if String(validating: Array(s.utf8), as: UTF8.self) == nil { fatalError("invalid UTF-8 in a parsed string") }
}
