import Foundation
import NIOCore
import TimelineModel

/// The JetStream API calls the relay and the auditors make, over a ``NATSConnection``:
/// one stream per shard (`TIMELINE_<shardId>`, subjects `timeline.<shardId>.>`),
/// stream sequence = log position (ARCHITECTURE.md "Past one machine").
public struct JetStream: Sendable {
    public let nats: NATSConnection
    public var timeout: TimeAmount = .seconds(5)

    public init(_ nats: NATSConnection) { self.nats = nats }

    /// The stream of shard `shardId`.
    public static func streamName(shardId: Int) -> String { "TIMELINE_\(shardId)" }
    /// The subject each event of shard `shardId` is published on.
    public static func eventSubject(shardId: Int) -> String { "timeline.\(shardId).event" }

    /// Calls `$JS.API.<api>` with a JSON body; returns the reply's JSON or throws its error.
    public func api(_ api: String, _ body: JSONValue = .emptyObject) async throws -> JSONValue {
        let reply = try await nats.request("$JS.API." + api, payload: CanonicalJSON.encode(body), timeout: timeout)
        if let status = reply.status, status >= 400 {
            throw NATSError.jetStream(code: status, description: status == 503 ? "no JetStream responders (no stream leader, or JetStream is off)" : "status \(status)")
        }
        let value = (try? JSONParser.parse(reply.payload)) ?? .null
        if let error = value["error"] {
            throw NATSError.jetStream(code: Int(error["code"]?.intValue ?? 0), description: error["description"]?.stringValue ?? "\(error)")
        }
        return value
    }

    /// Creates the shard's stream, or checks the existing one: file storage, `replicas`,
    /// no purge, a duplicate window of 2 minutes, no limits. Returns its last sequence.
    @discardableResult
    public func ensureStream(shardId: Int, replicas: Int) async throws -> UInt64 {
        let name = Self.streamName(shardId: shardId)
        do {
            return try await lastSequence(shardId: shardId)
        } catch NATSError.jetStream(let code, _) where code == 404 || code == 10059 {
            // Stream not found: create it.
        }
        let config: JSONValue = [
            "name": .string(name), "subjects": [.string("timeline.\(shardId).>")], "storage": "file",
            "num_replicas": .int(Int64(replicas)), "retention": "limits", "discard": "old",
            "max_msgs": -1, "max_bytes": -1, "max_age": 0, "max_msg_size": -1, "deny_delete": false, "deny_purge": true,
            "duplicate_window": .int(120_000_000_000), "allow_direct": true,
        ]
        let created = try await api("STREAM.CREATE.\(name)", config)
        return UInt64(created["state"]?["last_seq"]?.intValue ?? 0)
    }

    /// The stream's last sequence (0 when empty).
    public func lastSequence(shardId: Int) async throws -> UInt64 {
        let info = try await api("STREAM.INFO.\(Self.streamName(shardId: shardId))")
        return UInt64(info["state"]?["last_seq"]?.intValue ?? 0)
    }

    /// Erases the message at `sequence` (secure erase: its bytes are overwritten); one
    /// already gone is no error (the relay may erase again after a restart).
    public func erase(shardId: Int, sequence: UInt64) async throws {
        do {
            _ = try await api("STREAM.MSG.DELETE.\(Self.streamName(shardId: shardId))", ["seq": .int(Int64(sequence)), "no_erase": false])
        } catch NATSError.jetStream(let code, let description) where code == 10057 || description.contains("no message found") {
            return
        }
    }

    /// The stored message at `sequence`: its headers and data; `nil` when it was erased.
    public func storedMessage(shardId: Int, sequence: UInt64) async throws -> (headers: [String: String], data: [UInt8])? {
        do {
            return try await message(shardId: shardId, sequence: sequence)
        } catch NATSError.jetStream(let code, let description) where code == 10037 || description.contains("no message found") {
            return nil
        }
    }

    /// The stored message at `sequence`: its headers and data.
    public func message(shardId: Int, sequence: UInt64) async throws -> (headers: [String: String], data: [UInt8]) {
        let reply = try await api("STREAM.MSG.GET.\(Self.streamName(shardId: shardId))", ["seq": .int(Int64(sequence))])
        let message = reply["message"] ?? .null
        let data = (message["data"]?.stringValue).flatMap { Data(base64Encoded: $0) }.map(Array.init) ?? []
        var headers: [String: String] = [:]
        if let encoded = message["hdrs"]?.stringValue, let block = Data(base64Encoded: encoded) {
            headers = NATSFrameDecoder.parseHeaders(Array(block)).1
        }
        return (headers, data)
    }
}
