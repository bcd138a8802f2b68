import Foundation
import TimelineAudit
import TimelineClient
import TimelineModel
import TimelineStore

/// `bundle --socket`: a running daemon as the bundle's source, read through
/// `order.events`, `log.read`, `proof.inclusion` and `evidence.get`; its newest
/// checkpoint is signed with `admin.checkpoint` when the peer may (admin role).
struct SocketBundleSource: BundleSource {
    let client: TimelineClient
    let socketPath: String
    let checkpoints: [Checkpoint]
    let publicKeyFile: [UInt8]?

    /// Connects to `socketPath`; `publicKeyFile` is the daemon's `checkpoint.pub`, when given.
    /// With `signCheckpoint` the daemon is asked for a fresh signed checkpoint (admin only).
    init(socketPath: String, publicKeyFile: [UInt8]?, signCheckpoint: Bool = true) throws(AuditError) {
        self.socketPath = socketPath
        self.publicKeyFile = publicKeyFile
        let connected = LiveSource.blocking { try await TimelineClient.connect(socketPath: socketPath) }
        guard case .success(let client) = connected else {
            throw AuditError("cannot reach timelined at \(socketPath): is it running?")
        }
        self.client = client
        // A fresh checkpoint covers every event; a peer without the admin role proves against the head, unsigned.
        if signCheckpoint, case .success(let reply) = LiveSource.blocking({ try await client.call("admin.checkpoint") }),
           let checkpoint = try? Checkpoint(bytes: CanonicalJSON.encode(reply)) {
            checkpoints = [checkpoint]
        } else {
            checkpoints = []
        }
    }

    var name: String { "timelined at \(socketPath)" }

    func call(_ op: String, _ params: [String: JSONValue] = [:]) throws(AuditError) -> JSONValue {
        let client = self.client
        switch LiveSource.blocking({ try await client.call(op, params) }) {
        case .success(let value): return value
        case .failure(let error): throw AuditError("\(op) at \(socketPath) failed: \(error)")
        }
    }

    func events(order: String) throws(AuditError) -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        var next: Int64? = 0
        while let revision = next {
            let page = try call("order.events", ["order": .string(order), "fromRevision": .int(revision), "limit": 10_000])
            for e in page["events"]?.arrayValue ?? [] {
                do { events.append(try RecordedEvent(json: e)) } catch { throw AuditError("the daemon sent an event that cannot be read: \(error.message)") }
            }
            next = page["next"]?.intValue
        }
        return events
    }

    func headPosition() throws(AuditError) -> UInt64 {
        UInt64(try call("log.read", ["limit": 1])["head"]?.intValue ?? 0)
    }

    func inclusionProof(position: UInt64, treeSize: UInt64) throws(AuditError) -> InclusionProof {
        let r = try call("proof.inclusion", ["position": .int(Int64(position)), "treeSize": .int(Int64(treeSize))])
        func bytes(_ v: JSONValue?) -> [UInt8] { Hashing.bytes(fromHex: v?.stringValue ?? "") ?? [] }
        return InclusionProof(
            position: position, treeSize: treeSize, leafHash: bytes(r["leafHash"]), rootHash: bytes(r["rootHash"]),
            proof: (r["proof"]?.arrayValue ?? []).map(bytes)
        )
    }

    func blob(sha256: String) throws(AuditError) -> [UInt8]? {
        let client = self.client
        switch LiveSource.blocking({ try await client.call("evidence.get", ["sha256": .string(sha256)]) }) {
        case .success(let reply):
            return (reply["contentBase64"]?.stringValue).flatMap { Data(base64Encoded: $0) }.map(Array.init)
        case .failure(let error):
            if "\(error)".contains("not_found") { return nil }
            throw AuditError("evidence.get at \(socketPath) failed: \(error)")
        }
    }
}
