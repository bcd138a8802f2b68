import TimelineModel

/// An inclusion proof (`proof.inclusion`): the event at `position` is leaf
/// `position − 1` of the tree of `treeSize` leaves with root `rootHash`.
public struct InclusionProof: Sendable, Equatable {
    public var position: UInt64
    public var treeSize: UInt64
    /// SHA-256(0x00 || the event's raw hash).
    public var leafHash: [UInt8]
    public var rootHash: [UInt8]
    /// The sibling hashes from the leaf up.
    public var proof: [[UInt8]]

    /// A proof as `proof.inclusion` gives it.
    public init(position: UInt64, treeSize: UInt64, leafHash: [UInt8], rootHash: [UInt8], proof: [[UInt8]]) {
        self.position = position
        self.treeSize = treeSize
        self.leafHash = leafHash
        self.rootHash = rootHash
        self.proof = proof
    }
}

/// A consistency proof (`proof.consistency`): the tree of `fromSize` leaves is a
/// prefix of the tree of `toSize` leaves.
public struct ConsistencyProof: Sendable, Equatable {
    public var fromSize: UInt64
    public var toSize: UInt64
    public var fromRoot: [UInt8]
    public var toRoot: [UInt8]
    public var proof: [[UInt8]]
}

extension TimelineStore {
    /// The inclusion proof of the event at `position` in the tree of `treeSize`
    /// leaves (default: every event readers see), from one snapshot.
    public func inclusionProof(position: UInt64, treeSize: UInt64? = nil) throws(TimelineError) -> InclusionProof {
        try reading { s in
            let head = try Self.applied(in: s.views, tables: s.viewTables).position
            let size = treeSize ?? head
            try Self.checkTreeSize(size, head: head, field: "treeSize")
            guard position >= 1, position <= head else {
                throw TimelineError(.notFound, "there is no event at position \(position); the log holds positions 1 to \(head)")
            }
            guard position <= size else {
                throw TimelineError(.badRequest, "position \(position) is past treeSize \(size); ask for a treeSize of at least \(position)")
            }
            let reader = MerkleReader(snapshot: s)
            let path = try MerkleProof.inclusion(index: position - 1, size: size) { range throws in try reader.hash(range) }
            return InclusionProof(position: position, treeSize: size, leafHash: try reader.leaf(position - 1), rootHash: try reader.hash(0..<size), proof: path)
        }
    }

    /// The consistency proof from the tree of `fromSize` leaves to the tree of
    /// `toSize` (default: every event readers see), from one snapshot.
    public func consistencyProof(from fromSize: UInt64, to toSize: UInt64? = nil) throws(TimelineError) -> ConsistencyProof {
        try reading { s in
            let head = try Self.applied(in: s.views, tables: s.viewTables).position
            let to = toSize ?? head
            try Self.checkTreeSize(to, head: head, field: "toSize")
            guard fromSize >= 1, fromSize <= to else {
                throw TimelineError(.badRequest, "fromSize must be between 1 and toSize (\(to)); got \(fromSize)")
            }
            let reader = MerkleReader(snapshot: s)
            let proof = try MerkleProof.consistency(from: fromSize, to: to) { range throws in try reader.hash(range) }
            return ConsistencyProof(fromSize: fromSize, toSize: to, fromRoot: try reader.hash(0..<fromSize), toRoot: try reader.hash(0..<to), proof: proof)
        }
    }

    /// The root of the tree of the first `treeSize` events (default: every event readers see).
    public func merkleRoot(treeSize: UInt64? = nil) throws(TimelineError) -> (treeSize: UInt64, root: [UInt8]) {
        try reading { s in
            let head = try Self.applied(in: s.views, tables: s.viewTables).position
            let size = treeSize ?? head
            try Self.checkTreeSize(size, head: head, field: "treeSize")
            return (size, try MerkleReader(snapshot: s).hash(0..<size))
        }
    }

    private static func checkTreeSize(_ size: UInt64, head: UInt64, field: String) throws(TimelineError) {
        guard size <= head else {
            throw TimelineError(.badRequest, "\(field) \(size) is past the log's head \(head); ask for at most \(head)")
        }
    }
}
