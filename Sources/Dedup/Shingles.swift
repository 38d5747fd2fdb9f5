/// Word k-shingles hashed to 64 bits.
enum Shingles {
    /// Hashes of every k-word window, in text order (duplicates kept). A text shorter than k words but
    /// not empty yields one shingle of all its words, so short teasers still have a signature.
    ///
    /// The window hash is a cyclic polynomial (rotate-xor) over the word hashes, updated in O(1) per
    /// position, then mixed, so the cost is one multiply-mix per shingle.
    static func hashes(of tokens: [UInt64], k: Int) -> [UInt64] {
        let k = max(1, k)
        guard !tokens.isEmpty else { return [] }
        if tokens.count <= k {
            var h: UInt64 = 0
            for t in tokens { h = rotl(h, 1) ^ t }
            return [Hashing.mix(h ^ UInt64(tokens.count))]
        }
        var result = [UInt64]()
        result.reserveCapacity(tokens.count - k + 1)
        let out = UInt32(k % 64)
        let tag = UInt64(k)
        tokens.withUnsafeBufferPointer { t in
            var h: UInt64 = 0
            for i in 0..<k { h = rotl(h, 1) ^ t[i] }
            result.append(Hashing.mix(h ^ tag))
            var i = k
            while i < t.count {
                h = rotl(h, 1) ^ rotl(t[i - k], out) ^ t[i]
                result.append(Hashing.mix(h ^ tag))
                i += 1
            }
        }
        return result
    }

    @inline(__always)
    static func rotl(_ x: UInt64, _ r: UInt32) -> UInt64 {
        let r = UInt64(r & 63)
        return (x << r) | (x >> ((64 &- r) & 63))
    }

    /// Number of distinct values (small open-addressing set; avoids sorting).
    static func distinctCount(_ values: [UInt64]) -> Int {
        values.withUnsafeBufferPointer { distinctCount($0) }
    }

    static func distinctCount(_ values: UnsafeBufferPointer<UInt64>) -> Int {
        guard values.count > 1 else { return values.count }
        var capacity = 16
        while capacity < values.count * 2 { capacity <<= 1 }
        let mask = capacity - 1
        let slots = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
        defer { slots.deallocate() }
        slots.initialize(repeating: 0, count: capacity)
        var count = 0
        for v in values {
            let key = v == 0 ? 1 : v
            var i = Int(truncatingIfNeeded: key >> 7) & mask
            while true {
                let s = slots[i]
                if s == key { break }
                if s == 0 {
                    slots[i] = key
                    count += 1
                    break
                }
                i = (i + 1) & mask
            }
        }
        return count
    }

    /// Sorted distinct 32-bit reductions of the given hashes (the upper half, which `MinHasher` does
    /// not use for bin values).
    static func sortedDistinct32(_ values: ArraySlice<UInt64>) -> [UInt32] {
        values.withUnsafeBufferPointer { sortedDistinct32($0) }
    }

    static func sortedDistinct32(_ values: UnsafeBufferPointer<UInt64>) -> [UInt32] {
        let n = values.count
        guard n > 0 else { return [] }
        var out = [UInt32](unsafeUninitializedCapacity: n) { buffer, initialized in
            for i in 0..<n { buffer[i] = UInt32(truncatingIfNeeded: values[i] >> 32) }
            initialized = n
        }
        out.withUnsafeMutableBufferPointer { sort32($0) }
        var w = 0
        for r in 0..<out.count where r == 0 || out[r] != out[r - 1] {
            out[w] = out[r]
            w += 1
        }
        out.removeLast(out.count - w)
        return out
    }

    /// Sorts in place: insertion sort for a few values, else an LSD radix sort (8-bit digits), which has
    /// no data-dependent branches (the lead's values are random, so comparison sorts mispredict).
    static func sort32(_ a: UnsafeMutableBufferPointer<UInt32>) {
        let n = a.count
        if n <= 24 {
            guard n > 1 else { return }
            for i in 1..<n {
                let x = a[i]
                var j = i
                while j > 0 && a[j - 1] > x {
                    a[j] = a[j - 1]
                    j -= 1
                }
                a[j] = x
            }
            return
        }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 4 * 256) { counts in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: n) { other in
                counts.initialize(repeating: 0)
                for x in a {
                    counts[Int(x & 0xFF)] += 1
                    counts[256 + Int((x >> 8) & 0xFF)] += 1
                    counts[512 + Int((x >> 16) & 0xFF)] += 1
                    counts[768 + Int(x >> 24)] += 1
                }
                for d in 0..<4 {
                    var sum = 0
                    for b in (d * 256)..<(d * 256 + 256) {
                        let c = counts[b]
                        counts[b] = sum
                        sum += c
                    }
                }
                guard let aBase = a.baseAddress, let oBase = other.baseAddress else { return }
                var from = aBase
                var to = oBase
                for d in 0..<4 {
                    let shift = UInt32(8 * d)
                    let offset = d * 256
                    for i in 0..<n {
                        let x = from[i]
                        let b = offset + Int((x >> shift) & 0xFF)
                        to[counts[b]] = x
                        counts[b] += 1
                    }
                    swap(&from, &to)
                }
                // Four passes: the result is back in `a`.
            }
        }
    }

    /// Winnowing (Schleimer, Wilkerson, Aiken 2003): the minimum 32-bit value of every window of `window`
    /// consecutive shingles, deduplicated. Two texts sharing a run of at least `window` shingles share a
    /// selected value wherever the run sits; a text shorter than the window yields its minimum.
    static func winnow(_ values: ArraySlice<UInt64>, window: Int) -> [UInt32] {
        values.withUnsafeBufferPointer { winnow($0, window: window) }
    }

    /// Each window's minimum is its rightmost smallest value, found with a monotonic queue of indices
    /// (values strictly increasing from the front); a value is added when the chosen index changes and
    /// it is not already in the output.
    static func winnow(_ values: UnsafeBufferPointer<UInt64>, window: Int) -> [UInt32] {
        let count = values.count
        guard count > 0 else { return [] }
        let w = max(1, window)
        @inline(__always) func v(_ i: Int) -> UInt32 { UInt32(truncatingIfNeeded: values[i] >> 32) }
        guard count > w else {
            var smallest = v(0)
            for i in 1..<count { smallest = min(smallest, v(i)) }
            return [smallest]
        }
        var out: [UInt32] = []
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: count) { queue in
            var head = 0
            var tail = 0
            var last = -1
            for j in 0..<count {
                let x = v(j)
                while tail > head && v(queue[tail - 1]) >= x { tail -= 1 }
                queue[tail] = j
                tail += 1
                guard j >= w - 1 else { continue }
                while queue[head] < j - w + 1 { head += 1 }
                let best = queue[head]
                if best != last {
                    last = best
                    let value = v(best)
                    if !out.contains(value) { out.append(value) }
                }
            }
            return out
        }
    }

    /// |a ∩ b| for sorted distinct arrays.
    static func intersectionCount(_ a: [UInt32], _ b: [UInt32]) -> Int {
        var i = 0
        var j = 0
        var n = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] {
                n += 1
                i += 1
                j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return n
    }
}
