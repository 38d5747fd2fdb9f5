/// One feed to fetch.
public struct FetchRequest: Sendable {
    /// The caller's index for this request, echoed back in the result.
    public var id: Int
    /// An `http(s)://` or `file://` URL, or an absolute file path (turned into a `file://` URL).
    public var url: String
    /// The stored `ETag`, sent as `If-None-Match`.
    public var etag: String?
    /// The stored `Last-Modified`, sent as `If-Modified-Since`.
    public var lastModified: String?
    /// The whole transfer's limit in seconds, redirects included.
    public var timeout: Double
    /// The limit in seconds for resolving and connecting.
    public var connectTimeout: Double
    /// The most body bytes accepted, counted after decompression so that a gzip bomb is cut off.
    public var maxBodyBytes: Int

    public init(
        id: Int, url: String, etag: String? = nil, lastModified: String? = nil,
        timeout: Double = 30, connectTimeout: Double = 10, maxBodyBytes: Int = 16 << 20
    ) {
        self.id = id
        self.url = url
        self.etag = etag
        self.lastModified = lastModified
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxBodyBytes = maxBodyBytes
    }
}

/// Settings shared by every transfer of a `Fetcher`.
public struct FetcherOptions: Sendable {
    /// The default `User-Agent`, naming the tool.
    public static let defaultUserAgent = "aggregator/0.1 (feed aggregator; libcurl)"

    /// The most transfers running at once.
    public var concurrency: Int
    /// The most transfers running at once against one host (name and port).
    public var perHost: Int
    public var userAgent: String
    /// The most redirects followed before a transfer fails.
    public var maxRedirects: Int
    /// A transfer slower than `lowSpeedLimit` bytes per second for `lowSpeedTime` seconds is cut off.
    public var lowSpeedLimit: Int
    /// Seconds (whole, at least 1) the speed may stay below `lowSpeedLimit`; 0 turns the check off.
    public var lowSpeedTime: Int
    /// Offer HTTP/2 over TLS (libcurl falls back to HTTP/1.1 when the server does not take it).
    public var http2: Bool
    /// A PEM file of CA certificates to trust instead of the system's (`CURLOPT_CAINFO`); nil for the default.
    public var caBundle: String?
    /// A proxy URL (`CURLOPT_PROXY`); nil leaves libcurl to the environment (`http_proxy`, `https_proxy`,
    /// `ALL_PROXY`, `no_proxy`), "" turns proxies off.
    public var proxy: String?

    public init(
        concurrency: Int = 16, perHost: Int = 4, userAgent: String = FetcherOptions.defaultUserAgent,
        maxRedirects: Int = 10, lowSpeedLimit: Int = 64, lowSpeedTime: Int = 20, http2: Bool = true,
        caBundle: String? = nil, proxy: String? = nil
    ) {
        self.concurrency = max(1, concurrency)
        self.perHost = max(1, perHost)
        self.userAgent = userAgent
        self.maxRedirects = max(0, maxRedirects)
        self.lowSpeedLimit = max(0, lowSpeedLimit)
        self.lowSpeedTime = max(0, lowSpeedTime)
        self.http2 = http2
        self.caBundle = caBundle
        self.proxy = proxy
    }
}

/// A completed HTTP exchange or file read. Any HTTP status (304, 404, 429, 500...) is a response, not an error.
public struct FetchResponse: Sendable {
    /// The final response's status: 200, 304, 404... and 0 for `file://`.
    public var status: Int
    /// The body after content decoding (gzip, deflate, br, zstd).
    public var body: [UInt8]
    /// The URL after redirects.
    public var effectiveURL: String
    public var contentType: String?
    public var etag: String?
    public var lastModified: String?
    public var retryAfter: String?
    public var cacheControl: String?
    /// The URL reached through the chain of permanent redirects (301/308) that starts at the request URL,
    /// if the first response was one; `nil` when the first hop was a temporary redirect or none.
    public var permanentRedirect: String?
    /// Every hop's status and URL, the request URL first; one element when there was no redirect.
    public var hops: [Hop]
    /// The final response's headers, names lower-cased, repeated headers joined with ", ".
    public var headers: [String: String]
    /// The HTTP version of the final response: "1.0", "1.1", "2", "3"; "" for `file://`.
    public var httpVersion: String

    /// One response in a redirect chain.
    public struct Hop: Sendable, Equatable {
        public var status: Int
        public var url: String
    }

    /// Whether the status is 2xx (or 0, a local file).
    public var isSuccess: Bool { status == 0 || (200..<300).contains(status) }
    public var isNotModified: Bool { status == 304 }
}

/// The outcome of one request.
public struct FetchResult: Sendable {
    public var request: FetchRequest
    public var outcome: Result<FetchResponse, FetchError>
    /// Wall-clock seconds from the start of the transfer to its end (time spent queued excluded).
    public var seconds: Double
}
