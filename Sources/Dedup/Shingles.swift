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

    /// The table holds indices into `values` (16-bit while they fit, so it stays small to clear) and is
    /// at most a quarter full, so most values find an empty slot at once. 0 and 1 count as one value,
    /// as they always have (stored fingerprints depend on it).
    static func distinctCount(_ values: UnsafeBufferPointer<UInt64>) -> Int {
        guard values.count > 1 else { return values.count }
        return values.count < Int(UInt16.max)
            ? distinctCount(values, slot: UInt16.self) : distinctCount(values, slot: UInt32.self)
    }

    @inline(__always)
    private static func distinctCount<Slot: FixedWidthInteger & UnsignedInteger>(
        _ values: UnsafeBufferPointer<UInt64>, slot: Slot.Type
    ) -> Int {
        var capacity = 64
        while capacity < values.count * 4 { capacity <<= 1 }
        let mask = capacity - 1
        return withUnsafeTemporaryAllocation(of: Slot.self, capacity: capacity) { slots in
            slots.initialize(repeating: 0)
            var count = 0
            for (n, v) in values.enumerated() {
                let key = v == 0 ? 1 : v
                var i = Int(truncatingIfNeeded: key >> 7) & mask
                while true {
                    let s = slots[i]
                    if s == 0 {
                        slots[i] = Slot(truncatingIfNeeded: n + 1)
                        count += 1
                        break
                    }
                    let other = values[Int(s) - 1]
                    if (other == 0 ? 1 : other) == key { break }
                    i = (i + 1) & mask
                }
            }
            return count
        }
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
            if n <= 24 || n > 1 << 16 {
                for i in 0..<n { buffer[i] = UInt32(truncatingIfNeeded: values[i] >> 32) }
                initialized = n
                sort32(buffer)
                return
            }
            // Counting pass on the top bits into about two buckets per value, straight into the output,
            // then insertion sort of the nearly sorted result.
            var bits = 1
            while (1 << bits) < 2 * n { bits += 1 }
            let buckets = 1 << bits
            let shift = UInt64(64 - bits)
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: buckets) { counts in
                counts.initialize(repeating: 0)
                for v in values { counts[Int(truncatingIfNeeded: v >> shift)] += 1 }
                var sum: Int32 = 0
                for b in 0..<buckets {
                    let c = counts[b]
                    counts[b] = sum
                    sum += c
                }
                for v in values {
                    let b = Int(truncatingIfNeeded: v >> shift)
                    buffer[Int(counts[b])] = UInt32(truncatingIfNeeded: v >> 32)
                    counts[b] += 1
                }
            }
            initialized = n
            insertionSort(buffer)
        }
        var w = 0
        out.withUnsafeMutableBufferPointer { o in
            for r in 0..<n where r == 0 || o[r] != o[r - 1] {
                o[w] = o[r]
                w += 1
            }
        }
        out.removeLast(n - w)
        return out
    }

    /// Sorts in place: insertion sort for a few values; else one counting pass on the top bits into
    /// about one bucket per value, then insertion sort of the nearly sorted result (the values are hash
    /// bits, so buckets hold about one value each and almost no branch depends on the data).
    static func sort32(_ a: UnsafeMutableBufferPointer<UInt32>) {
        let n = a.count
        guard n > 24 else {
            insertionSort(a)
            return
        }
        guard n <= 1 << 16, let base = a.baseAddress else {
            var b = a
            b.sort()
            return
        }
        var bits = 1
        while (1 << bits) < n { bits += 1 }
        let buckets = 1 << bits
        let shift = UInt32(32 - bits)
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: buckets) { counts in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: n) { other in
                counts.initialize(repeating: 0)
                for x in a { counts[Int(x >> shift)] += 1 }
                var sum: Int32 = 0
                for b in 0..<buckets {
                    let c = counts[b]
                    counts[b] = sum
                    sum += c
                }
                for x in a {
                    let b = Int(x >> shift)
                    other[Int(counts[b])] = x
                    counts[b] += 1
                }
                for i in 0..<n { base[i] = other[i] }
            }
        }
        insertionSort(a)
    }

    @inline(__always)
    static func insertionSort(_ a: UnsafeMutableBufferPointer<UInt32>) {
        guard a.count > 1 else { return }
        for i in 1..<a.count {
            let x = a[i]
            var j = i
            while j > 0 && a[j - 1] > x {
                a[j] = a[j - 1]
                j -= 1
            }
            a[j] = x
        }
    }

    /// Winnowing (Schleimer, Wilkerson, Aiken 2003): the minimum 32-bit value of every window of `window`
    /// consecutive shingles, deduplicated. Two texts sharing a run of at least `window` shingles share a
    /// selected value wherever the run sits; a text shorter than the window yields its minimum.
    static func winnow(_ values: ArraySlice<UInt64>, window: Int) -> [UInt32] {
        values.withUnsafeBufferPointer { winnow($0, window: window) }
    }

    /// Each window's minimum is its rightmost smallest value, kept as the window slides: a new value not
    /// above it takes its place, and when it leaves the window the window is scanned again (about twice
    /// per window length, for hash values). A value is added when the chosen index changes and it is not
    /// already in the output.
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
        out.reserveCapacity(2 * count / (w + 1) + 2)
        @inline(__always) func rightmostMinimum(_ from: Int, _ to: Int) -> Int {
            var best = from
            for i in (from + 1)...max(from + 1, to) where i <= to && v(i) <= v(best) { best = i }
            return best
        }
        var best = rightmostMinimum(0, w - 1)
        var last = -1
        for start in 0...(count - w) {
            let end = start + w - 1
            if start > 0 {
                if best < start {
                    best = rightmostMinimum(start, end)
                } else if v(end) <= v(best) {
                    best = end
                }
            }
            if best != last {
                last = best
                let value = v(best)
                if !out.contains(value) { out.append(value) }
            }
        }
        return out
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
