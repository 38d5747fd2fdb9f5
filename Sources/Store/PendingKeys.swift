/// Index rows (key → item) in insertion order, with a chain per key, newest first. The keys are hashes already,
/// so the head of each chain lives in an open-addressing table of our own (linear probing, a cheap remix), not
/// a `Dictionary` (which hashes every key again with SipHash: this runs for every row an item writes).
struct PendingKeys {
    private(set) var rows: [(key: Int64, item: Int64)] = []
    /// The period of each row (see `KeyPeriods`; 0 where the caller does not use them).
    private var periods: [Int64] = []
    /// For each row, the previous row of the same key (-1: none).
    private var previous: [Int32] = []
    /// Head table: the key and the newest row of each chain (-1: empty slot).
    private var slotKeys: [Int64] = []
    private var slotHeads: [Int32] = []
    private var used = 0
    /// False: rows only, no chains (`items` and `forEachItem` find nothing). The writer's own rows need no chains
    /// when a `RecentItems` answers for them.
    var chained = true

    /// The period of row `index`.
    func period(at index: Int) -> Int64 { periods[index] }

    var isEmpty: Bool { rows.isEmpty }
    var count: Int { rows.count }

    @inline(__always)
    private static func slot(_ key: Int64, _ mask: Int) -> Int {
        var h = UInt64(bitPattern: key)
        h = (h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: h >> 32) & mask
    }

    /// The newest row of `key` (-1: none).
    @inline(__always)
    private func head(_ key: Int64) -> Int {
        guard !slotHeads.isEmpty else { return -1 }
        let mask = slotHeads.count - 1
        var i = Self.slot(key, mask)
        while true {
            let h = slotHeads[i]
            if h < 0 { return -1 }
            if slotKeys[i] == key { return Int(h) }
            i = (i + 1) & mask
        }
    }

    mutating func append(_ key: Int64, _ item: Int64, period: Int64 = 0) {
        periods.append(period)
        guard chained else {
            rows.append((key, item))
            return
        }
        if (used + 1) * 2 > slotHeads.count { grow() }
        link(key, row: rows.count)
        rows.append((key, item))
    }

    /// Makes `row` the newest of `key`'s chain (the table has room).
    private mutating func link(_ key: Int64, row: Int) {
        let mask = slotHeads.count - 1
        var i = Self.slot(key, mask)
        while slotHeads[i] >= 0 && slotKeys[i] != key { i = (i + 1) & mask }
        if slotHeads[i] < 0 {
            used += 1
            slotKeys[i] = key
        }
        previous.append(slotHeads[i])
        slotHeads[i] = Int32(row)
    }

    private mutating func grow() {
        let capacity = max(1 << 12, slotHeads.count * 2)
        let oldKeys = slotKeys
        let oldHeads = slotHeads
        slotKeys = [Int64](repeating: 0, count: capacity)
        slotHeads = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        for j in oldHeads.indices where oldHeads[j] >= 0 {
            var i = Self.slot(oldKeys[j], mask)
            while slotHeads[i] >= 0 { i = (i + 1) & mask }
            slotKeys[i] = oldKeys[j]
            slotHeads[i] = oldHeads[j]
        }
    }

    /// Calls `body` with the items of `key`, newest first, until it returns false.
    @inline(__always)
    func forEachItem(_ key: Int64, _ body: (Int64) -> Bool) {
        var row = head(key)
        while row >= 0 {
            if !body(rows[row].item) { return }
            row = Int(previous[row])
        }
    }

    /// The newest `limit` items written under `key`.
    func items(_ key: Int64, limit: Int, into ids: inout Set<Int64>) {
        var taken = 0
        forEachItem(key) { item in
            ids.insert(item)
            taken += 1
            return taken < limit
        }
    }

    /// The rows sorted by period, key and item (the table's order), and the structure emptied with its capacity
    /// kept. A radix sort on the keys (four stable passes of 16 bits), then a stable grouping by period (a
    /// transaction has few), then the rare runs of one key ordered by item: a comparison sort of the triples was
    /// 4% of the writer's thread in a cold fetch, this is about a third of that.
    mutating func drainSorted() -> [(Int64, Int64, Int64)] {
        let n = rows.count
        var order = [Int32](0..<Int32(clamping: n))
        if n > 1 {
            // Signed keys in unsigned order: the sign bit flipped.
            var keys = rows.map { UInt64(bitPattern: $0.key) ^ (1 << 63) }
            Self.radixSort(&keys, &order)
            order = Self.groupedByPeriod(order, periods)
        }
        var sorted: [(Int64, Int64, Int64)] = []
        sorted.reserveCapacity(n)
        for index in order {
            let i = Int(index)
            sorted.append((periods[i], rows[i].key, rows[i].item))
        }
        // Equal period and key: by item (insertion order is item order but for an edit's rows).
        var start = 0
        while start < n {
            var end = start + 1
            while end < n && sorted[end].0 == sorted[start].0 && sorted[end].1 == sorted[start].1 { end += 1 }
            if end - start > 1 { sorted[start..<end].sort { $0.2 < $1.2 } }
            start = end
        }
        removeAll()
        return sorted
    }

    /// Sorts `keys` and carries `order` along, stably.
    static func radixSort(_ keys: inout [UInt64], _ order: inout [Int32]) {
        let n = keys.count
        var keys2 = [UInt64](repeating: 0, count: n)
        var order2 = [Int32](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: 1 << 16)
        for shift in stride(from: UInt64(0), to: 64, by: 16) {
            counts.withUnsafeMutableBufferPointer { c in
                c.update(repeating: 0)
                keys.withUnsafeBufferPointer { k in
                    for v in k { c[Int(truncatingIfNeeded: (v >> shift) & 0xFFFF)] += 1 }
                }
                var sum = 0
                for j in c.indices {
                    let count = c[j]
                    c[j] = sum
                    sum += count
                }
                keys.withUnsafeBufferPointer { k in
                    order.withUnsafeBufferPointer { o in
                        keys2.withUnsafeMutableBufferPointer { k2 in
                            order2.withUnsafeMutableBufferPointer { o2 in
                                for j in 0..<n {
                                    let bucket = Int(truncatingIfNeeded: (k[j] >> shift) & 0xFFFF)
                                    let at = c[bucket]
                                    c[bucket] = at + 1
                                    k2[at] = k[j]
                                    o2[at] = o[j]
                                }
                            }
                        }
                    }
                }
            }
            swap(&keys, &keys2)
            swap(&order, &order2)
        }
    }

    /// `order` regrouped by ascending period, keeping the order within each period.
    static func groupedByPeriod(_ order: [Int32], _ periods: [Int64]) -> [Int32] {
        var counts: [Int64: Int] = [:]
        for index in order { counts[periods[Int(index)], default: 0] += 1 }
        guard counts.count > 1 else { return order }
        var next: [Int64: Int] = [:]
        var sum = 0
        for period in counts.keys.sorted() {
            next[period] = sum
            sum += counts[period, default: 0]
        }
        var grouped = [Int32](repeating: 0, count: order.count)
        for index in order {
            let period = periods[Int(index)]
            let at = next[period, default: 0]
            grouped[at] = index
            next[period] = at + 1
        }
        return grouped
    }

    mutating func removeAll() {
        rows.removeAll(keepingCapacity: true)
        periods.removeAll(keepingCapacity: true)
        previous.removeAll(keepingCapacity: true)
        if used > 0 {
            for i in slotHeads.indices { slotHeads[i] = -1 }
            used = 0
        }
    }

    /// Keeps only the rows from `first` on (their order and chains unchanged), in place: the arrays keep their
    /// memory (fresh pages cost a fault each).
    mutating func dropRows(before first: Int) {
        guard first > 0 else { return }
        rows.removeFirst(first)
        periods.removeFirst(first)
        previous.removeAll(keepingCapacity: true)
        for i in slotHeads.indices { slotHeads[i] = -1 }
        used = 0
        guard chained else { return }
        for i in rows.indices { link(rows[i].key, row: i) }
    }
}

/// Index rows are partitioned by the day of their item's time (`band_keys(period, key, item_id)`): a new item's
/// rows go into the current day's part of the b-tree, and a lookup reads only the days its time window covers.
///
/// Why days (weeks until schema 8): a new item's keys are random, so its rows land all over its part of the
/// b-tree, and each commit rewrites every page of that part it touched. The cost of a commit per item is that
/// part's size over the commit's, so a part must stay small however long the history grows; a week of a busy
/// installation (20,000 items a day) grew to ~90 MB of index pages rewritten at every commit (bench-dedup growth
/// at 100k stored items: writer 104 us/item with weeks, ~72 with days, the same as at 10k).
enum KeyPeriods {
    static let seconds: Int64 = 86_400

    /// The day of `time` (seconds since 1970), rounding down (also before 1970, without overflow).
    static func period(_ time: Int64) -> Int64 {
        let (quotient, remainder) = time.quotientAndRemainder(dividingBy: seconds)
        return remainder < 0 ? quotient - 1 : quotient
    }

    /// The times of period `period`, without overflow at the extremes.
    static func times(of period: Int64) -> ClosedRange<Int64> {
        let (start, low) = period.multipliedReportingOverflow(by: seconds)
        if low { return period < 0 ? Int64.min...Int64.min : Int64.max...Int64.max }
        return start...start.addingClamped(seconds - 1)
    }
}
