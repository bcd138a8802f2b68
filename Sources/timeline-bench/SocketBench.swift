import ArgumentParser
import Foundation
import Histogram
import TimelineClient
import TimelineModel

/// `timeline-bench socket`: the daemon as a separate process, driven over its socket.
struct SocketBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "socket",
        abstract: "Durable appends/s with 1, 16 and 64 clients (one event per request), latency percentiles, order.get latency and rate."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "The timelined binary (default: next to this one).")
    var daemon: String?

    @Option(parsing: .upToNextOption, help: "Client counts to measure.")
    var clients: [Int] = [1, 16, 64]

    func run() async throws {
        let dir = freshDirectory(common.workDirectory, "socket")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let daemonProcess = try DaemonUnderTest(binary: daemon ?? siblingBinary("timelined"), directory: dir, durability: common.durability)
        defer { daemonProcess.stop() }
        let load = SocketLoad(socket: daemonProcess.socket, seconds: common.seconds, orders: 1000)
        try await load.openOrders()
        print("## appends over the socket (durability \(common.durability), one event per request, \(format(common.seconds, 1)) s per row)\n")
        var rows: [[String]] = []
        for n in clients {
            let r = try await load.appends(clients: n)
            rows.append([String(n), format(r.rate), format(r.p50), format(r.p99), format(r.p999)])
        }
        printTable(["clients", "appends/s", "p50 µs", "p99 µs", "p99.9 µs"], rows)
        print("\n## order.get\n")
        var readRows: [[String]] = []
        for n in [1, 16] {
            let r = try await load.reads(clients: n)
            readRows.append([String(n), format(r.rate), format(r.p50), format(r.p99), format(r.p999)])
        }
        printTable(["clients", "order.get/s", "p50 µs", "p99 µs", "p99.9 µs"], readRows)
    }
}

/// Throughput and latency percentiles (µs) of one measurement.
struct LatencyFigures: Sendable {
    var rate: Double
    var p50: Double
    var p99: Double
    var p999: Double

    init(rate: Double, histogram: Histogram<UInt64>) {
        self.rate = rate
        p50 = Double(histogram.valueAtPercentile(50))
        p99 = Double(histogram.valueAtPercentile(99))
        p999 = Double(histogram.valueAtPercentile(99.9))
    }
}

/// A latency histogram in µs, up to a minute.
func latencyHistogram() -> Histogram<UInt64> { Histogram<UInt64>(highestTrackableValue: 60_000_000) }

/// The socket workload shared by `socket` and `baseline`: `orders` orders
/// placed and paid, then clients appending one chat message per request to a
/// random order, each client waiting for its reply before the next request.
struct SocketLoad: Sendable {
    let socket: String
    let seconds: Double
    let orders: Int

    /// Places and pays every order of the workload (before measuring).
    func openOrders() async throws {
        let setup = try await TimelineClient.connect(socketPath: socket)
        for i in 0..<orders {
            _ = try await setup.append(order: Workload.orderId(i), events: Workload.opening(i).map(wire))
        }
        await setup.close()
    }

    func appends(clients n: Int) async throws -> LatencyFigures {
        let orders = self.orders
        return try await drive(clients: n) { client, index, counter in
            var workload = Workload(orders: orders, seed: UInt64(index * 7919 + counter))
            workload.counter = counter * 1_000_000 + index
            let (order, event) = workload.chat()
            _ = try await client.append(order: order, events: [wire(event)])
        }
    }

    func reads(clients n: Int) async throws -> LatencyFigures {
        let orders = self.orders
        return try await drive(clients: n) { client, index, counter in
            _ = try await client.order(Workload.orderId((index * 31 + counter) % orders))
        }
    }

    /// Runs `n` clients, each issuing one request at a time for `seconds`; merges their latencies.
    func drive(
        clients n: Int, _ body: @escaping @Sendable (TimelineClient, Int, Int) async throws -> Void
    ) async throws -> LatencyFigures {
        let seconds = self.seconds
        let socket = self.socket
        let connections = try await withThrowingTaskGroup(of: TimelineClient.self) { group in
            for _ in 0..<n { group.addTask { try await TimelineClient.connect(socketPath: socket) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let start = now()
        let histograms = try await withThrowingTaskGroup(of: (Histogram<UInt64>, Int).self) { group in
            for (index, client) in connections.enumerated() {
                group.addTask {
                    var h = latencyHistogram()
                    var count = 0
                    while now() - start < seconds {
                        let t0 = now()
                        try await body(client, index, count)
                        _ = h.record(UInt64((now() - t0) * 1e6))
                        count += 1
                    }
                    return (h, count)
                }
            }
            return try await group.reduce(into: [(Histogram<UInt64>, Int)]()) { $0.append($1) }
        }
        let elapsed = now() - start
        var merged = latencyHistogram()
        var total = 0
        for (h, c) in histograms {
            merged.add(h)
            total += c
        }
        for c in connections { await c.close() }
        return LatencyFigures(rate: Double(total) / elapsed, histogram: merged)
    }
}

/// The wire JSON of an event to append.
func wire(_ e: EventInput) -> JSONValue {
    var o: [String: JSONValue] = ["eventId": .string(e.eventId), "type": .string(e.type), "actor": e.actor.json, "data": e.data]
    if let occurredAt = e.occurredAt { o["occurredAt"] = .string(occurredAt) }
    return .object(o)
}

/// A binary that sits beside this executable.
func siblingBinary(_ name: String) -> String {
    let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    return me.deletingLastPathComponent().appendingPathComponent(name).path
}

/// A `timelined` started for a benchmark, stopped with SIGTERM.
final class DaemonUnderTest: Sendable {
    let process: Process
    let socket: String

    /// Starts `binary` on `directory`/timelined.sock and `directory`/data;
    /// `limits` go into the config's `limits` section.
    init(binary: String, directory: String, durability: String, limits: [String: Int] = [:]) throws {
        socket = directory + "/timelined.sock"
        let config = directory + "/timelined.json"
        let limitsJSON = limits.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
        let json = """
        {"socketPath": "\(socket)", "dataDirectory": "\(directory)/data", "durability": "\(durability)",
         "logLevel": "warning", "moderationPath": "config/moderation.json",
         "limits": {\(limitsJSON)},
         "store": {"initialMapSizeBytes": 1073741824}}
        """
        try json.write(toFile: config, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--config", config]
        try process.run()
        let deadline = now() + 20
        while !FileManager.default.fileExists(atPath: socket) {
            guard now() < deadline, process.isRunning else { throw ValidationError("timelined did not start (\(binary))") }
            usleep(20_000)
        }
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// How the daemon ended.
    struct ExitStatus: CustomStringConvertible {
        var code: Int32
        var signalled: Bool
        var isCleanExit: Bool { !signalled && code == 0 }
        var description: String { signalled ? "killed by signal \(code)" : "exit \(code)\(code == 0 ? " (clean)" : "")" }
    }

    /// Stops the daemon with SIGTERM (when it still runs) and reports how it ended.
    func stopAndWait() -> ExitStatus {
        stop()
        return ExitStatus(code: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal)
    }
}
