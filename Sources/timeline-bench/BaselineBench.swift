import ArgumentParser
import Foundation
import Histogram
import TimelineStore

/// `timeline-bench baseline`: the daemon against what a team would build
/// instead, in one run, with the same workload, record bytes and durability.
///
/// 1. `timelined` as a separate process, `--clients` clients over the socket,
///    one event per append request (the `socket` benchmark's workload);
/// 2. SQLite in WAL mode (`synchronous=FULL` when strict), `--clients` threads
///    each with its own connection, one transaction per append;
/// 3. raw LMDB puts of the same bytes, `--per-commit` per commit (the ceiling).
struct BaselineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "The daemon over the socket vs SQLite (WAL, one transaction per append) vs raw LMDB puts, one table and a JSON file."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "The timelined binary (default: next to this one).")
    var daemon: String?

    @Option(help: "Concurrent clients for the daemon and for SQLite.")
    var clients: Int = 64

    @Option(help: "Raw LMDB puts per commit.")
    var perCommit: Int = 100

    @Option(help: "Orders the appends are spread over.")
    var orders: Int = 1000

    @Option(help: "Where the JSON report is written.")
    var jsonOut: String = "var/bench/baseline.json"

    /// Issue 6: the daemon ≥ 5× SQLite and ≥ 0.25 of raw LMDB at 100 events per commit.
    static let sqliteTarget = 5.0
    static let rawTarget = 0.25

    func validate() throws {
        guard clients > 0, perCommit > 0, orders > 0 else { throw ValidationError("--clients, --per-commit and --orders must be positive") }
        guard Durability(rawValue: common.durability) != nil else { throw ValidationError("--durability must be strict or relaxed") }
    }

    func run() async throws {
        let durability = Durability(rawValue: common.durability) ?? .strict
        let seconds = common.seconds
        print("preparing sample records …")
        let writeSet = try Workload.sampleWriteSet(count: 4096, orders: orders, workDirectory: common.workDirectory)
        let records = writeSet.events.map(\.record)
        let meanBytes = records.reduce(0) { $0 + $1.count } / max(1, records.count)

        print("measuring timelined over the socket (\(clients) clients, \(format(seconds, 1)) s) …")
        let daemonFigures = try await measureDaemon()

        print("measuring SQLite (\(clients) threads, \(format(seconds, 1)) s) …")
        let sqliteDirectory = freshDirectory(common.workDirectory, "sqlite")
        defer { try? FileManager.default.removeItem(atPath: sqliteDirectory) }
        let sqlite = SQLiteBaseline(
            path: sqliteDirectory + "/events.db", clients: clients, orders: orders, seconds: seconds,
            synchronous: durability == .strict ? "FULL" : "NORMAL", records: records
        )
        try sqlite.setUp()
        let sqliteFigures = try await onThread { try sqlite.measure() }

        print("measuring raw LMDB puts (\(perCommit) per commit, \(format(seconds, 1)) s) …\n")
        let raw = try StoreBench.rawPuts(
            perCommit: perCommit, records: records, durability: durability, workDirectory: common.workDirectory, seconds: seconds
        )
        let rawFigures = LatencyFigures(rate: raw.rate.wall, histogram: raw.commitLatency)

        print("measuring the inline ceiling (\(clients) events per commit, \(format(seconds, 1)) s) …\n")
        let ceiling = try writeSet.measure(perCommit: clients, durability: durability, workDirectory: common.workDirectory, seconds: seconds)
        let ceilingFigures = LatencyFigures(rate: ceiling.rate.wall, histogram: ceiling.commitLatency)

        let report = BaselineReport(
            date: ISO8601DateFormatter().string(from: Date()), durability: durability.rawValue, secondsPerRow: seconds,
            meanRecordBytes: meanBytes,
            rows: [
                .init(
                    system: "timelined over the socket", clients: clients, eventsPerCommit: "group commit",
                    latency: "per append request", figures: daemonFigures
                ),
                .init(
                    system: "SQLite WAL, synchronous=\(sqlite.synchronous)", clients: clients, eventsPerCommit: "1",
                    latency: "per append transaction", figures: sqliteFigures
                ),
                .init(
                    system: "raw LMDB puts (ceiling)", clients: 1, eventsPerCommit: String(perCommit),
                    latency: "per commit of \(perCommit)", figures: rawFigures
                ),
                .init(
                    system: "inline ceiling: bare LMDB puts of the record, its index entries, view and figures rows", clients: 1,
                    eventsPerCommit: String(clients), latency: "per commit of \(clients)", figures: ceilingFigures
                ),
            ],
            daemonOverSQLite: .init(value: daemonFigures.rate / sqliteFigures.rate, target: Self.sqliteTarget),
            daemonOverRawLMDB: .init(value: daemonFigures.rate / rawFigures.rate, target: Self.rawTarget)
        )
        print(report.markdown)
        try report.write(to: jsonOut)
        print("\nwritten to \(jsonOut)")
    }

    func measureDaemon() async throws -> LatencyFigures {
        let dir = freshDirectory(common.workDirectory, "baseline-daemon")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let process = try DaemonUnderTest(binary: daemon ?? siblingBinary("timelined"), directory: dir, durability: common.durability)
        defer { process.stop() }
        let load = SocketLoad(socket: process.socket, seconds: common.seconds, orders: orders)
        try await load.openOrders()
        return try await load.appends(clients: clients)
    }
}

/// The baseline run as printed and as written to JSON.
struct BaselineReport: Codable {
    struct Row: Codable {
        var system: String
        var clients: Int
        var eventsPerCommit: String
        /// What one latency sample is.
        var latency: String
        var eventsPerSecond: Double
        var p50Micros: Double
        var p99Micros: Double

        init(system: String, clients: Int, eventsPerCommit: String, latency: String, figures: LatencyFigures) {
            self.system = system
            self.clients = clients
            self.eventsPerCommit = eventsPerCommit
            self.latency = latency
            eventsPerSecond = figures.rate
            p50Micros = figures.p50
            p99Micros = figures.p99
        }
    }

    struct Ratio: Codable {
        var value: Double
        var target: Double
        var met: Bool
        init(value: Double, target: Double) {
            self.value = value
            self.target = target
            met = value >= target
        }
    }

    var date: String
    var durability: String
    var secondsPerRow: Double
    var meanRecordBytes: Int
    var rows: [Row]
    var daemonOverSQLite: Ratio
    var daemonOverRawLMDB: Ratio

    var markdown: String {
        var lines = [
            "## timelined vs SQLite vs raw LMDB (durability \(durability), \(format(secondsPerRow, 1)) s per row, same \(meanRecordBytes)-byte records on average)",
            "",
            "| system | clients | events/commit | events/s | p50 µs | p99 µs | latency of | daemon ÷ this |",
            "|---|---:|---:|---:|---:|---:|---|---:|",
        ]
        let daemonRate = rows.first?.eventsPerSecond ?? 0
        for row in rows {
            let ratio = row.eventsPerSecond > 0 ? format(daemonRate / row.eventsPerSecond, 2) : "–"
            lines.append(
                "| \(row.system) | \(row.clients) | \(row.eventsPerCommit) | \(format(row.eventsPerSecond)) | \(format(row.p50Micros)) | \(format(row.p99Micros)) | \(row.latency) | \(ratio) |"
            )
        }
        lines.append("")
        lines.append(Self.verdict("daemon ÷ SQLite", daemonOverSQLite, unit: "×"))
        lines.append(Self.verdict("daemon ÷ raw LMDB", daemonOverRawLMDB, unit: ""))
        return lines.joined(separator: "\n")
    }

    static func verdict(_ name: String, _ ratio: Ratio, unit: String) -> String {
        "- target \(name) ≥ \(format(ratio.target, 2))\(unit): \(ratio.met ? "**met**" : "**not met**") (\(format(ratio.value, 2))\(unit))"
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try encoder.encode(self).write(to: url)
    }
}

/// Runs blocking work on its own thread, off the cooperative pool.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}
