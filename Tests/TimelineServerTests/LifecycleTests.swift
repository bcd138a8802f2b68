import Foundation
import Synchronization
import TestSupport
import Testing
import TimelineClient
import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

@Suite("daemon lifecycle: SIGTERM, restart, locks, sockets", .timeLimit(.minutes(3)))
struct LifecycleTests {
    @Test("SIGTERM under load loses no acknowledged event, exits 0, and the restarted daemon has every ack exactly once")
    func sigtermUnderLoad() async throws {
        var config = DaemonConfig()
        config.durability = "strict"
        let daemon = try DaemonProcess(config: config)
        try await offPool { try daemon.start() }
        let acks = Counter()
        let writersAcked = Counter()
        let failures = Notes()
        let writers = Task {
            try await withThrowingTaskGroup(of: [(eventId: String, position: Int)].self) { group in
                for w in 0..<8 {
                    group.addTask {
                        var mine: [(eventId: String, position: Int)] = []
                        let client: TimelineClient
                        do {
                            client = try await connect(daemon)
                        } catch {
                            failures.add("writer \(w) could not connect: \(error)")
                            return mine
                        }
                        let o = OrderFixture("K\(w)")
                        var batch = [o.placed(), o.paid()]
                        var i = 0
                        while true {
                            do {
                                let reply = try await client.append(order: o.order, events: batch)
                                for (event, entry) in zip(batch, reply["events"]?.array ?? []) {
                                    mine.append((eventId: event["eventId"]?.stringValue ?? "", position: entry["position"]?.int ?? -1))
                                }
                                acks.add(batch.count)
                                if i == 0 { writersAcked.add(1) }
                                i += 1
                                batch = [o.note("load \(i)")]
                            } catch {
                                let code = errorCode(of: error)
                                if code != nil && code != "shutting_down" {
                                    failures.add("\(error)")
                                }
                                break
                            }
                        }
                        await client.close()
                        return mine
                    }
                }
                var all: [(eventId: String, position: Int)] = []
                for try await part in group { all += part }
                return all
            }
        }
        // The SIGTERM must land while every writer is mid-stream: wait until each one has
        // had a batch acknowledged and the daemon has acknowledged a few dozen events.
        // (A fixed count of hundreds took longer than any timeout on a loaded CI machine.)
        let minimumAcks = 40
        #expect(
            await eventually(timeout: 90) { writersAcked.current == 8 && acks.current >= minimumAcks },
            "writers make progress before the SIGTERM: \(writersAcked.current) of 8 writers acknowledged, \(acks.current) events")
        daemon.signal(SIGTERM)
        let status = try await offPool { try daemon.waitForExit(timeout: 30) }
        #expect(status == 0, "drained and exited 0:\n\(daemon.log)")
        let acked = try await writers.value
        #expect(failures.all.isEmpty, "writers only saw shutting_down or a closed connection: \(failures.all)")
        #expect(acked.count >= minimumAcks)

        try await offPool { try daemon.start() }
        let client = try await connect(daemon)
        let log = try await readWholeLog(client)
        #expect(log.compactMap { $0["position"]?.int } == Array(1...max(1, log.count)))
        var positions: [String: [Int]] = [:]
        for event in log { positions[event["eventId"]?.stringValue ?? "", default: []].append(event["position"]?.int ?? -1) }
        let missing = acked.filter { positions[$0.eventId] != [$0.position] }
        #expect(missing.isEmpty, "\(missing.count) acknowledged events are missing or moved, e.g. \(missing.prefix(3))")
        var previous = String(repeating: "0", count: 64)
        for event in log {
            #expect(event["prevHash"]?.stringValue == previous)
            previous = event["hash"]?.stringValue ?? ""
        }
        await client.close()
        #expect(try await offPool { try daemon.stop() } == 0)
    }

    @Test("a SIGTERM the moment the socket appears is honoured: the daemon drains and exits 0")
    func sigtermDuringStartup() async throws {
        for round in 0..<5 {
            let daemon = try DaemonProcess()
            try daemon.launch()
            let status = try await offPool { () -> Int32 in
                let deadline = Date().addingTimeInterval(30)
                while !FileManager.default.fileExists(atPath: daemon.socketPath) && daemon.isRunning && Date() < deadline {}
                daemon.signal(SIGTERM)
                do {
                    return try daemon.waitForExit(timeout: 10)
                } catch {
                    return -1  // the SIGTERM was lost: still running (killed on deinit)
                }
            }
            #expect(status == 0, "round \(round): exit status \(status) (-1: still running 10 s after SIGTERM)\n\(daemon.log)")
        }
    }

    @Test("SIGHUP reloads the moderation rules and the daemon keeps serving")
    func sighupReloads() async throws {
        try await withDaemon { daemon, client in
            try moderationRules().write(to: URL(fileURLWithPath: daemon.scratch.file("moderation.json")))
            daemon.signal(SIGHUP)
            #expect(await eventually(timeout: 60) { daemon.log.contains("moderation rules reloaded") }, "\(daemon.log)")
            try await client.ping()
            daemon.signal(SIGHUP)
            try await client.ping()
        }
    }

    @Test("requests that arrive during the SIGTERM drain get shutting_down and write nothing; what was queued before it is committed")
    func drainRefusesNewRequests() async throws {
        let daemon = try DaemonProcess()
        try await offPool { try daemon.start() }
        let setup = try await connect(daemon)
        // A store big enough that `admin.rebuild` holds the writer thread for a while:
        // the drain waits for it, which keeps the daemon draining, deterministically,
        // while the late requests below arrive.
        let o = OrderFixture("Z")
        try await o.create(setup)
        for round in 0..<60 {
            let bulk = OrderFixture("BULK\(round)")
            _ = try await setup.append(order: bulk.order, events: [bulk.placed()] + (0..<999).map { bulk.note("bulk \($0)") })
        }
        await setup.close()

        let rebuilding = try RawConnection(path: daemon.socketPath)
        let queued = try RawConnection(path: daemon.socketPath)
        let late = try RawConnection(path: daemon.socketPath)
        let order = o.order
        func noteAppend(_ id: String, eventId: String) -> String {
            let note = text(OrderFixture.event("support.note", "support", "agent", ["text": .string(eventId)], eventId: eventId))
            return #"{"id":"\#(id)","op":"append","order":"\#(order)","events":[\#(note)]}"# + "\n"
        }
        try rebuilding.send(#"{"id":"rebuild","op":"admin.rebuild"}"# + "\n")
        // Queued behind the rebuild, before the SIGTERM: the drain commits it.
        try await Task.sleep(for: .milliseconds(100))
        try queued.send(noteAppend("early", eventId: "drain-early"))
        try await Task.sleep(for: .milliseconds(100))
        daemon.signal(SIGTERM)
        #expect(await eventually { daemon.log.contains("draining") }, "\(daemon.log)")
        // Arrive while the writer still rebuilds: refused at once, reads and appends alike.
        try late.send(#"{"id":"late-read","op":"log.read","fromPosition":1}"# + "\n" + noteAppend("late-append", eventId: "drain-late"))
        let lateReplies = try await offPool { try late.readLines(2, timeout: 30).map { try parseLine($0) } }
        let rebuildReply = try await offPool { try rebuilding.readLine(timeout: 60).map { try parseLine($0) } }
        let earlyReply = try await offPool { try queued.readLine(timeout: 60).map { try parseLine($0) } }
        #expect(lateReplies.map { $0["id"]?.stringValue } == ["late-read", "late-append"])
        #expect(lateReplies.allSatisfy { $0["error"]?["code"] == "shutting_down" }, "\(lateReplies)")
        #expect(rebuildReply?["ok"] == true, "the rebuild in progress finished during the drain: \(String(describing: rebuildReply))")
        #expect(earlyReply?["ok"] == true, "the append queued before the SIGTERM was committed: \(String(describing: earlyReply))")
        let status = try await offPool { try daemon.waitForExit(timeout: 60) }
        #expect(status == 0, "\(daemon.log)")

        try await offPool { try daemon.start() }
        let client = try await connect(daemon)
        let events = try await client.orderEvents(order)["events"]?.array ?? []
        let ids = Set(events.compactMap { $0["eventId"]?.stringValue })
        #expect(ids.contains("drain-early"), "the acknowledged append is kept")
        #expect(!ids.contains("drain-late"), "the refused append was not written")
        await client.close()
        #expect(try await offPool { try daemon.stop() } == 0)
    }

    @Test("SIGTERM while a client still reads a large reply: the reply arrives whole, ending in a newline, then the connection closes")
    func drainWritesRepliesWhole() async throws {
        let daemon = try DaemonProcess()
        try await offPool { try daemon.start() }
        let setup = try await connect(daemon)
        for round in 0..<12 {
            let bulk = OrderFixture("WHOLE\(round)")
            _ = try await setup.append(order: bulk.order, events: [bulk.placed()] + (0..<999).map { bulk.note("a longer chat line, number \($0) of the bulk") })
        }
        await setup.close()
        let reader = try RawConnection(path: daemon.socketPath)
        // Several MB: far more than the socket buffers hold, so most of it is still
        // in the daemon when the SIGTERM comes (the reader has not read a byte).
        try reader.send(#"{"id":"big","op":"log.read","fromPosition":1,"limit":10000}"# + "\n")
        // The reply is being written (its first bytes wait in the socket) before the SIGTERM.
        #expect(try await offPool { reader.waitUntilReadable(timeout: 30) })
        daemon.signal(SIGTERM)
        #expect(await eventually { daemon.log.contains("draining") }, "\(daemon.log)")
        // Sent during the drain: answered if it is read while a reply is still owed,
        // dropped after; either way the connection ends cleanly, not with a reset.
        try reader.send(#"{"id":"late","op":"ping"}"# + "\n")
        let lines = try await offPool { () throws -> [[UInt8]] in
            var lines: [[UInt8]] = []
            while let line = try reader.readLine(timeout: 30) { lines.append(line) }
            return lines
        }
        let reply = try parseLine(try #require(lines.first, "the reply was cut off before its newline"))
        #expect(reply["result"]?["events"]?.array.count == 10000)
        #expect(try lines.dropFirst().map(parseLine).allSatisfy { $0["id"] == "late" }, "nothing but the late ping's reply follows")
        #expect(!reader.sawReset, "the daemon read what was sent before closing: EOF, not ECONNRESET")
        #expect(try await offPool { try daemon.waitForExit(timeout: 60) } == 0, "\(daemon.log)")
    }

    @Test("a restarted daemon serves the same log, views, lists and evidence, and continues the chain")
    func restartServesSameData() async throws {
        let daemon = try DaemonProcess()
        try await offPool { try daemon.start() }
        var client = try await connect(daemon)
        let (a, _) = try await ReadTests.disputedOrder(client)
        try await OrderFixture().create(client)
        func snapshot(_ c: TimelineClient) async throws -> [JSONValue] {
            let stats = try await c.stats()
            let sha = try await c.order(a.order)["evidence"]?.array.first?["sha256"] ?? .null
            return [
                .array(try await readWholeLog(c)), try await c.order(a.order), try await c.call("orders.list"),
                try await c.call("disputes.list"), try await c.call("evidence.get", ["sha256": sha]),
                stats["head"] ?? .null, stats["headHash"] ?? .null, stats["orders"] ?? .null, stats["blobs"] ?? .null,
            ]
        }
        let before = try await snapshot(client)
        await client.close()
        #expect(try await offPool { try daemon.stop() } == 0)
        try await offPool { try daemon.start() }
        client = try await connect(daemon)
        let after = try await snapshot(client)
        #expect(after == before)
        let next = try await client.append(order: a.order, events: [a.note("after restart")])
        #expect(next["events"]?.array.first?["position"]?.intValue == 11)
        let last = try await client.readLog(fromPosition: 11)["events"]?.array.first
        #expect(last?["prevHash"] == before[6])
        await client.close()
        #expect(try await offPool { try daemon.stop() } == 0)
    }

    @Test("a second daemon refuses a data directory locked by a running one, which keeps serving")
    func lockedDataDirectory() async throws {
        let first = try DaemonProcess()
        try await offPool { try first.start() }
        let second = try DaemonProcess(scratch: first.scratch, dataDirectory: first.dataDirectory)
        try second.launch()
        let status = try await offPool { try second.waitForExit(timeout: 30) }
        #expect(status != 0)
        #expect(second.log.contains("locked"), "\(second.log)")
        #expect(!FileManager.default.fileExists(atPath: second.socketPath), "the refused daemon left no socket")
        #expect(DaemonProcess.answersHello(first.socketPath))
        #expect(try await offPool { try first.stop() } == 0)
    }

    @Test("a second daemon refuses a socket a live daemon answers on, and does not take it over")
    func liveSocket() async throws {
        let first = try DaemonProcess()
        try await offPool { try first.start() }
        let client = try await connect(first)
        try await OrderFixture().create(client)
        let second = try DaemonProcess(scratch: first.scratch, socketPath: first.socketPath)
        try second.launch()
        let status = try await offPool { try second.waitForExit(timeout: 30) }
        #expect(status != 0)
        #expect(second.log.contains("another daemon"), "\(second.log)")
        // The first daemon still owns the socket: new connections reach it and see its data.
        let fresh = try await connect(first)
        #expect(try await fresh.stats()["head"]?.intValue == 2)
        try await client.ping()
        await fresh.close()
        await client.close()
        #expect(try await offPool { try first.stop() } == 0)
        #expect(!FileManager.default.fileExists(atPath: first.socketPath), "a clean stop removes the socket file")
    }

    @Test("a stale socket file left by a killed daemon is removed and the restart keeps every acknowledged event")
    func staleSocketAfterKill() async throws {
        var config = DaemonConfig()
        config.durability = "strict"
        let daemon = try DaemonProcess(config: config)
        try await offPool { try daemon.start() }
        let client = try await connect(daemon)
        let a = OrderFixture()
        try await a.create(client)
        _ = try await client.append(order: a.order, events: [a.note("before the crash")])
        await client.close()
        daemon.kill()
        #expect(FileManager.default.fileExists(atPath: daemon.socketPath), "SIGKILL leaves the socket file behind")
        #expect(!DaemonProcess.answersHello(daemon.socketPath))
        try await offPool { try daemon.start() }
        let again = try await connect(daemon)
        #expect(try await again.order(a.order)["revision"]?.intValue == 2)
        await again.close()
        #expect(try await offPool { try daemon.stop() } == 0)
    }

    @Test("a socket file nobody listens on is replaced at start")
    func staleSocketFile() async throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("stale.sock")
        // Bind a socket and close it without listening: the file stays, nothing answers.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(fd)
        #expect(bound == 0)
        #expect(FileManager.default.fileExists(atPath: path))
        let daemon = try DaemonProcess(scratch: scratch, socketPath: path)
        try await offPool { try daemon.start() }
        #expect(DaemonProcess.answersHello(path))
        #expect(try await offPool { try daemon.stop() } == 0)
    }
}
