import Testing
import TimelineModel

/// RFC 9162 hashing and proofs against the public Certificate Transparency /
/// transparency-dev vectors, and proofs a forger could hand an auditor.
@Suite("Merkle tree: RFC 9162 vectors and hostile proofs")
struct MerkleTests {
    static let leaves = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
        .map { MerkleHash.leaf(Hashing.bytes(fromHex: $0) ?? []) }
    static let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    /// Leaf hashes of a larger tree (SHA-256 of the index), to cover ragged edges.
    static let many: [[UInt8]] = (0..<70).map { i in MerkleHash.leaf(Array("leaf \(i)".utf8)) }

    static func subtree(_ leaves: [[UInt8]]) -> (Range<UInt64>) -> [UInt8] {
        { range in MerkleHash.root(of: leaves[Int(range.lowerBound)..<Int(range.upperBound)]) }
    }

    static func hex(_ proof: [[UInt8]]) -> [String] { proof.map { Hashing.hex($0) } }

    @Test("the roots of the 8 vector leaves, size by size, and the empty tree")
    func roots() {
        #expect(Hashing.hex(MerkleHash.empty) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        for n in 1...8 {
            #expect(Hashing.hex(MerkleHash.root(of: Self.leaves[0..<n])) == Self.roots[n - 1], "size \(n)")
        }
    }

    @Test("the published inclusion path of leaf 5 and consistency proof 3 → 8")
    func publishedProofs() {
        let path = MerkleProof.inclusion(index: 5, size: 8, subtree: Self.subtree(Self.leaves))
        #expect(Self.hex(path) == [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ])
        let consistency = MerkleProof.consistency(from: 3, to: 8, subtree: Self.subtree(Self.leaves))
        #expect(Self.hex(consistency) == [
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ])
    }

    @Test("every inclusion proof of trees up to 70 leaves verifies, and only for its own leaf, index, size and root")
    func inclusionEverywhere() {
        let leaves = Self.many
        for n in 1...UInt64(leaves.count) {
            let root = MerkleHash.root(of: leaves[0..<Int(n)])
            for i in 0..<n {
                let proof = MerkleProof.inclusion(index: i, size: n, subtree: Self.subtree(leaves))
                let leaf = leaves[Int(i)]
                #expect(MerkleProof.verifyInclusion(leafHash: leaf, index: i, size: n, proof: proof, root: root), "\(i) in \(n)")
                if i + 1 < n { #expect(!MerkleProof.verifyInclusion(leafHash: leaf, index: i + 1, size: n, proof: proof, root: root)) }
                if n < UInt64(leaves.count) {
                    let bigger = MerkleHash.root(of: leaves[0...Int(n)])
                    #expect(!MerkleProof.verifyInclusion(leafHash: leaf, index: i, size: n + 1, proof: proof, root: bigger), "a proof for another size")
                }
                #expect(!MerkleProof.verifyInclusion(leafHash: leaf, index: n, size: n, proof: proof, root: root), "index past the tree")
                let other = leaves[Int((i + 1) % n)]
                if n > 1 { #expect(!MerkleProof.verifyInclusion(leafHash: other, index: i, size: n, proof: proof, root: root)) }
                if !proof.isEmpty {
                    #expect(!MerkleProof.verifyInclusion(leafHash: leaf, index: i, size: n, proof: Array(proof.dropLast()), root: root), "truncated")
                    var flipped = proof
                    flipped[0][0] ^= 1
                    #expect(!MerkleProof.verifyInclusion(leafHash: leaf, index: i, size: n, proof: flipped, root: root), "altered")
                    var short = proof
                    short[0].removeLast()
                    #expect(!MerkleProof.verifyInclusion(leafHash: leaf, index: i, size: n, proof: short, root: root), "31-byte hash")
                }
                #expect(!MerkleProof.verifyInclusion(leafHash: leaf, index: i, size: n, proof: proof + [root], root: root), "extended")
            }
        }
    }

    @Test("every consistency proof of trees up to 70 leaves verifies, and fails for other sizes, roots or paths")
    func consistencyEverywhere() {
        let leaves = Self.many
        let roots = (0...leaves.count).map { MerkleHash.root(of: leaves[0..<$0]) }
        for n in 1...UInt64(leaves.count) {
            for m in 1...n {
                let proof = MerkleProof.consistency(from: m, to: n, subtree: Self.subtree(leaves))
                let (a, b) = (roots[Int(m)], roots[Int(n)])
                #expect(MerkleProof.verifyConsistency(from: m, to: n, fromRoot: a, toRoot: b, proof: proof), "\(m) → \(n)")
                guard m < n else {
                    #expect(proof.isEmpty)
                    continue
                }
                #expect(!MerkleProof.verifyConsistency(from: m, to: n, fromRoot: roots[Int(m) - 1], toRoot: b, proof: proof), "another first root")
                #expect(!MerkleProof.verifyConsistency(from: m, to: n, fromRoot: a, toRoot: roots[Int(n) - 1], proof: proof), "another second root")
                if n + 1 <= UInt64(leaves.count) {
                    #expect(!MerkleProof.verifyConsistency(from: m, to: n + 1, fromRoot: a, toRoot: roots[Int(n) + 1], proof: proof), "a proof for another size")
                }
                #expect(!MerkleProof.verifyConsistency(from: m, to: n, fromRoot: a, toRoot: b, proof: Array(proof.dropLast())), "truncated")
                #expect(!MerkleProof.verifyConsistency(from: m, to: n, fromRoot: a, toRoot: b, proof: proof + [b]), "extended")
                var flipped = proof
                flipped[flipped.count - 1][31] ^= 0x80
                #expect(!MerkleProof.verifyConsistency(from: m, to: n, fromRoot: a, toRoot: b, proof: flipped), "altered")
            }
        }
        #expect(!MerkleProof.verifyConsistency(from: 0, to: 4, fromRoot: MerkleHash.empty, toRoot: roots[4], proof: []))
        #expect(!MerkleProof.verifyConsistency(from: 5, to: 4, fromRoot: roots[5], toRoot: roots[4], proof: []))
        #expect(!MerkleProof.verifyConsistency(from: 4, to: 4, fromRoot: roots[4], toRoot: roots[4], proof: [roots[4]]), "equal sizes need an empty proof")
    }

    @Test("the appender's nodes and root match the tree computed from all leaves, at every size up to 300")
    func appender() {
        let leaves: [[UInt8]] = (0..<300).map { i in MerkleHash.leaf(Array("leaf \(i)".utf8)) }
        var appender = MerkleAppender()
        #expect(appender.root == MerkleHash.empty)
        for (i, leaf) in leaves.enumerated() {
            for node in appender.append(leaf) {
                let start = Int(node.index) << node.level
                #expect(node.hash == MerkleHash.root(of: leaves[start..<(start + (1 << node.level))]), "node \(node.level)/\(node.index)")
            }
            #expect(appender.count == UInt64(i + 1))
            #expect(appender.root == MerkleHash.root(of: leaves[0...i]), "size \(i + 1)")
        }
        // Seeded from stored nodes mid-block, it goes on exactly as the one that saw every leaf.
        var nodes: [String: [UInt8]] = [:]
        var full = MerkleAppender()
        for leaf in leaves[0..<150] { for n in full.append(leaf) { nodes["\(n.level)/\(n.index)"] = n.hash } }
        var seeded = MerkleAppender(count: 150, leaf: { leaves[Int($0)] }, node: { l, i in nodes["\(l)/\(i)"] ?? [] })
        for leaf in leaves[150...] { #expect(seeded.append(leaf) == full.append(leaf)) }
        #expect(seeded.root == full.root)
    }
}
