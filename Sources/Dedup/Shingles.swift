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
        guard values.count > 1 else { return values.count }
        var capacity = 16
        while capacity < values.count * 2 { capacity <<= 1 }
        let mask = capacity - 1
        var table = [UInt64](repeating: 0, count: capacity)
        var count = 0
        table.withUnsafeMutableBufferPointer { slots in
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
        }
        return count
    }

    /// Sorted distinct 32-bit reductions of the given hashes (the upper half, which `MinHasher` does
    /// not use for bin values).
    static func sortedDistinct32(_ values: ArraySlice<UInt64>) -> [UInt32] {
        var out = values.map { UInt32(truncatingIfNeeded: $0 >> 32) }
        out.sort()
        var w = 0
        for r in 0..<out.count where r == 0 || out[r] != out[r - 1] {
            out[w] = out[r]
            w += 1
        }
        out.removeLast(out.count - w)
        return out
    }

    /// Winnowing (Schleimer, Wilkerson, Aiken 2003): the minimum 32-bit value of every window of `window`
    /// consecutive shingles, deduplicated. Two texts sharing a run of at least `window` shingles share a
    /// selected value wherever the run sits; a text shorter than the window yields its minimum.
    static func winnow(_ values: ArraySlice<UInt64>, window: Int) -> [UInt32] {
        let v = values.map { UInt32(truncatingIfNeeded: $0 >> 32) }
        guard let smallest = v.min() else { return [] }
        let w = max(1, window)
        guard v.count > w else { return [smallest] }
        var out: [UInt32] = []
        var last = -1
        for start in 0...(v.count - w) {
            var best = start + w - 1
            for i in stride(from: start + w - 2, through: start, by: -1) where v[i] < v[best] { best = i }
            if best != last {
                last = best
                if !out.contains(v[best]) { out.append(v[best]) }
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
