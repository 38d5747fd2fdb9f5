import Foundation
import Testing

@testable import AggregatorKit

#if os(Linux)
    import Glibc

    @Suite struct ThreadPriorityTests {
        /// A parse thread lowers its own priority (the nice value is per thread on Linux), and only its own.
        @Test func lowersOnlyTheCallingThread() throws {
            let before = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            final class Result: @unchecked Sendable { var value: Int32 = -100 }
            let result = Result()
            let done = DispatchSemaphore(value: 0)
            let thread = Thread {
                ThreadPriority.yieldToWriter()
                ThreadPriority.yieldToWriter()  // once per thread: a second call changes nothing
                result.value = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
                done.signal()
            }
            thread.start()
            done.wait()
            #expect(result.value == max(before, ThreadPriority.parseNice))
            #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == before)
        }
    }
#endif
