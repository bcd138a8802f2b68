import Foundation
import LMDB
import Testing
import TimelineAudit
import TimelineModel
import TimelineStore
import TestSupport

/// The Merkle tree in views/ is derived state: the applier grows it batch by
/// batch, and every way of deriving views/ again (replay, rebuild in place,
/// rebuild at start in small transactions) stores the very same nodes.
@Suite("Merkle tree in views/: applied, replayed, rebuilt")
struct MerkleStoreTests {
    /// Every (key, value) of views' `merkle` table.
    static func nodes(_ path: String) throws -> [[UInt8]] { try Tamperer(path).entries("merkle") }

    /// The leaf hashes of the log, from its records' hashes.
    static func leaves(_ path: String) throws -> [[UInt8]] {
        let t = try Tamperer(path)
        return try t.positions().map { MerkleHash.leaf(Hashing.bytes(fromHex: try t.record($0).hash) ?? []) }
    }

    /// A store of about 300 events committed in batches of many sizes.
    static func makeStore(_ path: String) throws -> TimelineStore {
        let store = try Fixture.makeStore(path, orders: 20)
        for i in 0..<70 {
            let events = (0...(i % 5)).map { k in Fixture.event("m-\(i)-\(k)", "support.note", Fixture.staff, ["text": .string("note \(i) \(k)")]) }
            try Fixture.commit(store, [AppendRequest(order: "A-\(1000 + i % 20)", events: events)])
        }
        return store
    }

    @Test("the stored tree gives the root of every size and proofs that verify")
    func rootsAndProofs() throws {
        let dir = TempDirectory("merkle")
        let path = dir.sub("store")
        let store = try Self.makeStore(path)
        let leaves = try Self.leaves(path)
        #expect(leaves.count > 256, "past level 8: \(leaves.count)")
        for size in [0] + Array(1...leaves.count) {
            #expect(try store.merkleRoot(treeSize: UInt64(size)).root == MerkleHash.root(of: leaves[0..<size]), "size \(size)")
        }
        let n = UInt64(leaves.count)
        let root = MerkleHash.root(of: leaves[...])
        for position in 1...n {
            let p = try store.inclusionProof(position: position)
            #expect(p.treeSize == n && p.rootHash == root && p.leafHash == leaves[Int(position - 1)])
            #expect(MerkleProof.verifyInclusion(leafHash: p.leafHash, index: position - 1, size: n, proof: p.proof, root: root), "position \(position)")
        }
        for from in stride(from: UInt64(1), through: n, by: 7) {
            for to in [from, from + 1, (from + n) / 2, n] where to >= from && to <= n {
                let p = try store.consistencyProof(from: from, to: to)
                #expect(MerkleProof.verifyConsistency(from: from, to: to, fromRoot: p.fromRoot, toRoot: p.toRoot, proof: p.proof), "\(from) → \(to)")
                #expect(p.toRoot == MerkleHash.root(of: leaves[0..<Int(to)]))
            }
        }
    }

    @Test("replay after a kill, the in-place rebuild and the rebuild at start store the same nodes as the live applier")
    func derivedAlike() throws {
        let dir = TempDirectory("merkle-derive")
        let original = dir.sub("original")
        do {
            let store = try Self.makeStore(original)
            try store.closeCleanly()
        }
        let reference = try Self.nodes(original)
        #expect(!reference.isEmpty)

        // Replay: the last 37 records in the log only, as a kill -9 leaves them.
        let lagging = dir.sub("lagging")
        do {
            let store = try Self.makeStore(lagging)
            for i in 0..<37 {
                _ = store.commitLog([AppendRequest(order: "A-1000", events: [Fixture.event("late-\(i)", "support.note", Fixture.staff, ["text": "late"])])])
            }
        }
        let replayed = try ViewsRecoveryTests.open(lagging)
        #expect(replayed.recovery.action == .replayed)
        let all = try Self.leaves(lagging)
        #expect(try replayed.merkleRoot().root == MerkleHash.root(of: all[...]))
        #expect(try Auditor.verify(store: replayed).isClean)

        do {
            let store = try ViewsRecoveryTests.open(original)
            _ = try store.rebuildViews()
            try store.closeCleanly()
        }
        #expect(try Self.nodes(original) == reference, "in place, one transaction")

        for chunk in [1, 7, 1000] {
            let path = dir.sub("chunk-\(chunk)")
            try Fixture.copy(original, to: path)
            try FileManager.default.removeItem(atPath: path + "/views")
            var config = StoreConfiguration(path: path)
            config.durability = .relaxed
            config.rebuildChunkRecords = chunk
            do {
                let store = try TimelineStore(configuration: config, moderation: .builtIn())
                #expect(store.recovery.action == .rebuilt)
            }
            #expect(try Self.nodes(path) == reference, "rebuilt at start in chunks of \(chunk)")
        }
    }
}
