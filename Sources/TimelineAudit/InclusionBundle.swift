import Crypto
import Foundation
import TimelineModel

/// Everything an outsider needs to check that one event is in the log, with
/// nothing but the daemon's public key (`timeline-audit prove` writes it,
/// `timeline-audit check-proof` checks it):
///
/// ```json
/// {"kind": "inclusion", "event": {recorded event}, "position": N, "treeSize": M,
///  "leafHash": hex, "rootHash": hex, "proof": [hex…], "checkpoint": {signed checkpoint}?}
/// ```
///
/// The event's own hash is recomputed from its fields (DOMAIN.md), its leaf hash
/// from that, the root from the leaf and the proof (RFC 9162 2.1.3.2), and the
/// root must be the one the signed checkpoint of `treeSize` carries.
public struct InclusionBundle: Sendable {
    public var event: RecordedEvent
    public var position: UInt64
    public var treeSize: UInt64
    public var leafHash: [UInt8]
    public var rootHash: [UInt8]
    public var proof: [[UInt8]]
    /// The signed checkpoint whose `rootHash` the proof leads to, when one was given.
    public var checkpoint: Checkpoint?

    public init(event: RecordedEvent, position: UInt64, treeSize: UInt64, leafHash: [UInt8], rootHash: [UInt8], proof: [[UInt8]], checkpoint: Checkpoint?) {
        self.event = event
        self.position = position
        self.treeSize = treeSize
        self.leafHash = leafHash
        self.rootHash = rootHash
        self.proof = proof
        self.checkpoint = checkpoint
    }

    /// The bundle as JSON.
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "kind": "inclusion", "event": event.json(), "position": .int(Int64(position)), "treeSize": .int(Int64(treeSize)),
            "leafHash": .string(Hashing.hex(leafHash)), "rootHash": .string(Hashing.hex(rootHash)),
            "proof": .array(proof.map { .string(Hashing.hex($0)) }),
        ]
        if let checkpoint { o["checkpoint"] = .object(checkpoint.members) }
        return .object(o)
    }

    /// Reads a bundle from its JSON text.
    public init(bytes: [UInt8]) throws(AuditError) {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw AuditError("the proof file is not valid JSON: \(error.message)") }
        guard let o = value.objectValue, o["kind"]?.stringValue == "inclusion" else {
            throw AuditError("the proof file must be an object with \"kind\": \"inclusion\" (as timeline-audit prove writes it)")
        }
        func hex(_ key: String) throws(AuditError) -> [UInt8] {
            guard let text = o[key]?.stringValue, let bytes = Hashing.bytes(fromHex: text), bytes.count == MerkleHash.size else {
                throw AuditError("the proof file's \(key) must be 64 hex digits")
            }
            return bytes
        }
        func count(_ key: String) throws(AuditError) -> UInt64 {
            guard let n = o[key]?.intValue, n >= 1 else { throw AuditError("the proof file's \(key) must be an integer ≥ 1") }
            return UInt64(n)
        }
        guard let eventJSON = o["event"] else { throw AuditError("the proof file lacks the event it proves") }
        do { event = try RecordedEvent(json: eventJSON) } catch { throw AuditError("the proof file's event is not a recorded event: \(error)") }
        position = try count("position")
        treeSize = try count("treeSize")
        leafHash = try hex("leafHash")
        rootHash = try hex("rootHash")
        guard case .array(let items) = o["proof"] ?? .null else { throw AuditError("the proof file's proof must be an array of hex hashes") }
        proof = []
        for item in items {
            guard let text = item.stringValue, let bytes = Hashing.bytes(fromHex: text) else { throw AuditError("the proof file's proof must be an array of hex hashes") }
            proof.append(bytes)
        }
        if let c = o["checkpoint"] {
            checkpoint = try Checkpoint(bytes: CanonicalJSON.encode(c))
        } else {
            checkpoint = nil
        }
    }

    /// What does not hold, one sentence each (empty: the event is proven to be
    /// at `position` in the log whose signed checkpoint is `checkpoint`).
    public func problems(publicKey: [UInt8]?) -> [String] {
        var out = proofProblems
        guard let checkpoint else {
            out.append("no signed checkpoint: rootHash is not signed by the daemon (prove with --checkpoint FILE from admin.checkpoint)")
            return out
        }
        guard let publicKey else {
            out.append("no public key was given: the checkpoint's signature could not be checked")
            return out
        }
        out += checkpoint.signatureFindings(publicKey: publicKey).map(\.message)
        out += rootProblems(checkpoint)
        out += checkpoint.merkleFindings(root: nil, publicKey: publicKey).map(\.message)
        return out
    }

    /// What does not hold about the event and its path to `rootHash`, the
    /// checkpoint aside (empty: the event, as its hashes say, is the leaf at
    /// `position` of a tree of `treeSize` events whose root is `rootHash`).
    public var proofProblems: [String] {
        var out: [String] = []
        if event.position != position { out.append("the event is at position \(event.position), the proof is for position \(position)") }
        if event.computedHash != event.hash { out.append("the event's hash does not match its fields: it was changed after it was recorded") }
        if !event.isRedacted, Hashing.sha256Hex(CanonicalJSON.encode(event.data)) != event.dataHash {
            out.append("the event's data does not hash to its dataHash")
        }
        if MerkleHash.leaf(ofEventHash: event.hash) != leafHash { out.append("leafHash is not SHA-256(0x00 || the event's hash)") }
        if !MerkleProof.verifyInclusion(leafHash: leafHash, index: position - 1, size: treeSize, proof: proof, root: rootHash) {
            out.append("the proof does not lead from the leaf at position \(position) to rootHash in a tree of \(treeSize) events")
        }
        return out
    }

    /// What does not hold between the proof's tree and `checkpoint`'s: its size and its root.
    public func rootProblems(_ checkpoint: Checkpoint) -> [String] {
        var out: [String] = []
        if (checkpoint.treeSize ?? checkpoint.position) != treeSize {
            out.append("the checkpoint is of a tree of \(checkpoint.treeSize ?? checkpoint.position) events, the proof of \(treeSize)")
        }
        if checkpoint.rootHash != Hashing.hex(rootHash) { out.append("the checkpoint's rootHash is not the root the proof leads to") }
        return out
    }
}
