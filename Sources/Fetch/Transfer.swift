import CCurl
import Foundation

/// One transfer: owns its curl easy handle, header list and error buffer, and collects what the callbacks see.
/// Lives on the fetch thread only.
final class Transfer {
    let request: FetchRequest
    /// The URL handed to libcurl (a plain path already turned into a `file://` URL).
    let url: String
    /// Name and port, the key of the per-host limit.
    let hostKey: String
    let easy: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let errorBufferSize: Int
    let started = ContinuousClock.now

    private(set) var body: [UInt8] = []
    private(set) var overLimit = false
    private(set) var hops: [FetchResponse.Hop] = []
    private(set) var headers: [String: String] = [:]

    /// Creates the easy handle; `configure` sets it up (split so that `deinit` frees it if setup fails).
    init(request: FetchRequest, url: String, hostKey: String) throws(FetchError) {
        try Curl.initialize(url: url)
        // https://curl.se/libcurl/c/curl_easy_init.html
        guard let easy = curl_easy_init() else {
            throw FetchError(.setup, url: request.url, reason: "curl_easy_init failed")
        }
        self.easy = easy
        self.request = request
        self.url = url
        self.hostKey = hostKey
        errorBufferSize = ccurl_error_size()
        errorBuffer = .allocate(capacity: errorBufferSize)
        errorBuffer.initialize(repeating: 0, count: errorBufferSize)
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// Sets every option of the transfer. https://curl.se/libcurl/c/curl_easy_setopt.html
    func configure(_ options: FetcherOptions) throws(FetchError) {
        try set(CURLOPT_URL, url)
        try set(CURLOPT_PROTOCOLS_STR, "http,https,file")
        // A feed must never redirect us to a local file.
        try set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_FOLLOWLOCATION, 1)
        try set(CURLOPT_MAXREDIRS, options.maxRedirects)
        // "" offers every encoding this libcurl decodes (gzip, deflate, br, zstd); the callbacks see decoded bytes.
        try set(CURLOPT_ACCEPT_ENCODING, "")
        try set(CURLOPT_USERAGENT, options.userAgent)
        try set(CURLOPT_TIMEOUT_MS, milliseconds(request.timeout))
        try set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds(request.connectTimeout))
        if options.lowSpeedTime > 0, options.lowSpeedLimit > 0 {
            try set(CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedLimit)
            try set(CURLOPT_LOW_SPEED_TIME, options.lowSpeedTime)
        }
        // Signals cannot be used for DNS timeouts in a multi-threaded process.
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_HTTP_VERSION, options.http2 ? ccurl_http_version_2tls() : Int(CURL_HTTP_VERSION_1_1))
        if let caBundle = options.caBundle { try set(CURLOPT_CAINFO, caBundle) }
        if let proxy = options.proxy { try set(CURLOPT_PROXY, proxy) }
        // The proxy's own "200 Connection established" must not look like the first hop.
        try set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
        try Curl.check(
            ccurl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer), "setopt ERRORBUFFER", url: url)

        var lines = [
            "Accept: application/rss+xml, application/atom+xml, application/feed+json, "
                + "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
        ]
        if let etag = request.etag.map(Self.headerValue), !etag.isEmpty { lines.append("If-None-Match: \(etag)") }
        if let date = request.lastModified.map(Self.headerValue), !date.isEmpty {
            lines.append("If-Modified-Since: \(date)")
        }
        for line in lines {
            // https://curl.se/libcurl/c/curl_slist_append.html: on failure the old list is untouched.
            guard let list = curl_slist_append(headerList, line) else {
                throw FetchError(.setup, url: url, reason: "curl_slist_append failed")
            }
            headerList = list
        }
        try Curl.check(ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList), "setopt HTTPHEADER", url: url)

        let context = Unmanaged.passUnretained(self).toOpaque()
        try Curl.check(ccurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context), "setopt WRITEDATA", url: url)
        try Curl.check(ccurl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context), "setopt HEADERDATA", url: url)
        // Non-capturing closures: the transfer comes back through the userdata pointer.
        // The transfer outlives the handle's time in the multi handle (the session holds it), so unretained is safe.
        try Curl.check(
            ccurl_easy_setopt_write_function(easy) { data, size, count, userdata in
                guard let userdata else { return 0 }
                let transfer = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
                return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
            }, "setopt WRITEFUNCTION", url: url)
        try Curl.check(
            ccurl_easy_setopt_header_function(easy) { data, size, count, userdata in
                guard let userdata else { return 0 }
                let transfer = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
                transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
                return size * count
            }, "setopt HEADERFUNCTION", url: url)
    }

    private func set(_ option: CURLoption, _ value: String) throws(FetchError) {
        try Curl.check(ccurl_easy_setopt_string(easy, option, value), "setopt \(option.rawValue)", url: url)
    }

    private func set(_ option: CURLoption, _ value: Int) throws(FetchError) {
        try Curl.check(ccurl_easy_setopt_long(easy, option, value), "setopt \(option.rawValue)", url: url)
    }

    private func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return max(1, Int((seconds * 1000).rounded()))
    }

    /// Validators come from earlier responses; a stray CR or LF must not split our request's headers.
    private static func headerValue(_ s: String) -> String {
        // Filter scalars, not Characters: "\r\n" is one Character equal to neither "\r" nor "\n".
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: s.unicodeScalars.filter { $0 != "\r" && $0 != "\n" })
        return String(scalars).trimmingCharacters(in: .whitespaces)
    }

    // MARK: - Callbacks

    /// Appends decoded body bytes; returning less than offered makes libcurl abort with CURLE_WRITE_ERROR.
    private func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Int {
        if body.count + chunk.count > request.maxBodyBytes {
            overLimit = true
            return 0
        }
        // Reserve what the server announces, but not more than 1 MiB on its word alone.
        if body.isEmpty, let length = headers["content-length"].flatMap(Int.init), length > 0 {
            body.reserveCapacity(min(length, request.maxBodyBytes, 1 << 20))
        }
        body.append(contentsOf: chunk)
        return chunk.count
    }

    /// Sees every header line of every hop, status lines included ("HTTP/1.1 301 Moved Permanently").
    private func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
        var line = String(decoding: bytes, as: UTF8.self)
        while line.last == "\n" || line.last == "\r" || line.last == "\r\n" { line.removeLast() }
        if line.hasPrefix("HTTP/") {
            let fields = line.split(separator: " ", maxSplits: 2)
            guard fields.count >= 2, let status = Int(fields[1]) else { return }
            // Interim responses (100 Continue, 103 Early Hints) are not hops.
            if (100..<200).contains(status), status != 101 { return }
            hops.append(.init(status: status, url: currentURL() ?? url))
            headers = [:]
            body.removeAll(keepingCapacity: true)
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return }
        if let old = headers[name] { headers[name] = old + ", " + value } else { headers[name] = value }
    }

    // MARK: - Results

    /// The URL of the request being made right now (each hop's while its headers arrive).
    func currentURL() -> String? {
        var pointer: UnsafeMutablePointer<CChar>?
        guard ccurl_easy_getinfo_string(easy, CURLINFO_EFFECTIVE_URL, &pointer) == CURLE_OK, let pointer else {
            return nil
        }
        return String(cString: pointer)
    }

    private func info(_ key: CURLINFO) -> Int {
        var value = 0
        return ccurl_easy_getinfo_long(easy, key, &value) == CURLE_OK ? value : 0
    }

    var elapsed: Double {
        let d = ContinuousClock.now - started
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// Turns libcurl's verdict into the result of this transfer.
    func finish(_ code: CURLcode, options: FetcherOptions) -> Result<FetchResponse, FetchError> {
        if code == CURLE_OK { return .success(response()) }
        return .failure(error(code, options: options))
    }

    private func response() -> FetchResponse {
        let status = info(CURLINFO_RESPONSE_CODE)
        let finalURL = currentURL() ?? url
        let chain = hops.isEmpty ? [FetchResponse.Hop(status: status, url: finalURL)] : hops
        var permanent: String?
        var i = 0
        while i + 1 < chain.count, chain[i].status == 301 || chain[i].status == 308 {
            permanent = chain[i + 1].url
            i += 1
        }
        return FetchResponse(
            status: status, body: body, effectiveURL: finalURL,
            contentType: headers["content-type"], etag: headers["etag"], lastModified: headers["last-modified"],
            retryAfter: headers["retry-after"], cacheControl: headers["cache-control"],
            permanentRedirect: permanent, hops: chain, headers: headers, httpVersion: httpVersion())
    }

    /// https://curl.se/libcurl/c/CURLINFO_HTTP_VERSION.html
    private func httpVersion() -> String {
        switch info(CURLINFO_HTTP_VERSION) {
        case Int(CURL_HTTP_VERSION_1_0): "1.0"
        case Int(CURL_HTTP_VERSION_1_1): "1.1"
        case Int(CURL_HTTP_VERSION_2_0): "2"
        case Int(CURL_HTTP_VERSION_3): "3"
        default: ""
        }
    }

    private func error(_ code: CURLcode, options: FetcherOptions) -> FetchError {
        let detail = String(cString: errorBuffer)
        let text = Curl.lowercasedFirst(detail.isEmpty ? Curl.message(code) : detail)
        let curlCode = Int(code.rawValue)
        func make(_ kind: FetchError.Code, _ reason: String) -> FetchError {
            FetchError(kind, url: request.url, reason: reason, curlCode: curlCode)
        }
        switch code {
        case CURLE_WRITE_ERROR where overLimit:
            return make(.bodyTooLarge, "body exceeds \(FetchError.formatBytes(request.maxBodyBytes))")
        case CURLE_OPERATION_TIMEDOUT:
            if text.contains("too slow") {
                return make(
                    .tooSlow,
                    "too slow: under \(options.lowSpeedLimit) bytes/s for \(options.lowSpeedTime) s")
            }
            var connectTime: curl_off_t = 0
            _ = ccurl_easy_getinfo_off(easy, CURLINFO_CONNECT_TIME_T, &connectTime)
            if connectTime == 0, !url.lowercased().hasPrefix("file:") {
                return make(
                    .connectTimedOut, "connect timed out after \(FetchError.formatSeconds(request.connectTimeout))")
            }
            return make(.timedOut, "timed out after \(FetchError.formatSeconds(request.timeout))")
        case CURLE_TOO_MANY_REDIRECTS:
            let urls = hops.map(\.url)
            if Set(urls).count < urls.count { return make(.redirectLoop, "redirect loop after \(urls.count) hops") }
            return make(.tooManyRedirects, "too many redirects (more than \(options.maxRedirects))")
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT,
            CURLE_SEND_ERROR, CURLE_RECV_ERROR:
            return make(.network, "\(text) (curl error \(curlCode))")
        default:
            return make(.transfer, "\(text) (curl error \(curlCode))")
        }
    }
}
