import CSQLite
import Foundation
import Histogram
import Synchronization

/// The baseline a team would build instead of the daemon: one SQLite file in
/// WAL mode, `clients` threads each with its own connection, one transaction
/// per append.
///
/// Schema: `events(position INTEGER PRIMARY KEY, order_id, revision, event_id,
/// record BLOB, UNIQUE(order_id, revision))` plus a unique index on `event_id`.
/// One append = `BEGIN IMMEDIATE`, read the order's last revision, insert the
/// next one with the record bytes, `COMMIT` — the socket workload's request
/// (one chat message on a random order of `orders`), minus validation,
/// moderation, hashing and projections, which the daemon does and SQLite does not.
struct SQLiteBaseline: Sendable {
    let path: String
    let clients: Int
    let orders: Int
    let seconds: Double
    /// `FULL` (fsync the WAL on every commit: durability strict) or `NORMAL` (relaxed).
    let synchronous: String
    /// Record bytes stored per event, cycled.
    let records: [[UInt8]]

    /// Creates the database and places every order (revisions 0 and 1), as the socket workload does.
    func setUp() throws(SQLiteError) {
        let db = try SQLiteConnection(path: path)
        let mode = try db.text("PRAGMA journal_mode=WAL")
        guard mode?.lowercased() == "wal" else {
            throw SQLiteError(code: SQLITE_ERROR, message: "journal_mode is \(mode ?? "nil"), not wal", sql: "PRAGMA journal_mode=WAL")
        }
        try db.execute("""
            PRAGMA synchronous=\(synchronous);
            CREATE TABLE events(
                position INTEGER PRIMARY KEY,
                order_id TEXT NOT NULL,
                revision INTEGER NOT NULL,
                event_id TEXT NOT NULL,
                record BLOB NOT NULL,
                UNIQUE(order_id, revision)
            );
            CREATE UNIQUE INDEX events_event_id ON events(event_id);
            """)
        try db.execute("BEGIN")
        let insert = try db.prepare("INSERT INTO events(order_id, revision, event_id, record) VALUES (?1, ?2, ?3, ?4)")
        for i in 0..<orders {
            for (revision, event) in Workload.opening(i).enumerated() {
                try insert.bind(1, Workload.orderId(i))
                try insert.bind(2, Int64(revision))
                try insert.bind(3, event.eventId)
                try insert.bind(4, blob: records[(i * 2 + revision) % records.count])
                try insert.step()
                insert.reset()
            }
        }
        try db.execute("COMMIT")
    }

    /// Runs the clients for `seconds` (each on its own thread and connection) and merges their latencies.
    func measure() throws -> LatencyFigures {
        let results = ClientResults()
        let ready = DispatchSemaphore(value: 0)
        let go = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for index in 0..<clients {
            done.enter()
            let thread = Thread { [self] in
                defer { done.leave() }
                let client: Client
                do {
                    client = try Client(self, index: index)
                } catch {
                    results.fail("client \(index) could not start: \(error)")
                    ready.signal()
                    return
                }
                ready.signal()
                go.wait()
                let began = results.startTime
                do {
                    let (histogram, count) = try client.run(until: began + seconds)
                    results.add(histogram, count)
                } catch {
                    results.fail("client \(index): \(error)")
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        for _ in 0..<clients { ready.wait() }
        let began = now()
        results.startTime = began
        for _ in 0..<clients { go.signal() }
        done.wait()
        let elapsed = now() - began
        if let failure = results.failures.first { throw BenchError("the SQLite baseline failed: \(failure)") }
        let (merged, total) = results.merged
        return LatencyFigures(rate: Double(total) / elapsed, histogram: merged)
    }

    /// One client thread: its connection, its statements, its workload.
    final class Client {
        let db: SQLiteConnection
        let begin: SQLiteStatement
        let last: SQLiteStatement
        let insert: SQLiteStatement
        let commit: SQLiteStatement
        let rollback: SQLiteStatement
        var workload: Workload
        let records: [[UInt8]]
        var next: Int

        init(_ baseline: SQLiteBaseline, index: Int) throws(SQLiteError) {
            db = try SQLiteConnection(path: baseline.path)
            try db.setBusyTimeout(milliseconds: 60_000)
            try db.execute("PRAGMA synchronous=\(baseline.synchronous)")
            begin = try db.prepare("BEGIN IMMEDIATE")
            last = try db.prepare("SELECT revision FROM events WHERE order_id = ?1 ORDER BY revision DESC LIMIT 1")
            insert = try db.prepare("INSERT INTO events(order_id, revision, event_id, record) VALUES (?1, ?2, ?3, ?4)")
            commit = try db.prepare("COMMIT")
            rollback = try db.prepare("ROLLBACK")
            workload = Workload(orders: baseline.orders, seed: UInt64(index) &* 7919 &+ 1)
            workload.counter = index * 1_000_000_000
            records = baseline.records
            next = index
        }

        /// Appends until `deadline`; returns the latencies (µs) and the count.
        func run(until deadline: Double) throws(SQLiteError) -> (Histogram<UInt64>, Int) {
            var histogram = latencyHistogram()
            var count = 0
            while now() < deadline {
                let (order, event) = workload.chat()
                let record = records[next % records.count]
                next += 1
                let t0 = now()
                try append(order: order, eventId: event.eventId, record: record)
                _ = histogram.record(UInt64((now() - t0) * 1e6))
                count += 1
            }
            return (histogram, count)
        }

        /// One append in its own transaction: the order's next revision, or nothing on failure.
        func append(order: String, eventId: String, record: [UInt8]) throws(SQLiteError) {
            try run(begin)
            do throws(SQLiteError) {
                try last.bind(1, order)
                let revision = try last.step() ? (last.int64(0) ?? -1) + 1 : 0
                last.reset()
                try insert.bind(1, order)
                try insert.bind(2, revision)
                try insert.bind(3, eventId)
                try insert.bind(4, blob: record)
                try run(insert)
                try run(commit)
            } catch {
                last.reset()
                insert.reset()
                commit.reset()
                try? run(rollback)
                throw error
            }
        }

        private func run(_ statement: SQLiteStatement) throws(SQLiteError) {
            defer { statement.reset() }
            try statement.step()
        }
    }
}

/// What the client threads report, merged under a lock.
final class ClientResults: Sendable {
    private let state = Mutex<(histogram: Histogram<UInt64>, count: Int, failures: [String])>((latencyHistogram(), 0, []))
    private let start = Mutex<Double>(0)

    /// When the measurement began (set once before the clients are let go).
    var startTime: Double {
        get { start.withLock { $0 } }
        set { start.withLock { $0 = newValue } }
    }

    func add(_ histogram: Histogram<UInt64>, _ count: Int) {
        state.withLock {
            $0.histogram.add(histogram)
            $0.count += count
        }
    }

    func fail(_ message: String) { state.withLock { $0.failures.append(message) } }

    var failures: [String] { state.withLock { $0.failures } }
    var merged: (Histogram<UInt64>, Int) { state.withLock { ($0.histogram, $0.count) } }
}
