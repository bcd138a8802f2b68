import Foundation
import NIOCore
import TimelineModel
import TimelineStore

/// `timeline-relay`: ships a shard's log to its JetStream stream, each record once,
/// in position order. It keeps no state of its own: the stream's last sequence is
/// where it stands (stream sequence = log position), and every publish expects the
/// previous sequence (`Nats-Expected-Last-Sequence`), so what lands is always a
/// gap-free prefix of the log. On any error it drops its window of PubAcks in
/// flight, reconnects, reads the stream's last sequence again and goes on.
public struct Relay: Sendable {
    /// What to ship and where.
    public struct Settings: Sendable {
        public var dataDirectory: String
        public var natsURLs: String
        public var shardId: Int
        public var replicas: Int = 1
        /// PubAcks in flight at most.
        public var window: Int = 256

        public init(dataDirectory: String, natsURLs: String, shardId: Int) {
            self.dataDirectory = dataDirectory
            self.natsURLs = natsURLs
            self.shardId = shardId
        }
    }

    public let settings: Settings

    public init(settings: Settings) { self.settings = settings }

    /// Opens the store read-only (beside a running daemon).
    func openStore() throws -> TimelineStore {
        var configuration = StoreConfiguration(path: settings.dataDirectory)
        configuration.readOnly = true
        return try TimelineStore(configuration: configuration)
    }

    /// Ships every record up to the log's head as it stands now; returns the stream's last sequence.
    /// Retries after errors until `deadline`.
    @discardableResult
    public func shipOnce(deadline: Date = .distantFuture) async throws -> UInt64 {
        let store = try openStore()
        while true {
            do {
                let nats = try await NATSConnection.connect(urls: settings.natsURLs)
                defer { Task { await nats.close() } }
                return try await ship(store: store, through: try store.durableHead().position, stream: JetStream(nats))
            } catch {
                if Date() >= deadline { throw error }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Runs until cancelled: ships what is there, then what every commit adds (the
    /// log's head is read from log/ every `interval`: one read of a page in memory).
    public func run(interval: Duration = .milliseconds(100), log: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        let store = try openStore()
        var shipped: UInt64 = 0
        while !Task.isCancelled {
            do {
                let nats = try await NATSConnection.connect(urls: settings.natsURLs)
                let stream = JetStream(nats)
                while !Task.isCancelled && nats.isOpen {
                    let head = try store.durableHead().position
                    if head > shipped {
                        shipped = try await ship(store: store, through: head, stream: stream)
                    }
                    try await Task.sleep(for: interval)
                }
                await nats.close()
            } catch is CancellationError {
                return
            } catch {
                log("relay: \(error); reconnecting")
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// Publishes positions after the stream's last sequence through `head`; returns the new last sequence.
    func ship(store: TimelineStore, through head: UInt64, stream: JetStream) async throws -> UInt64 {
        let shard = settings.shardId
        var last = try await stream.ensureStream(shardId: shard, replicas: settings.replicas)
        guard last < head else {
            if last > head {
                throw RelayError("the stream \(JetStream.streamName(shardId: shard)) holds \(last) messages, but this log ends at \(head): it is another store's stream, or this log lost its tail")
            }
            return last
        }
        let storeId = store.storeId ?? "unknown"
        let subject = JetStream.eventSubject(shardId: shard)
        while last < head {
            let records = try store.durableRecords(from: last + 1, limit: min(settings.window, Int(head - last)))
            guard !records.isEmpty else { break }
            let first = last + 1
            // A window of publishes in flight, written in position order; the acks checked in that order.
            var pending: [(UInt64, NATSConnection.Pending)] = []
            for (offset, bytes) in records.enumerated() {
                let position = first + UInt64(offset)
                let headers = try Self.headers(bytes, position: position, storeId: storeId, shardId: shard)
                pending.append((position, try await stream.nats.start(subject, headers: headers, payload: bytes)))
            }
            for (position, started) in pending {
                try Self.check(try await stream.nats.reply(to: started, timeout: .seconds(10)), position: position)
            }
            // Redaction downstream: the stream forgets the targets' messages too (their
            // headers, in the redaction event, keep the log restorable and verifiable).
            for bytes in records where Self.isRedaction(bytes) {
                let record = try bytes.withUnsafeBufferPointer { try RecordedEvent(bytes: $0) }
                for target in Redaction.targetPositions(of: record) where target <= last + UInt64(records.count) {
                    try await stream.erase(shardId: shard, sequence: target)
                }
            }
            last = first + UInt64(records.count) - 1
        }
        return last
    }

    /// Whether the stored bytes are a `redaction.applied` (a cheap look before decoding).
    static func isRedaction(_ bytes: [UInt8]) -> Bool {
        let needle = Array(#""type":"redaction.applied""#.utf8)
        return bytes.count > needle.count && bytes.suffix(needle.count + 1).starts(with: needle)
    }

    /// The headers of the record at `position`.
    static func headers(_ bytes: [UInt8], position: UInt64, storeId: String, shardId: Int) throws -> [(String, String)] {
        let record: RecordedEvent
        do { record = try bytes.withUnsafeBufferPointer { try RecordedEvent(bytes: $0) } } catch {
            throw RelayError("the record at position \(position) cannot be read: \(error)")
        }
        return [
            ("Nats-Msg-Id", "\(storeId):\(shardId):\(position)"),
            ("Nats-Expected-Last-Sequence", String(position - 1)),
            ("Timeline-Position", String(position)),
            ("Timeline-Order", record.order),
            ("Timeline-Type", record.type),
            ("Timeline-Hash", record.hash),
        ]
    }

    /// A PubAck must name sequence `position`.
    static func check(_ ack: NATSMessage, position: UInt64) throws {
        if let status = ack.status, status >= 400 { throw NATSError.jetStream(code: status, description: "the publish of position \(position) got status \(status)") }
        let value = (try? JSONParser.parse(ack.payload)) ?? .null
        if let error = value["error"] {
            throw NATSError.jetStream(code: Int(error["code"]?.intValue ?? 0), description: "position \(position): \(error["description"]?.stringValue ?? "\(error)")")
        }
        guard let seq = value["seq"]?.intValue, UInt64(seq) == position else {
            throw RelayError("the stream stored position \(position) as sequence \(value["seq"]?.intValue.map(String.init) ?? "?"): the stream and the log disagree")
        }
    }
}

/// A relay failure a person can act on.
public struct RelayError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
