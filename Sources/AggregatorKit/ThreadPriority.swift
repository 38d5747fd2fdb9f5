#if canImport(Glibc)
    import Glibc
#endif

/// The writer is the one stage of `fetch` that cannot be spread over cores (SQLite has one writer): when parsing
/// and the writer compete for the cores, the writer should win, or it is left with a backlog to write alone once
/// the transfers are over. Linux schedules threads, and their nice value is per thread: the threads that parse
/// (Swift's pool, used by nothing else during a fetch) run at a lower priority.
enum ThreadPriority {
    /// The nice value of parse threads (`AGGREGATOR_PARSE_NICE` for measuring; 0 leaves them alone).
    static let parseNice: Int32 = {
        #if canImport(Glibc)
            if let text = getenv("AGGREGATOR_PARSE_NICE"), let value = Int32(String(cString: text)) { return value }
        #endif
        return 5
    }()

    /// Lowers the calling thread's priority to `parseNice`, once per thread.
    static func yieldToWriter() {
        #if os(Linux)
            guard parseNice > 0, !lowered else { return }
            lowered = true
            // PRIO_PROCESS with 0: the calling thread on Linux. Failing is harmless (the priority stays).
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, parseNice)
        #endif
    }

    nonisolated(unsafe) private static var loweredKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Whether this thread was lowered already (thread-specific data).
    private static var lowered: Bool {
        get { pthread_getspecific(loweredKey) != nil }
        set { pthread_setspecific(loweredKey, newValue ? UnsafeRawPointer(bitPattern: 1) : nil) }
    }
}
