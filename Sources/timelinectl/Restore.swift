import ArgumentParser
import Foundation
import TimelineModel
import TimelineRelay
import TimelineStore

/// `timelinectl restore`: a lost shard's data directory rebuilt from its JetStream
/// stream (docs/RELAY.md): the log byte for byte, then views/ by the daemon's first start.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Builds a fresh data directory from a shard's NATS JetStream stream (the log byte for byte; views/ at the first start).",
        discussion: "Evidence blobs are not in the stream: restore them from a backup (docs/RELAY.md). Verify the result with timeline-audit verify --data DIR."
    )

    @Option(help: "NATS server URLs, comma-separated.") var nats: String
    @Option(help: "The shard whose stream (TIMELINE_<shard>) to read.") var shard: Int
    @Option(help: "The new data directory (must not hold a store).") var data: String
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        let records: [[UInt8]]
        let storeId: String?
        do {
            let connection = try await NATSConnection.connect(urls: nats)
            let stream = JetStream(connection)
            records = try await StreamLog.records(of: stream, shardId: shard)
            storeId = records.isEmpty ? nil : try await stream.storedMessage(shardId: shard, sequence: 1)?.headers["Nats-Msg-Id"]?.split(separator: ":").first.map(String.init)
            await connection.close()
        } catch {
            fail("cannot read stream TIMELINE_\(shard) at \(nats): \(error)")
            throw ExitCode(2)
        }
        let report: RestoreReport
        do {
            report = try TimelineStore.restoreLog(into: data, records: records, blobs: [], storeId: storeId)
        } catch {
            fail("\(error.code.rawValue): \(error.message)")
            throw ExitCode(error.code == .badRequest ? 64 : 3)
        }
        if json {
            print(CanonicalJSON.string(["records": .int(Int64(report.records)), "head": .int(Int64(report.head.position)), "headHash": .string(report.head.hash)]))
        } else {
            print("Restored \(report.records) records (head \(report.head.position), hash \(report.head.hash.prefix(16))…) into \(data)/log. Start timelined on it (it derives views/), then: timeline-audit verify --data \(data)")
        }
    }
}
