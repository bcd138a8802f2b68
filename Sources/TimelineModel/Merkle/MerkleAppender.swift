/// One node of a Merkle tree: the subtree of 2^level leaves starting at leaf index × 2^level.
public struct MerkleNode: Sendable, Equatable {
    public var level: Int
    public var index: UInt64
    public var hash: [UInt8]
}

/// Grows the stored nodes as leaves arrive in log order: each complete block
/// of 16 leaves gives a level-4 node, and each completed pair at a level gives
/// its parent. A value type: a views transaction that fails leaves the
/// caller's copy as it was.
public struct MerkleAppender: Sendable {
    /// Subtrees of 2^4 = 16 leaves and up are kept as nodes; smaller ones are recomputed from leaves.
    public static let lowestLevel = 4
    /// Leaves per node of the lowest level.
    public static let blockLeaves = UInt64(1) << lowestLevel

    /// Leaves taken in so far (the tree's size).
    public private(set) var count: UInt64
    /// Leaf hashes of the block not yet complete (fewer than 16).
    private var block: [[UInt8]]
    /// Per level, the last node still waiting for its right sibling.
    private var unpaired: [Int: [UInt8]]

    /// An empty tree.
    public init() {
        count = 0
        block = []
        unpaired = [:]
    }

    /// The appender of a tree of `count` leaves, whose last partial block's leaf
    /// hashes are `leaf(i)` and whose stored nodes are `node(level, index)`.
    public init<E: Error>(
        count: UInt64, leaf: (UInt64) throws(E) -> [UInt8], node: (Int, UInt64) throws(E) -> [UInt8]
    ) throws(E) {
        self.count = count
        let blockStart = count - count % MerkleAppender.blockLeaves
        block = []
        for i in blockStart..<count { block.append(try leaf(i)) }
        unpaired = [:]
        var level = MerkleAppender.lowestLevel
        while count >> level > 0 {
            let complete = count >> level
            if complete & 1 == 1 { unpaired[level] = try node(level, complete - 1) }
            level += 1
        }
    }

    /// The root of the tree of ``count`` leaves: the perfect subtrees of the
    /// size's binary decomposition, largest on the left, joined right to left
    /// (RFC 9162's split at the largest power of two below n).
    public var root: [UInt8] {
        var acc: [UInt8]? = block.isEmpty ? nil : MerkleHash.root(of: block[...])
        for level in unpaired.keys.sorted() {
            guard let left = unpaired[level] else { continue }
            acc = acc.map { MerkleHash.node(left, $0) } ?? left
        }
        return acc ?? MerkleHash.empty
    }

    /// Takes in the next leaf hash; returns the nodes it completes, lowest first.
    public mutating func append(_ leafHash: [UInt8]) -> [MerkleNode] {
        block.append(leafHash)
        count += 1
        guard block.count == Int(MerkleAppender.blockLeaves) else { return [] }
        var done = [MerkleNode(level: MerkleAppender.lowestLevel, index: (count >> MerkleAppender.lowestLevel) - 1, hash: MerkleHash.root(of: block[...]))]
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

