import LMDB
import TimelineModel

/// The Merkle tree's part in views/ (table `merkle`, DOMAIN.md "Merkle tree"):
/// the hash of every complete, aligned subtree of 2^level leaves for level ≥
/// ``lowestLevel``, under the key level (1 byte) + index (8 bytes, big-endian).
/// That is one node per 8 leaves, not 2n; the leaves themselves and the small
/// subtrees below ``lowestLevel`` are recomputed from the log's record hashes,
/// at most 2 × 15 leaves per proof.
enum MerkleNodes {
    /// Subtrees of 16 leaves and up are stored (the appender's nodes).
    static let lowestLevel = MerkleAppender.lowestLevel
    /// Leaves per stored subtree of the lowest level.
    static let blockLeaves = MerkleAppender.blockLeaves

    static func key(level: Int, index: UInt64) -> [UInt8] {
        [UInt8(level)] + Keys.uint64(index)
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

extension MerkleAppender {
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
}
