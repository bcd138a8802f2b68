import Foundation
import Testing
import TestSupport
import TimelineClient
import TimelineModel
import TimelineRelay
import TimelineStore

#if canImport(Glibc)
import Glibc
#endif

/// A real nats-server (Debian's, JetStream on) on a free port, in its own directory.
final class NATSServer: @unchecked Sendable {
    let directory: TempDirectory
    let port: Int
    let process = Process()
    var url: String { "nats://127.0.0.1:\(port)" }

    init() throws {
        directory = try TempDirectory(prefix: "nats")
        port = Int.random(in: 20_000...40_000)
        let binary = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let binary else { throw RelayError("nats-server is not installed: apt-get install nats-server (.ci/run installs it)") }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", try directory.subdirectory("js")]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if Self.accepts(port) { return }
            usleep(50_000)
        }
        throw RelayError("nats-server did not listen on \(port) within 20 s")
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    deinit {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }
}

/// timeline-relay against a real nats-server: every record lands once, at the
/// sequence of its position, with its headers; a second run resumes from the
/// stream and adds only what is new; a stream ahead of the log is refused.
@Suite("relay: the log shipped to NATS JetStream", .serialized, .timeLimit(.minutes(3)))
struct RelayTests {
    /// A store with `orders` orders of 5 events each.
    static func fill(_ harness: StoreHarness, orders: Range<Int>) throws {
        for i in orders {
            var script = OrderScript(order: "R-\(i)")
            try harness.append(script.order, [script.placed(), script.paid()])
            try harness.append(script.order, [script.chat("when can you trade? \(i)", by: script.buyer), script.chat("now", by: script.seller)])
            try harness.append(script.order, [script.delivered()])
        }
    }

    @Test("each record lands once at sequence = position with its headers; a second run adds only the new ones")
    func shipsExactlyOnce() async throws {
        let nats = try await offPool { try NATSServer() }
        let harness = try StoreHarness()
        try Self.fill(harness, orders: 0..<60)
        let path = harness.configuration.path
        let head = harness.store.logHead.position
        harness.close()
        let relay = Relay(settings: Relay.Settings(dataDirectory: path, natsURLs: nats.url, shardId: 3))
        #expect(try await relay.shipOnce(deadline: Date().addingTimeInterval(20)) == head)

        let connection = try await NATSConnection.connect(urls: nats.url)
        let stream = JetStream(connection)
        #expect(try await stream.lastSequence(shardId: 3) == head)
        var configuration = StoreConfiguration(path: path)
        configuration.readOnly = true
        // One environment per file and process: the read-only store is released before the next writer opens.
        do {
        let store = try TimelineStore(configuration: configuration, moderation: .builtIn())
        let records = try store.logBytes(from: 1, limit: Int(head)).records
        for position in [1, 2, head / 2, head] {
            let (headers, data) = try await stream.message(shardId: 3, sequence: position)
            #expect(data == records[Int(position - 1)], "position \(position) is the record's canonical bytes")
            #expect(headers["Timeline-Position"] == String(position))
            #expect(headers["Nats-Msg-Id"] == "\(store.storeId ?? ""):3:\(position)")
            let record = try records[Int(position - 1)].withUnsafeBufferPointer { try RecordedEvent(bytes: $0) }
            #expect(headers["Timeline-Hash"] == record.hash && headers["Timeline-Order"] == record.order && headers["Timeline-Type"] == record.type)
        }
        }

        // Nothing new: nothing sent. New records: only those.
        #expect(try await relay.shipOnce() == head)
        #expect(try await stream.lastSequence(shardId: 3) == head)
        let more = try StoreHarness.reopen(path)
        try Self.fill(more, orders: 60..<70)
        let newHead = more.store.logHead.position
        more.close()
        #expect(try await relay.shipOnce() == newHead)
        #expect(try await stream.lastSequence(shardId: 3) == newHead)
        await connection.close()
    }

    @Test("a stream that holds more than the log (another store's, or a log that lost its tail) is refused, not overwritten")
    func refusesForeignStream() async throws {
        let nats = try await offPool { try NATSServer() }
        let big = try StoreHarness()
        try Self.fill(big, orders: 0..<10)
        let bigPath = big.configuration.path
        big.close()
        _ = try await Relay(settings: Relay.Settings(dataDirectory: bigPath, natsURLs: nats.url, shardId: 0)).shipOnce(deadline: Date().addingTimeInterval(20))
        let small = try StoreHarness()
        try Self.fill(small, orders: 0..<2)
        let smallPath = small.configuration.path
        small.close()
        await #expect(throws: RelayError.self) {
            try await Relay(settings: Relay.Settings(dataDirectory: smallPath, natsURLs: nats.url, shardId: 0)).shipOnce(deadline: Date())
        }
    }
}

extension RelayTests {
    @Test("a redaction erases its targets from the stream; the log read back from the stream is byte for byte the shard's; verify --nats is clean; restore rebuilds a store the audit finds clean")
    func redactVerifyRestore() async throws {
        let nats = try await offPool { try NATSServer() }
        let harness = try StoreHarness()
        try Self.fill(harness, orders: 0..<5)
        var script = OrderScript(order: "R-secret")
        try harness.append(script.order, [script.placed(), script.paid()])
        let secret = try harness.append(script.order, [script.chat("my phone is 0151 2345678", by: script.buyer)]).events[0].position
        let path = harness.configuration.path
        let relay = Relay(settings: Relay.Settings(dataDirectory: path, natsURLs: nats.url, shardId: 2))
        harness.close()
        _ = try await relay.shipOnce(deadline: Date().addingTimeInterval(20))
        let connection = try await NATSConnection.connect(urls: nats.url)
        let stream = JetStream(connection)
        #expect(try await stream.storedMessage(shardId: 2, sequence: secret) != nil)

        let again = try StoreHarness.reopen(path)
        _ = try again.store.commit([AppendRequest.redact(order: "R-secret", RedactionRequest(positions: [secret], reason: "GDPR Art. 17", requestedBy: "dpo"))])[0].get()
        let log = try again.store.logBytes(from: 1, limit: 10_000).records
        let storeId = again.store.storeId
        again.close()
        _ = try await relay.shipOnce(deadline: Date().addingTimeInterval(20))
        #expect(try await stream.storedMessage(shardId: 2, sequence: secret) == nil, "the target's message is erased from the stream")
        #expect(try await StreamLog.records(of: stream, shardId: 2) == log, "the stream gives back the shard's log, the redacted record from its header")
        await connection.close()

        let verify = try PackageBinary.run("timeline-audit", ["verify", "--nats", nats.url, "--shard", "2"])
        #expect(verify.status == 0, "\(verify)")
        let restored = try harness.directory.subdirectory("restored")
        let restore = try PackageBinary.run("timelinectl", ["restore", "--nats", nats.url, "--shard", "2", "--data", restored])
        #expect(restore.status == 0, "\(restore)")
        do {
            let store = try TimelineStore(configuration: StoreConfiguration(path: restored), moderation: .builtIn())
            #expect(try store.logBytes(from: 1, limit: 10_000).records == log, "the restored log is byte for byte the lost one")
            #expect(store.storeId == storeId, "the restored store keeps the lost one's id")
            try store.closeCleanly()
        }
        let audit = try PackageBinary.run("timeline-audit", ["verify", "--data", restored])
        #expect(audit.status == 0, "\(audit)")
    }
}

extension RelayTests {
    @Test("running beside a live daemon, the relay ships each commit the daemon makes, as it makes it")
    func followsALiveDaemon() async throws {
        let nats = try await offPool { try NATSServer() }
        let daemon = try DaemonProcess()
        try await offPool { try daemon.start() }
        let client = try await TimelineClient.connect(socketPath: daemon.socketPath)
        func append(_ order: String, _ count: Int) async throws {
            let placed: JSONValue = [
                "eventId": .string("\(order)-p"), "type": "order.placed", "actor": ["role": "system", "id": "shop"],
                "data": ["buyer": "b", "seller": "s", "item": ["title": "Sword", "quantity": 1], "price": ["amount": 100, "currency": "EUR"]],
            ]
            _ = try await client.append(order: order, events: [placed])
            for i in 0..<count {
                let chat: JSONValue = ["eventId": .string("\(order)-\(i)"), "type": "chat.message", "actor": ["role": "buyer", "id": "b"], "data": ["channel": "order", "text": .string("message \(i)")]]
                _ = try await client.append(order: order, events: [chat])
            }
        }
        func head() async throws -> UInt64 { UInt64(try await client.stats()["head"]?.intValue ?? 0) }
        try await append("L-1", 20)
        let relay = Relay(settings: Relay.Settings(dataDirectory: daemon.dataDirectory, natsURLs: nats.url, shardId: 5))
        let running = Task { try await relay.run(interval: .milliseconds(50)) }
        let connection = try await NATSConnection.connect(urls: nats.url)
        let stream = JetStream(connection)
        func shipped(_ target: UInt64) async throws -> Bool {
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if (try? await stream.lastSequence(shardId: 5)) == target { return true }
                try await Task.sleep(for: .milliseconds(50))
            }
            return false
        }
        #expect(try await shipped(try await head()), "what the daemon had when the relay started")
        try await append("L-2", 30)
        #expect(try await shipped(try await head()), "what the daemon committed while the relay ran")
        running.cancel()
        await connection.close()
        await client.close()
        #expect(try await offPool { try daemon.stop() } == 0)
    }
}

extension StoreHarness {
    /// A harness on an existing store directory (for a second batch of appends).
    static func reopen(_ path: String) throws -> StoreHarness {
        try StoreHarness { $0.path = path }
    }
}
