import CCurl
import Foundation

/// Lets a consumer that stops listening wake the transfer threads out of `curl_multi_poll` and stop them.
/// The lock keeps `curl_multi_wakeup` from racing with a multi handle's cleanup.
final class CancelSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var multis: [UnsafeMutableRawPointer] = []

    var isCancelled: Bool { lock.withLock { cancelled } }

    func attach(_ handle: UnsafeMutableRawPointer) { lock.withLock { multis.append(handle) } }

    func detach(_ handle: UnsafeMutableRawPointer) { lock.withLock { multis.removeAll { $0 == handle } } }

    func cancel() {
        lock.withLock {
            cancelled = true
            // https://curl.se/libcurl/c/curl_multi_wakeup.html: safe to call from another thread.
            for multi in multis { _ = curl_multi_wakeup(multi) }
        }
    }
}
