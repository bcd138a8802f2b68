/// Inclusion and consistency proofs of RFC 9162 (sections 2.1.3 and 2.1.4),
/// built from subtree hashes and checked with nothing but the hashes.
///
/// Leaves are numbered from 0 (leaf i is log position i + 1). Builders take
/// `subtree`, which gives MTH(D[range]) for the ranges a proof needs: every
/// range is either one leaf or a perfect subtree aligned to its size, except
/// the right edge of the tree, which may be a smaller, ragged subtree.
public enum MerkleProof {
    /// PATH(index, D[size]): the sibling hashes from the leaf up to the root.
    /// Requires `index < size`.
    public static func inclusion<E: Error>(
        index: UInt64, size: UInt64, subtree: (Range<UInt64>) throws(E) -> [UInt8]
    ) throws(E) -> [[UInt8]] {
        precondition(index < size, "the leaf must be in the tree")
        var path: [[UInt8]] = []
        var lo: UInt64 = 0, hi = size
        var siblings: [Range<UInt64>] = []
        while hi - lo > 1 {
            let k = MerkleHash.split(hi - lo)
            if index < lo + k {
                siblings.append((lo + k)..<hi)
                hi = lo + k
            } else {
                siblings.append(lo..<(lo + k))
                lo += k
            }
        }
        // RFC order: the sibling nearest the leaf first.
        for range in siblings.reversed() { path.append(try subtree(range)) }
        return path
    }

    /// PROOF(from, D[to]): the hashes that show the tree of `from` leaves is a
    /// prefix of the tree of `to` leaves. Requires `1 ≤ from ≤ to`; empty when equal.
    public static func consistency<E: Error>(
        from m: UInt64, to n: UInt64, subtree: (Range<UInt64>) throws(E) -> [UInt8]
    ) throws(E) -> [[UInt8]] {
        precondition(m >= 1 && m <= n, "a consistency proof needs 1 ≤ from ≤ to")
        guard m < n else { return [] }
        // SUBPROOF(m, D[lo:hi], b), unrolled: the inner part comes first in the proof.
        var tail: [Range<UInt64>] = []
        var lo: UInt64 = 0, hi = n, rest = m, whole = true
        while true {
            let size = hi - lo
            if rest == size {
                if !whole { tail.append(lo..<hi) }
                break
            }
            let k = MerkleHash.split(size)
            if rest <= k {
                tail.append((lo + k)..<hi)
                hi = lo + k
            } else {
                tail.append(lo..<(lo + k))
                lo += k
                rest -= k
                whole = false
            }
        }
        var proof: [[UInt8]] = []
        for range in tail.reversed() { proof.append(try subtree(range)) }
        return proof
    }

    // MARK: - Verification (RFC 9162 2.1.3.2 and 2.1.4.2, step by step)

    /// Whether `proof` shows the leaf with hash `leafHash` at `index` in the
    /// tree of `size` leaves whose root is `root`. Every hash must be 32 bytes.
    public static func verifyInclusion(leafHash: [UInt8], index: UInt64, size: UInt64, proof: [[UInt8]], root: [UInt8]) -> Bool {
        guard index < size, leafHash.count == MerkleHash.size, root.count == MerkleHash.size,
              proof.allSatisfy({ $0.count == MerkleHash.size })
        else { return false }
        var fn = index, sn = size - 1
        var r = leafHash
        for p in proof {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = MerkleHash.node(p, r)
                shiftToNextLeftChild(&fn, &sn)
            } else {
                r = MerkleHash.node(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// Whether `proof` shows the tree of `from` leaves with root `fromRoot` is a
    /// prefix of the tree of `to` leaves with root `toRoot`.
    public static func verifyConsistency(from first: UInt64, to second: UInt64, fromRoot: [UInt8], toRoot: [UInt8], proof: [[UInt8]]) -> Bool {
        guard first >= 1, first <= second, fromRoot.count == MerkleHash.size, toRoot.count == MerkleHash.size,
              proof.allSatisfy({ $0.count == MerkleHash.size })
        else { return false }
        if first == second { return proof.isEmpty && fromRoot == toRoot }
        guard !proof.isEmpty else { return false }
        var path = proof
        if first & (first - 1) == 0 { path.insert(fromRoot, at: 0) }
        var fn = first - 1, sn = second - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleHash.node(c, fr)
                sr = MerkleHash.node(c, sr)
                shiftToNextLeftChild(&fn, &sn)
            } else {
                sr = MerkleHash.node(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == fromRoot && sr == toRoot && sn == 0
    }

    /// "If LSB(fn) is not set, right-shift both fn and sn equally until either
    /// LSB(fn) is set or fn is 0" (RFC 9162 2.1.3.2 and 2.1.4.2).
    private static func shiftToNextLeftChild(_ fn: inout UInt64, _ sn: inout UInt64) {
        while fn & 1 == 0 && fn != 0 {
            fn >>= 1
            sn >>= 1
        }
    }
}
