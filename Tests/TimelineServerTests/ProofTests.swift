import Foundation
import TestSupport
import Testing
import TimelineClient
import TimelineModel

/// `proof.inclusion` and `proof.consistency` over the socket, checked with the
/// RFC 9162 verifiers and nothing but the hashes of `log.read`.
@Suite("proofs: proof.inclusion and proof.consistency over the socket", .timeLimit(.minutes(3)))
struct ProofTests {
    static func bytes(_ value: JSONValue?) -> [UInt8] { Hashing.bytes(fromHex: value?.stringValue ?? "") ?? [] }
    static func path(_ value: JSONValue?) -> [[UInt8]] { (value?.array ?? []).map { bytes($0) } }

    @Test("every event's inclusion proof verifies against the checkpoint's root; consistency proofs link every earlier size to the head")
    func proofsVerify() async throws {
        try await withDaemon { _, client in
            for _ in 0..<6 { _ = try await ReadTests.disputedOrder(client) }
            let log = try await readWholeLog(client)
            let size = UInt64(log.count)
            #expect(size >= 40, "enough events for stored subtrees: \(size)")
            let leaves = log.map { MerkleHash.leaf(Self.bytes($0["hash"])) }
            let root = MerkleHash.root(of: leaves[...])
            let checkpoint = try await client.call("admin.checkpoint")
            #expect(Self.bytes(checkpoint["rootHash"]) == root, "the checkpoint's root is the tree of every event")

            for position in 1...size {
                let reply = try await client.call("proof.inclusion", ["position": .int(Int64(position))])
                #expect(reply["position"]?.intValue == Int64(position))
                #expect(reply["treeSize"]?.intValue == Int64(size))
                #expect(Self.bytes(reply["leafHash"]) == leaves[Int(position - 1)])
                #expect(Self.bytes(reply["rootHash"]) == root)
                #expect(MerkleProof.verifyInclusion(
                    leafHash: leaves[Int(position - 1)], index: position - 1, size: size, proof: Self.path(reply["proof"]), root: root
                ), "position \(position)")
            }
            // In an earlier tree, against that tree's root.
            let earlier = size / 2 + 3
            let earlierRoot = MerkleHash.root(of: leaves[0..<Int(earlier)])
            let old = try await client.call("proof.inclusion", ["position": 5, "treeSize": .int(Int64(earlier))])
            #expect(Self.bytes(old["rootHash"]) == earlierRoot)
            #expect(MerkleProof.verifyInclusion(leafHash: leaves[4], index: 4, size: earlier, proof: Self.path(old["proof"]), root: earlierRoot))

            for from in 1...size {
                let reply = try await client.call("proof.consistency", ["fromSize": .int(Int64(from))])
                #expect(reply["toSize"]?.intValue == Int64(size))
                let fromRoot = MerkleHash.root(of: leaves[0..<Int(from)])
                #expect(Self.bytes(reply["fromRoot"]) == fromRoot)
                #expect(Self.bytes(reply["toRoot"]) == root)
                #expect(MerkleProof.verifyConsistency(from: from, to: size, fromRoot: fromRoot, toRoot: root, proof: Self.path(reply["proof"])), "\(from) → \(size)")
            }
            let between = try await client.call("proof.consistency", ["fromSize": 7, "toSize": .int(Int64(earlier))])
            #expect(MerkleProof.verifyConsistency(
                from: 7, to: earlier, fromRoot: MerkleHash.root(of: leaves[0..<7]), toRoot: earlierRoot, proof: Self.path(between["proof"])
            ))
        }
    }

    @Test("proof requests outside the log are refused with the code and a sentence naming the field")
    func proofErrors() async throws {
        try await withDaemon { _, client in
            _ = try await ReadTests.disputedOrder(client)
            let head = try await client.stats()["head"]?.intValue ?? 0
            let missing = await expectFailure("bad_request") { try await client.call("proof.inclusion") }
            #expect(missing?.message.contains("position") == true)
            await expectFailure("bad_request") { try await client.call("proof.inclusion", ["position": "one"]) }
            await expectFailure("bad_request") { try await client.call("proof.inclusion", ["position": 0]) }
            await expectFailure("not_found") { try await client.call("proof.inclusion", ["position": .int(head + 1)]) }
            let past = await expectFailure("bad_request") { try await client.call("proof.inclusion", ["position": 1, "treeSize": .int(head + 1)]) }
            #expect(past?.message.contains("treeSize") == true)
            await expectFailure("bad_request") { try await client.call("proof.inclusion", ["position": 3, "treeSize": 2]) }
            await expectFailure("bad_request") { try await client.call("proof.consistency") }
            await expectFailure("bad_request") { try await client.call("proof.consistency", ["fromSize": 0]) }
            await expectFailure("bad_request") { try await client.call("proof.consistency", ["fromSize": 3, "toSize": 2]) }
            await expectFailure("bad_request") { try await client.call("proof.consistency", ["fromSize": 1, "toSize": .int(head + 1)]) }
            let same = try await client.call("proof.consistency", ["fromSize": .int(head), "toSize": .int(head)])
            #expect(same["proof"] == .array([]))
            #expect(same["fromRoot"] == same["toRoot"])
        }
    }
}
