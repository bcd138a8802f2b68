import Foundation
import Histogram
import LMDB
import TimelineModel
import TimelineStore

/// The least that ARCHITECTURE.md's inline rule ("projections updated in the same
/// transaction as the events") makes a commit write, as bare LMDB puts with no
/// domain work at all: the upper bound of any `commit()` that keeps that rule.
///
/// For every event it puts what any such commit must: the record into the log
/// (as raw LMDB does), the per-order index entry, the eventId index entry, the
/// order's view row and the acting user's figures row, with the keys and value
/// sizes a real commit of the same workload produced. It leaves out everything a
/// commit writes only sometimes (reply times, state and dispute indexes, timers),
/// so the real write set is never smaller than this one.
struct InlineWriteSet {
    /// One sampled event: its record bytes and the keys its index and projection puts use.
    struct Event {
        var record: [UInt8]
        var order: String
        var revision: UInt64
        var eventId: String
        var user: String
    }

    var events: [Event]
    /// The stored view row of each sampled order, as the real store holds it after the run.
    var views: [String: [UInt8]]
    /// The stored figures row of each sampled user.
    var figures: [String: [UInt8]]

    /// Reads the keys from `records` and the row bytes from `store`, where they were committed.
    init(records: [[UInt8]], store: TimelineStore) throws {
        events = []
        views = [:]
        figures = [:]
        for bytes in records {
            guard let record = bytes.withUnsafeBufferPointer({ CanonicalRecordReader.read($0)?.record }) else {
                throw BenchError("a sampled record is not in canonical form")
            }
            events.append(Event(record: bytes, order: record.order, revision: record.revision, eventId: record.eventId, user: record.actor.id))
            if views[record.order] == nil, let state = try store.order(record.order) { views[record.order] = state.storageBytes }
            if figures[record.actor.id] == nil, let f = try store.participant(record.actor.id) { figures[record.actor.id] = f.storageBytes }
        }
        guard !events.isEmpty else { throw BenchError("the inline ceiling needs at least one sampled event") }
    }

    /// Puts the write set of `perCommit` events per write transaction, for `seconds`.
    /// The histogram holds each commit's latency in µs.
    func measure(perCommit: Int, durability: Durability, workDirectory: String, seconds: Double) throws -> (rate: Rate, commitLatency: Histogram<UInt64>) {
        let dir = freshDirectory(workDirectory, "inline-\(perCommit)")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = try Environment(path: dir, flags: durability == .relaxed ? [.noSync] : [], mapSize: 1 << 32, maxDatabases: 8)
        let log = try env.openDatabase(named: "log")
        let orderEvents = try env.openDatabase(named: "orderEvents")
        let eventIds = try env.openDatabase(named: "eventIds")
        let viewRows = try env.openDatabase(named: "views")
        let figureRows = try env.openDatabase(named: "participants")
        // The projections exist before the first event, as in the store the commit ran on.
        try env.write { txn in
            for (order, row) in views { try txn.put(viewRows, key: Array(order.utf8), value: row) }
            for (user, row) in figures { try txn.put(figureRows, key: Array(user.utf8), value: row) }
        }
        var revisions: [String: UInt64] = [:]
        return try timedCommits(env, perCommit: perCommit, seconds: seconds) { txn, n in
            let e = events[n % events.count]
            let position = UInt64(n + 1)
            let key = withUnsafeBytes(of: position.bigEndian) { Array($0) }
            let revision = revisions[e.order].map { $0 + 1 } ?? e.revision
            revisions[e.order] = revision
            // Later rounds reuse the sampled ids with a suffix, so every id stays new.
            let round = n / events.count
            let eventId = round == 0 ? e.eventId : "\(e.eventId)~\(round)"
            try txn.put(log, key: key, value: e.record, flags: .append)
            try txn.put(orderEvents, key: Array(e.order.utf8) + [0] + withUnsafeBytes(of: revision.bigEndian) { Array($0) }, value: key)
            try txn.put(eventIds, key: Array(eventId.utf8), value: key)
            if let row = views[e.order] { try txn.put(viewRows, key: Array(e.order.utf8), value: row) }
            if let row = figures[e.user] { try txn.put(figureRows, key: Array(e.user.utf8), value: row) }
        }
    }
}
