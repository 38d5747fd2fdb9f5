/// Why a transfer produced no response: a transport failure or a limit. HTTP error statuses are responses.
public struct FetchError: Error, Sendable, CustomStringConvertible, Equatable {
    enum Code: Sendable, Equatable {
        case invalidURL
        case timedOut
        case connectTimedOut
        case tooSlow
        case bodyTooLarge
        case tooManyRedirects
        case redirectLoop
        case network
        case transfer
        case setup
    }

    let code: Code
    /// The request URL.
    public let url: String
    /// One lower-case line without the URL, e.g. "timed out after 30 s".
    public let reason: String
    /// libcurl's `CURLcode`, when the failure came from libcurl.
    public let curlCode: Int?

    init(_ code: Code, url: String, reason: String, curlCode: Int? = nil) {
        self.code = code
        self.url = url
        self.reason = reason
        self.curlCode = curlCode
    }

    public var description: String { "\(reason) (\(url))" }

    /// DNS, connect or connection-reset failures: when every feed fails this way, the network is likely down.
    public var isNetworkError: Bool { code == .network || code == .connectTimedOut }
    /// The whole-transfer, connect or low-speed limit cut the transfer off.
    public var isTimeout: Bool { code == .timedOut || code == .connectTimedOut || code == .tooSlow }
    /// The decoded body grew past `maxBodyBytes`.
    public var isBodyTooLarge: Bool { code == .bodyTooLarge }
    /// The redirect limit was hit or the chain came back to a URL already visited.
    public var isRedirectFailure: Bool { code == .tooManyRedirects || code == .redirectLoop }
}

extension FetchError {
    /// Formats a byte count the way people read limits: "16 MiB", "512 KiB", "1000 bytes".
    static func formatBytes(_ n: Int) -> String {
        if n >= 1 << 20, n % (1 << 20) == 0 { return "\(n >> 20) MiB" }
        if n >= 1 << 10, n % (1 << 10) == 0 { return "\(n >> 10) KiB" }
        return "\(n) bytes"
    }

    /// Formats seconds without a needless ".0": "30 s", "0.5 s".
    static func formatSeconds(_ s: Double) -> String {
        s == s.rounded() && abs(s) < 1e9 ? "\(Int(s)) s" : "\(s) s"
    }
}
