import CCurl
import Foundation

/// Lets a consumer that stops listening wake the transfer thread out of `curl_multi_poll` and stop it.
/// The lock keeps `curl_multi_wakeup` from racing with the multi handle's cleanup.
final class CancelSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var multi: UnsafeMutableRawPointer?

    var isCancelled: Bool { lock.withLock { cancelled } }

    func attach(_ handle: UnsafeMutableRawPointer) { lock.withLock { multi = handle } }

    func detach() { lock.withLock { multi = nil } }

    func cancel() {
        lock.withLock {
            cancelled = true
            // https://curl.se/libcurl/c/curl_multi_wakeup.html: safe to call from another thread.
            if let multi { _ = curl_multi_wakeup(multi) }
        }
    }
}
