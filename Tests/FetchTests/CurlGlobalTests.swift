import Testing

@testable import Fetch

/// libcurl's process-wide setup.
struct CurlGlobalTests {
    /// OpenSSL, loaded by libcurl, is told before its initialisation not to free its state from an atexit handler
    /// (a thread still in it as the process exited crashed there).
    @Test func asksOpenSSLNotToCleanUpAtExit() throws {
        try Curl.initialize(url: "file:///dev/null")
        #expect(Curl.skipsOpenSSLExitCleanup)
    }
}
