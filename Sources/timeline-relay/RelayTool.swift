import ArgumentParser
import Foundation
import TimelineRelay

/// `timeline-relay`: ships one shard's log to NATS JetStream (docs/RELAY.md).
///
/// Exit codes: 0 done (`--once`) or stopped by SIGINT/SIGTERM; 1 the relay failed; 64 bad usage.
@main
struct RelayTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline-relay",
        abstract: "Ships a shard's log to its NATS JetStream stream, each record once, in position order (stream sequence = log position).",
        discussion: "Reads DIR's log read-only, beside a running timelined. Keeps no state: it resumes from the stream's last sequence. See docs/RELAY.md."
    )

    @Option(help: "The shard's data directory (opened read-only).")
    var data: String

    @Option(help: "NATS server URLs, comma-separated (nats://host:port); any node of a cluster.")
    var nats: String

    @Option(help: "The shard id (the stream is TIMELINE_<shard>). Default: cluster.shardId of --config, else 0.")
    var shard: Int?

    @Option(help: "A timelined config file: its cluster.shardId names the shard.")
    var config: String?

    @Option(help: "Replicas of the stream when the relay creates it.")
    var replicas: Int = 1

    @Option(help: "PubAcks in flight at most.")
    var window: Int = 256

    @Flag(help: "Ship up to the log's current head, then exit.")
    var once = false

    func run() async throws {
        var shardId = shard ?? 0
        if shard == nil, let config, let bytes = FileManager.default.contents(atPath: config),
           let root = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any],
           let cluster = root["cluster"] as? [String: Any], let id = cluster["shardId"] as? Int {
            shardId = id
        }
        var settings = Relay.Settings(dataDirectory: data, natsURLs: nats, shardId: shardId)
        settings.replicas = replicas
        settings.window = max(1, window)
        let relay = Relay(settings: settings)
        do {
            if once {
                let last = try await relay.shipOnce(deadline: Date().addingTimeInterval(30))
                FileHandle.standardError.write(Data("shipped through position \(last) to TIMELINE_\(shardId)\n".utf8))
                return
            }
            try await relay.run { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        } catch {
            FileHandle.standardError.write(Data("timeline-relay: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
