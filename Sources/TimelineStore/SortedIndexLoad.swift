import LMDB
import TimelineModel

/// The index entries of a rebuild into a fresh views environment, gathered
/// during the scan and put in key order with `MDB_APPEND` afterwards: each
/// put then lands on the last leaf of its B-tree instead of a random one
/// (a random-key insert into a 10M-entry tree is what bounded the rebuild).
///
/// `orderEvents` keys (order NUL revision) come out sorted by walking the
/// orders in key order and each order's positions in revision order;
/// `eventIds` keys are kept in one byte arena and sorted by their bytes.
struct SortedIndexLoad {
    /// Each order's positions, by revision (revisions are 0, 1, 2 … in log order).
    private var positionsByOrder: [String: [UInt64]] = [:]
    /// Every eventId's UTF-8 bytes, one after the other.
    private var arena: [UInt8] = []
    /// Where eventId i starts in ``arena`` (it ends where i + 1 starts).
    private var starts: [Int] = []
    /// The position eventId i names.
    private var positions: [UInt64] = []

    /// An entry whose revision was not the next of its order (a log the writer
    /// could not have written): ``put(into:tables:chunk:configuration:)`` then
    /// refuses with `keyExists` and the caller rebuilds with plain puts.
    private var revisionsOutOfOrder = false

    /// The Merkle tree as the records arrive, and the nodes it completed, by level.
    private var merkle = MerkleAppender()
    private var nodesByLevel: [[[UInt8]]] = []

    /// Gathers one record's two index entries and its Merkle leaf.
    mutating func add(_ entry: IndexEntry) throws {
        guard entry.position == merkle.count + 1, let leaf = MerkleHash.leaf(ofEventHash: entry.hash) else {
            throw TimelineError(.internal, "the log's record at position \(entry.position) does not follow position \(merkle.count) or has no valid hash; audit it with timeline-audit verify")
        }
        for node in merkle.append(leaf) {
            let slot = node.level - MerkleNodes.lowestLevel
            while nodesByLevel.count <= slot { nodesByLevel.append([]) }
            nodesByLevel[slot].append(node.hash)
        }
        let known = positionsByOrder[entry.order]?.count ?? 0
        if entry.revision != UInt64(known) { revisionsOutOfOrder = true }
        positionsByOrder[entry.order, default: []].append(entry.position)
        starts.append(arena.count)
        arena.append(contentsOf: entry.eventId.utf8)
        positions.append(entry.position)
    }

    /// Puts every gathered entry into `tables` of `env`, `chunk` puts per transaction.
    /// Throws `keyExists` if the keys were not in strictly increasing order (the
    /// caller then rebuilds with plain puts), never writing a key out of order.
    func put(into env: Environment, tables: ViewTables, chunk: Int, configuration: StoreConfiguration) throws {
        if revisionsOutOfOrder { throw LMDBError(code: LMDBError.Code.keyExists.rawValue, operation: "sorted index load: an order's revisions are not 0, 1, 2 … in log order") }
        var puts = PutStream(env: env, chunk: chunk, configuration: configuration)
        let orders = positionsByOrder.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for order in orders {
            guard let list = positionsByOrder[order] else { continue }
            for (revision, position) in list.enumerated() {
                try puts.put(tables.orderEvents, key: Keys.orderRevision(order, UInt64(revision)), position: position)
            }
        }
        try arena.withUnsafeBufferPointer { bytes in
            try starts.withUnsafeBufferPointer { starts in
                let count = starts.count
                func key(_ i: Int) -> UnsafeBufferPointer<UInt8> {
                    let end = i + 1 < count ? starts[i + 1] : bytes.count
                    return UnsafeBufferPointer(rebasing: bytes[starts[i]..<end])
                }
                var order = Array(0..<Int32(count))
                order.sort { a, b in key(Int(a)).lexicographicallyPrecedes(key(Int(b))) }
                for i in order {
                    try puts.put(tables.eventIds, key: UnsafeRawBufferPointer(key(Int(i))), position: positions[Int(i)])
                }
            }
        }
        for (slot, nodes) in nodesByLevel.enumerated() {
            for (index, hash) in nodes.enumerated() {
                try puts.put(tables.merkle, key: MerkleNodes.key(level: slot + MerkleNodes.lowestLevel, index: UInt64(index)), value: hash)
            }
        }
        try puts.flush()
    }
}

/// Appends (key, position) pairs to views tables in write transactions of
/// `chunk` puts each.
private struct PutStream {
    let env: Environment
    let chunk: Int
    let configuration: StoreConfiguration
    private var pending: [(Database, [UInt8], [UInt8])] = []

    init(env: Environment, chunk: Int, configuration: StoreConfiguration) {
        self.env = env
        self.chunk = chunk
        self.configuration = configuration
        pending.reserveCapacity(chunk)
    }

    mutating func put(_ table: Database, key: UnsafeRawBufferPointer, position: UInt64) throws {
        try put(table, key: Array(key), value: Keys.position(position))
    }

    mutating func put(_ table: Database, key: [UInt8], position: UInt64) throws {
        try put(table, key: key, value: Keys.position(position))
    }

    mutating func put(_ table: Database, key: [UInt8], value: [UInt8]) throws {
        pending.append((table, key, value))
        if pending.count >= chunk { try flush() }
    }

    mutating func flush() throws {
        guard !pending.isEmpty else { return }
        if let failure = TimelineStore.grow(env, adding: pending.count * 160, configuration: configuration) { throw failure }
        let batch = pending
        try env.write { txn in
            for (table, key, value) in batch {
                try txn.put(table, key: key, value: value, flags: .append)
            }
        }
        pending.removeAll(keepingCapacity: true)
    }
}
