// libFuzzer entry point for the feed parser; built by Scripts/fuzz-parser with the Feeds sources.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Every content type path: none, a charset header, a JSON header.
    let contentTypes: [String?] = [nil, "application/rss+xml; charset=iso-8859-1", "application/json"]
    let ct = size > 0 ? contentTypes[Int(bytes[0]) % contentTypes.count] : nil
    if let parsed = try? FeedParser.parse(bytes, contentType: ct, url: "http://example.com/a/feed.xml") {
        _ = parsed.feed.jsonData(pretty: false)
        for item in parsed.feed.items {
            if let c = item.content { _ = HTMLText.plainText(fromHTML: c) }
            if let l = item.link { _ = URLCanonicalizer.canonical(l) }
        }
    }
    return 0
}
