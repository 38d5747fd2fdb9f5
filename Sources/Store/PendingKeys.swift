/// Index rows (key → item) in insertion order, with a chain per key, newest first. The keys are hashes already,
/// so the head of each chain lives in an open-addressing table of our own (linear probing, a cheap remix), not
/// a `Dictionary` (which hashes every key again with SipHash: this runs for every row an item writes).
struct PendingKeys {
    private(set) var rows: [(key: Int64, item: Int64)] = []
    /// For each row, the previous row of the same key (-1: none).
    private var previous: [Int32] = []
    /// Head table: the key and the newest row of each chain (-1: empty slot).
    private var slotKeys: [Int64] = []
    private var slotHeads: [Int32] = []
    private var used = 0

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

    mutating func append(_ key: Int64, _ item: Int64) {
        if (used + 1) * 2 > slotHeads.count { grow() }
        let mask = slotHeads.count - 1
        var i = Self.slot(key, mask)
        while slotHeads[i] >= 0 && slotKeys[i] != key { i = (i + 1) & mask }
        if slotHeads[i] < 0 {
            used += 1
            slotKeys[i] = key
        }
        previous.append(slotHeads[i])
        slotHeads[i] = Int32(rows.count)
        rows.append((key, item))
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

    /// The rows sorted by key (then item), and the structure emptied with its capacity kept.
    mutating func drainSorted() -> [(key: Int64, item: Int64)] {
        var sorted = rows
        sorted.sort { $0.key < $1.key || ($0.key == $1.key && $0.item < $1.item) }
        removeAll()
        return sorted
    }

    mutating func removeAll() {
        rows.removeAll(keepingCapacity: true)
        previous.removeAll(keepingCapacity: true)
        if used > 0 {
            for i in slotHeads.indices { slotHeads[i] = -1 }
            used = 0
        }
    }

    /// Keeps only the rows from `first` on (their order and chains unchanged).
    mutating func dropRows(before first: Int) {
        let kept = rows[first...]
        var copy = PendingKeys()
        for row in kept { copy.append(row.key, row.item) }
        self = copy
    }
}
