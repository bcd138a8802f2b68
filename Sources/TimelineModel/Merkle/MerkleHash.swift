import Crypto

/// The hashes of the log's Merkle tree (RFC 9162 section 2.1; DOMAIN.md
/// "Merkle tree"): leaf i is the 32 raw bytes of the `hash` of the event at
/// position i + 1.
public enum MerkleHash {
    /// A hash's size in bytes.
    public static let size = 32

    /// The root of the empty tree: SHA-256 of nothing.
    public static let empty: [UInt8] = Array(SHA256.hash(data: [UInt8]()))

    /// SHA-256(0x00 || leaf).
    public static func leaf(_ leaf: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: Array(leaf))
        return Array(hasher.finalize())
    }

    /// The leaf hash of a recorded event, from its hex `hash`; `nil` if that is not 64 hex digits.
    public static func leaf(ofEventHash hex: String) -> [UInt8]? {
        guard let bytes = Hashing.bytes(fromHex: hex), bytes.count == size else { return nil }
        return leaf(bytes)
    }

    /// SHA-256(0x01 || left || right).
    public static func node(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: left)
        hasher.update(data: right)
        return Array(hasher.finalize())
    }

    /// The largest power of two smaller than `n` (n ≥ 2): where RFC 9162 splits a tree of n leaves.
    public static func split(_ n: UInt64) -> UInt64 {
        precondition(n >= 2, "a tree of fewer than 2 leaves is not split")
        return UInt64(1) << (63 - (n - 1).leadingZeroBitCount)
    }

    /// MTH of `leafHashes` (the tree's leaf hashes, in order), computed from them all.
    public static func root(of leafHashes: ArraySlice<[UInt8]>) -> [UInt8] {
        switch leafHashes.count {
        case 0: return empty
        case 1: return leafHashes[leafHashes.startIndex]
        default:
            let k = Int(split(UInt64(leafHashes.count)))
            let mid = leafHashes.startIndex + k
            return node(root(of: leafHashes[..<mid]), root(of: leafHashes[mid...]))
        }
    }
}
