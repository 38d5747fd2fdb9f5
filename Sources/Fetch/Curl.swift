import CCurl

/// The one funnel for libcurl return codes: anything but success becomes a `FetchError` naming the call.
enum Curl {
    /// `curl_global_init` must run once before any other call; its result is kept for every later caller.
    /// OpenSSL is asked first not to clean up at exit (`ccurl_openssl_skip_exit_cleanup`).
    /// https://curl.se/libcurl/c/curl_global_init.html
    private static let globalInit: (code: Int, skipsOpenSSLExitCleanup: Bool) = {
        let skips = ccurl_openssl_skip_exit_cleanup() == 1
        return (Int(ccurl_global_init_all().rawValue), skips)
    }()

    /// Whether OpenSSL was found and told not to free its state at exit (after `initialize`).
    static var skipsOpenSSLExitCleanup: Bool { globalInit.skipsOpenSSLExitCleanup }

    static func initialize(url: String) throws(FetchError) {
        try check(CURLcode(rawValue: UInt32(globalInit.code)), "curl_global_init", url: url)
    }

    static func check(_ code: CURLcode, _ call: String, url: String) throws(FetchError) {
        guard code != CURLE_OK else { return }
        throw FetchError(
            .setup, url: url, reason: "\(call) failed: \(message(code)) (curl error \(code.rawValue))",
            curlCode: Int(code.rawValue))
    }

    static func check(_ code: CURLMcode, _ call: String, url: String) throws(FetchError) {
        guard code != CURLM_OK else { return }
        let text = curl_multi_strerror(code).map { String(cString: $0) } ?? "unknown error"
        throw FetchError(
            .setup, url: url, reason: "\(call) failed: \(lowercasedFirst(text)) (curlm error \(code.rawValue))")
    }

    /// libcurl's generic text for a code. https://curl.se/libcurl/c/curl_easy_strerror.html
    static func message(_ code: CURLcode) -> String {
        lowercasedFirst(curl_easy_strerror(code).map { String(cString: $0) } ?? "unknown error")
    }

    static func lowercasedFirst(_ s: String) -> String {
        guard let first = s.first else { return s }
        return first.lowercased() + s.dropFirst()
    }
}
