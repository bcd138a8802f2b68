import Foundation
import TimelineAudit
import TimelineModel
import TimelineRelay

/// `--nats URL --shard K`: a shard's log read back from its JetStream stream
/// (``StreamLog``: erased messages restored from their redaction's headers),
/// written as a JSON Lines export so every check runs on it as on an export.
enum StreamSource {
    static func fetch(urls: String, shardId: Int, into out: FileHandle) throws(AuditError) -> Int {
        defer { try? out.close() }
        let result = LiveSource.blocking { () async throws -> Int in
            let nats = try await NATSConnection.connect(urls: urls)
            defer { Task { await nats.close() } }
            let records = try await StreamLog.records(of: JetStream(nats), shardId: shardId)
            try out.write(contentsOf: records.flatMap { $0 + [0x0A] })
            return records.count
        }
        switch result {
        case .success(let count): return count
        case .failure(let error): throw AuditError("reading stream TIMELINE_\(shardId) at \(urls) failed: \(error)")
        }
    }
}
