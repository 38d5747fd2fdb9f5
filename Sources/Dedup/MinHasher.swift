/// MinHash signatures by one-permutation hashing with optimal densification.
///
/// Each shingle hash is used once: its top bits choose one of `k` bins, its low 32 bits are the value,
/// and each bin keeps its minimum (Li, Owen, Zhang 2012). Empty bins (short texts) borrow the value of
/// a non-empty bin found by a fixed, bin-specific probe sequence (Shrivastava 2017), which keeps the
/// fraction of equal bins an unbiased estimate of Jaccard resemblance. Everything is seeded by constants,
/// so signatures are identical across runs and machines and can be stored.
struct MinHasher: Sendable {
    let k: Int
    static let empty = UInt32.max

    init(permutations: Int) { k = max(1, permutations) }

    func signature(of shingles: [UInt64]) -> [UInt32] {
        shingles.withUnsafeBufferPointer { signature(of: $0) }
    }

    func signature(of shingles: UnsafeBufferPointer<UInt64>) -> [UInt32] {
        guard !shingles.isEmpty else { return [UInt32](repeating: Self.empty, count: k) }
        return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: k) { bins in
            withUnsafeTemporaryAllocation(of: Bool.self, capacity: k) { filled in
                bins.initialize(repeating: Self.empty)
                filled.initialize(repeating: false)
                guard let b = bins.baseAddress, let f = filled.baseAddress else { return [] }
                let kk = UInt64(k)
                for h in shingles { Self.add(h, k: kk, bins: b, filled: f) }
                return signature(bins: UnsafeBufferPointer(bins), filled: UnsafeBufferPointer(filled), count: shingles.count)
            }
        }
    }

    /// Puts one shingle hash in its bin: the top bits choose the bin, the low 32 bits are the value.
    @inline(__always)
    static func add(_ h: UInt64, k: UInt64, bins: UnsafeMutablePointer<UInt32>, filled: UnsafeMutablePointer<Bool>) {
        let bin = Int(truncatingIfNeeded: ((h >> 32) &* k) >> 32)
        let v = UInt32(truncatingIfNeeded: h)
        filled[bin] = true
        bins[bin] = min(bins[bin], v)  // branch-free: whether a bin's minimum changes is a coin toss
    }

    /// The signature from bins filled by `add` with `count` shingles (`empty` everywhere for none).
    func signature(bins: UnsafeBufferPointer<UInt32>, filled: UnsafeBufferPointer<Bool>, count: Int) -> [UInt32] {
        guard count > 0 else { return [UInt32](repeating: Self.empty, count: k) }
        var out = Array(bins)
        if count < k * 8 {
            densify(&out, filled: filled)
        }
        return out
    }

    /// Fills each empty bin from the first non-empty bin along its own fixed pseudo-random probe sequence.
    private func densify(_ bins: inout [UInt32], filled: UnsafeBufferPointer<Bool>) {
        guard filled.contains(false), filled.contains(true) else { return }
        let original = bins
        for i in 0..<k where !filled[i] {
            var attempt: UInt64 = 0
            while true {
                let j = Int(Hashing.mix(0x0DE5_1F1E_D000_0000 ^ (UInt64(i) << 20) ^ attempt) % UInt64(k))
                if filled[j] {
                    bins[i] = original[j]
                    break
                }
                attempt += 1
            }
        }
    }

    /// Fraction of equal bins: the resemblance estimate. 0 when either side is empty.
    static func resemblance(_ a: [UInt32], _ b: [UInt32]) -> Double {
        let n = min(a.count, b.count)
        guard n > 0, a.first(where: { $0 != empty }) != nil, b.first(where: { $0 != empty }) != nil else { return 0 }
        var equal = 0
        for i in 0..<n where a[i] == b[i] { equal += 1 }
        return Double(equal) / Double(n)
    }
}
