import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// An advisory lock on a file next to the database, so two `fetch` runs never write at once.
public final class RunLock {
    private let descriptor: Int32
    public let path: String

    /// Another run holds the lock.
    public struct Busy: Error, Sendable, CustomStringConvertible {
        public let path: String
        public var description: String { "another aggregator run holds the lock \(path); try again later or use --wait" }
    }

    /// Takes the lock, waiting for it (polling, without blocking a thread) when `wait` is true.
    public static func acquire(databasePath: String, wait: Bool) async throws -> RunLock {
        let path = databasePath + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ConfigError(file: path, line: nil, message: "cannot create lock file: \(String(cString: strerror(errno)))")
        }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard wait, errno == EWOULDBLOCK else {
                close(fd)
                throw Busy(path: path)
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return RunLock(descriptor: fd, path: path)
    }

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
