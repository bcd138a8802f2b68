import Foundation
import Synchronization
import TestSupport
import Testing
import TimelineClient
import TimelineModel

@Suite("resource faults: a thousand idle connections", .timeLimit(.minutes(5)))
struct IdleConnectionTests {
    static let idleCount = 1000
    static let writers = 8
    static let appendsPerWriter = 25

    /// Room for exactly the idle connections, the writers and withDaemon's client.
    static var config: DaemonConfig {
        var c = DaemonConfig()
        c.limits = ["maxConnections": idleCount + writers + 1]
        c.logLevel = "warning"
        return c
    }

    @Test("1000 idle connections plus 8 writers: every append succeeds and is in the log once, one more connection gets busy, stats answers, idle connections still serve")
    func thousandIdleConnectionsUnderLoad() async throws {
        // Both this process and the daemon (which inherits the limit) hold ~1000 sockets;
        // Debian's default soft limit of 1024 descriptors is too low for that.
        let files = Self.raiseOpenFileLimit(to: 4096)
        try #require(files >= 2 * Self.idleCount, "the open-file limit is \(files); the test needs about \(2 * Self.idleCount)")
        try await withDaemon(Self.config) { daemon, client in
            // The start-up probe's connection must be gone first: the limit is exact.
            #expect(try await eventually { try await client.stats()["connections"]?.intValue == 1 }, "only the test's client is connected")
            let idle = try await offPool { try (0..<Self.idleCount).map { _ in try RawConnection(path: daemon.socketPath) } }
            let writers = try await withThrowingTaskGroup(of: TimelineClient.self) { group in
                for _ in 0..<Self.writers { group.addTask { try await connect(daemon) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let full = Self.idleCount + Self.writers + 1
            #expect(
                try await eventually { try await client.stats()["connections"]?.intValue == Int64(full) },
                "the daemon holds all \(full) connections"
            )

            // At the limit: one more connection gets the documented refusal and is closed.
            let extra = try RawConnection(path: daemon.socketPath)
            let refusal = try parseLine(try #require(try await offPool { try extra.readLine(timeout: 30) }))
            #expect(refusal["ok"] == false && refusal["error"]?["code"] == "busy" && refusal["id"] == .null, "\(text(refusal))")
            #expect(try await offPool { extra.waitForClose(timeout: 30) }, "the refused connection is closed")

            // Load while the idle connections sit there.
            let acks = try await withThrowingTaskGroup(of: [AcknowledgedEvent].self) { group in
                for (w, writer) in writers.enumerated() {
                    group.addTask {
                        let order = OrderFixture("IDLE\(w)")
                        var acks = AcknowledgedEvent.all(in: try await order.create(writer), order: order.order)
                        for i in 0..<Self.appendsPerWriter {
                            let events = (0..<3).map { order.note("writer \(w) append \(i).\($0)") }
                            acks += AcknowledgedEvent.all(in: try await writer.append(order: order.order, events: events), order: order.order)
                        }
                        return acks
                    }
                }
                return try await group.reduce(into: [AcknowledgedEvent]()) { $0 += $1 }
            }
            #expect(acks.count == Self.writers * (2 + 3 * Self.appendsPerWriter), "every append was acknowledged as recorded")

            // Every acknowledged event is in the log, once, where the daemon said.
            let log = try await readWholeLog(client)
            let logged = log.map(AcknowledgedEvent.init(recorded:))
            #expect(Set(acks).isSubset(of: Set(logged)), "acknowledged events missing from the log: \(Set(acks).subtracting(logged).prefix(5))")
            #expect(Set(logged.map(\.eventId)).count == logged.count, "no event is in the log twice")
            #expect(logged.map(\.position) == Array(1...logged.count), "positions are contiguous")

            let stats = try await client.stats()
            #expect(stats["head"]?.int == logged.count)
            #expect(stats["connections"]?.int == full)

            // Idle connections still serve: the first, the last, and some in between.
            let probes = [0, 1, 250, 499, 500, 777, 998, Self.idleCount - 1]
            for i in probes {
                try idle[i].send("{\"id\":\"idle-\(i)\",\"op\":\"ping\"}\n{\"id\":\(i),\"op\":\"order.get\",\"order\":\"\(acks[0].order)\"}\n")
            }
            for i in probes {
                let lines = try await offPool { try idle[i].readLines(2, timeout: 30) }
                let ping = try parseLine(lines[0]), view = try parseLine(lines[1])
                #expect(ping["id"]?.stringValue == "idle-\(i)" && ping["ok"] == true, "\(text(ping))")
                #expect(view["id"]?.int == i && view["result"]?["order"]?.stringValue == acks[0].order, "\(text(view))")
            }
            for writer in writers { await writer.close() }
            withExtendedLifetime(idle) {}
        }
    }

    /// Raises this process's soft limit of open files towards `wanted` (never above the
    /// hard limit) and returns the soft limit in force.
    static func raiseOpenFileLimit(to wanted: rlim_t) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < wanted {
            limit.rlim_cur = min(wanted, limit.rlim_max)
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(limit.rlim_cur)
    }
}
