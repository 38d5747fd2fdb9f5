/// Where the byte-writing helpers (escaping, tag names) append: an `Array` or a `ByteBuffer`.
protocol ByteSink {
    var count: Int { get }
    subscript(_ k: Int) -> UInt8 { get }
    mutating func append(_ c: UInt8)
    mutating func append(contentsOf b: UnsafeBufferPointer<UInt8>)
    /// Drops the bytes from `k` on.
    mutating func truncate(to k: Int)
    /// Lets `body` write up to `capacity` bytes at the end and keeps the number it returns.
    mutating func append(reserving capacity: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int)
}

extension ByteSink {
    /// Appends the bytes of a literal.
    @inline(__always)
    mutating func append(literal s: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Appends the bytes of an array.
    @inline(__always)
    mutating func append(array a: [UInt8]) {
        a.withUnsafeBufferPointer { append(contentsOf: $0) }
    }

    /// Appends the UTF-8 of a string.
    mutating func append(utf8 s: String) {
        var s = s
        s.withUTF8 { append(contentsOf: $0) }
    }
}

extension Array: ByteSink where Element == UInt8 {
    mutating func truncate(to k: Int) { removeLast(count - k) }

    mutating func append(reserving capacity: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        let old = count
        append(contentsOf: repeatElement(0, count: capacity))
        let written = withUnsafeMutableBufferPointer { b in b.baseAddress.map { body($0 + old) } ?? 0 }
        removeLast(capacity - written)
    }
}

/// A growable byte buffer for the hot output paths (the sanitizer's output, captured text): an append is a
/// capacity check and a copy, without `Array`'s uniqueness checks and generic `append(contentsOf:)`.
/// A class, so it is never copied; one owner at a time, never shared across threads.
final class ByteBuffer: ByteSink {
    @exclusivity(unchecked) private(set) var start: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private(set) var count = 0
    @exclusivity(unchecked) private(set) var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = Swift.max(16, capacity)
        start = .allocate(capacity: self.capacity)
    }

    deinit { start.deallocate() }

    var isEmpty: Bool { count == 0 }

    /// The bytes written so far (valid until the next append).
    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: start, count: count) }

    subscript(_ k: Int) -> UInt8 {
        precondition(k >= 0 && k < count)
        return start[k]
    }

    @inline(__always)
    func append(_ c: UInt8) {
        if count == capacity { grow(1) }
        start[count] = c
        count += 1
    }

    @inline(__always)
    func append(contentsOf b: UnsafeBufferPointer<UInt8>) {
        guard let p = b.baseAddress, b.count > 0 else { return }
        if capacity - count < b.count { grow(b.count) }
        (start + count).initialize(from: p, count: b.count)
        count += b.count
    }

    func append(contentsOf a: [UInt8]) {
        a.withUnsafeBufferPointer { append(contentsOf: $0) }
    }

    @inline(__always)
    func append(reserving extra: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        if capacity - count < extra { grow(extra) }
        let written = body(start + count)
        precondition(written >= 0 && written <= extra)
        count += written
    }

    /// Forgets the contents, keeping the capacity.
    func removeAll() { count = 0 }

    /// Drops the bytes from `k` on.
    func truncate(to k: Int) {
        precondition(k >= 0 && k <= count)
        count = k
    }

    /// A copy of the bytes in `r` as an array of exactly that size.
    func array(_ r: Range<Int>) -> [UInt8] {
        precondition(r.lowerBound >= 0 && r.upperBound <= count)
        return Array(UnsafeBufferPointer(rebasing: bytes[r]))
    }

    @inline(never)
    private func grow(_ extra: Int) {
        let newCapacity = Swift.max(capacity * 2, count + extra)
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        p.initialize(from: start, count: count)
        start.deallocate()
        start = p
        capacity = newCapacity
    }
}
