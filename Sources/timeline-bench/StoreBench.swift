import ArgumentParser
import Foundation
import Histogram
import LMDB
import TimelineModel
import TimelineModeration
import TimelineStore

/// Events per wall-clock second and per CPU second (the latter is steadier on a busy machine).
struct Rate {
    var wall: Double
    var cpu: Double
    /// Bytes this process handed to the kernel to write, per event (`wchar` of /proc/self/io).
    var bytesPerEvent: Double
    init(events: Int, wall: Double, cpu: Double, written: Int = 0) {
        self.wall = Double(events) / wall
        self.cpu = Double(events) / max(cpu, 1e-9)
        self.bytesPerEvent = Double(written) / Double(max(events, 1))
    }
}

/// `timeline-bench store`: commit throughput beside raw LMDB, rebuild and moderation rates.
struct StoreBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "commit() events/s at 1, 10, 100, 1000 events per commit vs raw LMDB puts; rebuild and moderation rates."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Events in the store the rebuild runs over.")
    var rebuildEvents: Int = 1_000_000

    @Flag(help: "Skip the rebuild measurement.")
    var skipRebuild = false

    @Flag(help: "Skip the moderation measurement.")
    var skipModeration = false

    @Option(parsing: .upToNextOption, help: "Events per commit to measure.")
    var sizes: [Int] = [1, 10, 100, 1000]

    func run() throws {
        let durability = Durability(rawValue: common.durability) ?? .strict
        print("## commit vs raw LMDB (durability \(durability.rawValue), \(format(common.seconds, 1)) s per row)\n")
        var rows: [[String]] = []
        for perCommit in sizes {
            let (pipelined, _) = try measureCommit(perCommit: perCommit, durability: durability, pipelined: true)
            let (ours, writeSet) = try measureCommit(perCommit: perCommit, durability: durability, pipelined: false)
            let raw = try measureRaw(perCommit: perCommit, records: writeSet.events.map(\.record), durability: durability)
            rows.append([
                String(perCommit), format(pipelined.wall), format(ours.wall), format(raw.wall),
                format(pipelined.wall / raw.wall, 2), format(ours.wall / raw.wall, 2),
                format(pipelined.cpu), format(raw.cpu), format(pipelined.cpu / raw.cpu, 2),
                format(pipelined.bytesPerEvent), format(raw.bytesPerEvent),
            ])
        }
        printTable([
            "events/commit", "pipelined events/s", "commit() events/s", "raw LMDB puts/s", "pipelined ÷ raw", "commit() ÷ raw",
            "pipelined events/CPU-s", "raw puts/CPU-s", "CPU ratio", "pipelined bytes written/event", "raw bytes written/event",
        ], rows)
        print("\npipelined: commitLog on this thread, apply on a second one taking every batch waiting (as the daemon's")
        print("writer and applier); commit(): both on one thread. Each event is a chat message of its own request; the")
        print("rate counts events committed to log/ and applied to views/. raw: the same record bytes put with MDB_APPEND.")
        if !skipModeration {
            print("\n## moderation\n")
            let rate = ModerationRates.measure(ModerationRates.typicalChat, .builtIn, seconds: common.seconds)
            printTable(["messages", "messages/s (one core)"], [[String(ModerationRates.typicalChat.count), format(rate)]])
            print("\n(`timeline-bench moderation` measures corpora in all languages too.)")
        }
        if !skipRebuild {
            print("\n## rebuild\n")
            let r = try measureRebuild(events: rebuildEvents)
            printTable(["events", "orders", "seconds", "events/s"], [[String(r.events), String(r.orders), format(r.seconds, 2), format(Double(r.events) / r.seconds)]])
        }
    }

    /// Commits requests of one chat event each, `perCommit` per commit; returns events/s
    /// and the write set of the sampled records (their bytes, keys and projection rows).
    func measureCommit(perCommit: Int, durability: Durability, pipelined: Bool) throws -> (Rate, InlineWriteSet) {
        let dir = freshDirectory(common.workDirectory, "commit-\(perCommit)")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = StoreConfiguration(path: dir)
        config.durability = durability
        config.initialMapSizeBytes = 1 << 30
        let store = try TimelineStore(configuration: config, moderation: ModerationHolder(ModerationPolicy.builtIn))
        let orders = 1000
        var setup: [AppendRequest] = []
        for i in 0..<orders { setup.append(AppendRequest(order: Workload.orderId(i), events: Workload.opening(i))) }
        _ = store.commit(setup)
        var workload = Workload(orders: orders)
        var events = 0
        var samples: [[UInt8]] = []
        let seconds = common.seconds
        let applier = BenchApplier(store: store)
        let start = now()
        let cpuStart = cpuSeconds()
        let writtenStart = bytesWritten()
        while now() - start < seconds {
            var batch: [AppendRequest] = []
            batch.reserveCapacity(perCommit)
            for _ in 0..<perCommit {
                let (order, event) = workload.chat()
                batch.append(AppendRequest(order: order, events: [event]))
            }
            let results: [Result<AppendOutcome, TimelineError>]
            if pipelined {
                let committed = store.commitLog(batch)
                applier.hand(committed.batch)
                results = committed.results
            } else {
                results = store.commit(batch)
            }
            for result in results {
                guard case .success(let outcome) = result else { throw ValidationError("a benchmark append failed: \(result)") }
                if samples.count < 4096 { samples += outcome.encodedRecords }
                events += 1
            }
        }
        try applier.finish()
        let rate = Rate(events: events, wall: now() - start, cpu: cpuSeconds() - cpuStart, written: bytesWritten() - writtenStart)
        return (rate, try InlineWriteSet(records: samples, store: store))
    }

    /// The same record bytes put into a bare LMDB database, `perCommit` puts per commit.
    func measureRaw(perCommit: Int, records: [[UInt8]], durability: Durability) throws -> Rate {
        try Self.rawPuts(perCommit: perCommit, records: records, durability: durability, workDirectory: common.workDirectory, seconds: common.seconds).rate
    }

    /// The ceiling: `records` put in a loop into one bare LMDB database under
    /// big-endian position keys with `MDB_APPEND`, `perCommit` puts per write
    /// transaction, for `seconds`. The histogram holds each commit's latency in µs.
    static func rawPuts(
        perCommit: Int, records: [[UInt8]], durability: Durability, workDirectory: String, seconds: Double
    ) throws -> (rate: Rate, commitLatency: Histogram<UInt64>) {
        guard !records.isEmpty else { throw BenchError("raw LMDB puts need at least one sample record") }
        let dir = freshDirectory(workDirectory, "raw-\(perCommit)")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = try Environment(path: dir, flags: durability == .relaxed ? [.noSync] : [], mapSize: 1 << 32)
        let db = try env.openDatabase(named: "log")
        return try timedCommits(env, perCommit: perCommit, seconds: seconds) { txn, n in
            let position = UInt64(n + 1)
            try txn.put(db, key: withUnsafeBytes(of: position.bigEndian) { Array($0) }, value: records[n % records.count], flags: .append)
        }
    }

    func measureRebuild(events: Int) throws -> RebuildSummary {
        let dir = freshDirectory(common.workDirectory, "rebuild")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try Workload.populateStore(at: dir, orders: 10_000, events: events)
        return try store.rebuildViews()
    }
}

/// The daemon's applier in miniature: batches handed over are applied on a
/// second thread, every batch waiting in one ``TimelineStore/apply(_:)``.
final class BenchApplier: @unchecked Sendable {
    private let store: TimelineStore
    private let lock = NSLock()
    private let queue = DispatchQueue(label: "bench-applier")
    private var pending: [CommittedBatch] = []
    private var scheduled = false
    private var failure: TimelineError?

    init(store: TimelineStore) { self.store = store }

    /// Queues `batch` (in commit order) for the applier thread.
    func hand(_ batch: CommittedBatch) {
        lock.withLock {
            pending.append(batch)
            if !scheduled {
                scheduled = true
                queue.async { self.drain() }
            }
        }
    }

    private func drain() {
        while true {
            let work: [CommittedBatch] = lock.withLock {
                let w = pending
                pending = []
                if w.isEmpty { scheduled = false }
                return w
            }
            if work.isEmpty { return }
            do { try store.apply(work) } catch { lock.withLock { failure = error } }
        }
    }

    /// Waits until everything handed over is applied; throws the first apply failure.
    func finish() throws {
        queue.sync {}
        if let failure = lock.withLock({ failure }) { throw failure }
    }
}
