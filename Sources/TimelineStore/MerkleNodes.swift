import LMDB
import TimelineModel

/// The Merkle tree's part in views/ (table `merkle`, DOMAIN.md "Merkle tree"):
/// the hash of every complete, aligned subtree of 2^level leaves for level ≥
/// ``lowestLevel``, under the key level (1 byte) + index (8 bytes, big-endian).
/// That is one node per 8 leaves, not 2n; the leaves themselves and the small
/// subtrees below ``lowestLevel`` are recomputed from the log's record hashes,
/// at most 2 × 15 leaves per proof.
enum MerkleNodes {
    /// Subtrees of 16 leaves and up are stored.
    static let lowestLevel = 4
    /// Leaves per stored subtree of the lowest level.
    static let blockLeaves = UInt64(1) << lowestLevel

    static func key(level: Int, index: UInt64) -> [UInt8] {
        [UInt8(level)] + Keys.uint64(index)
    }
}

/// One stored node: the subtree of 2^level leaves starting at leaf index × 2^level.
struct MerkleNode: Sendable, Equatable {
    var level: Int
    var index: UInt64
    var hash: [UInt8]
}

/// Grows the stored nodes as leaves arrive in log order: each complete block
/// of 16 leaves gives a level-4 node, and each completed pair at a level gives
/// its parent. A value type: a views transaction that fails leaves the
/// caller's copy as it was.
struct MerkleAppender: Sendable {
    /// Leaves taken in so far (the tree's size).
    private(set) var count: UInt64
    /// Leaf hashes of the block not yet complete (fewer than 16).
    private var block: [[UInt8]]
    /// Per level, the last node still waiting for its right sibling.
    private var unpaired: [Int: [UInt8]]

    /// An empty tree.
    init() {
        count = 0
        block = []
        unpaired = [:]
    }

    /// The appender of a tree of `count` leaves, whose last partial block's leaf
    /// hashes are `leaf(i)` and whose stored nodes are `node(level, index)`.
    init<E: Error>(
        count: UInt64, leaf: (UInt64) throws(E) -> [UInt8], node: (Int, UInt64) throws(E) -> [UInt8]
    ) throws(E) {
        self.count = count
        let blockStart = count - count % MerkleNodes.blockLeaves
        block = []
        for i in blockStart..<count { block.append(try leaf(i)) }
        unpaired = [:]
        var level = MerkleNodes.lowestLevel
        while count >> level > 0 {
            let complete = count >> level
            if complete & 1 == 1 { unpaired[level] = try node(level, complete - 1) }
            level += 1
        }
    }

    /// The appender of views' tree of `count` leaves, read from a views
    /// transaction and the log.
    init(count: UInt64, viewsTxn: some TransactionReading, tables: ViewTables, logEnv: Environment, log: LogTables) throws {
        self = try logEnv.read { logTxn in
            try MerkleAppender(
                count: count,
                leaf: { i throws in try MerkleReader.leaf(i, logTxn: logTxn, log: log) },
                node: { l, i throws in try MerkleReader.node(l, i, viewsTxn: viewsTxn, tables: tables) }
            )
        }
    }

    /// Takes in the next leaf hash; returns the nodes it completes, lowest first.
    mutating func append(_ leafHash: [UInt8]) -> [MerkleNode] {
        block.append(leafHash)
        count += 1
        guard block.count == Int(MerkleNodes.blockLeaves) else { return [] }
        var done = [MerkleNode(level: MerkleNodes.lowestLevel, index: (count >> MerkleNodes.lowestLevel) - 1, hash: MerkleHash.root(of: block[...]))]
        block.removeAll(keepingCapacity: true)
        while let last = done.last {
            guard last.index & 1 == 1 else {
                unpaired[last.level] = last.hash
                break
            }
            guard let left = unpaired.removeValue(forKey: last.level) else { break }
            done.append(MerkleNode(level: last.level + 1, index: last.index >> 1, hash: MerkleHash.node(left, last.hash)))
        }
        return done
    }
}

/// MTH of any range of leaves of a tree views/ reflect, from the stored nodes
/// and the log's record hashes, in one snapshot of both.
struct MerkleReader {
    let snapshot: StoreSnapshot

    /// The leaf hash of leaf `index` (log position index + 1).
    func leaf(_ index: UInt64) throws -> [UInt8] { try Self.leaf(index, logTxn: snapshot.log, log: snapshot.logTables) }

    /// The stored node `(level, index)`.
    func node(_ level: Int, _ index: UInt64) throws -> [UInt8] { try Self.node(level, index, viewsTxn: snapshot.views, tables: snapshot.viewTables) }

    static func leaf(_ index: UInt64, logTxn: some TransactionReading, log: LogTables) throws -> [UInt8] {
        guard let raw = try logTxn.get(log.records, key: Keys.position(index + 1)) else {
            throw TimelineError(.internal, "the log has no record at position \(index + 1) below its head; audit it with timeline-audit verify")
        }
        let record = try RecordedEvent(bytes: raw.assumingMemoryBound(to: UInt8.self))
        guard let hash = MerkleHash.leaf(ofEventHash: record.hash) else {
            throw TimelineError(.internal, "the record at position \(index + 1) has no valid hash; audit it with timeline-audit verify")
        }
        return hash
    }

    static func node(_ level: Int, _ index: UInt64, viewsTxn: some TransactionReading, tables: ViewTables) throws -> [UInt8] {
        guard let raw = try viewsTxn.get(tables.merkle, key: MerkleNodes.key(level: level, index: index)), raw.count == MerkleHash.size else {
            throw TimelineError(.internal, "views/ lack the Merkle node \(level)/\(index); rebuild them (admin.rebuild)")
        }
        return Array(raw)
    }

    /// MTH(D[range]).
    func hash(_ range: Range<UInt64>) throws -> [UInt8] {
        let size = range.upperBound - range.lowerBound
        if size == 0 { return MerkleHash.empty }
        if size == 1 { return try leaf(range.lowerBound) }
        if size & (size - 1) == 0 {
            let level = size.trailingZeroBitCount
            if level >= MerkleNodes.lowestLevel && range.lowerBound % size == 0 {
                return try node(level, range.lowerBound >> level)
            }
        }
        if size <= MerkleNodes.blockLeaves {
            return MerkleHash.root(of: try range.map { try leaf($0) }[...])
        }
        let k = MerkleHash.split(size)
        let mid = range.lowerBound + k
        return MerkleHash.node(try hash(range.lowerBound..<mid), try hash(mid..<range.upperBound))
    }
}
