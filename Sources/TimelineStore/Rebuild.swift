import LMDB
import TimelineModel

/// What a rebuild did.
public struct RebuildSummary: Sendable {
    public var events: UInt64
    public var orders: Int
    public var seconds: Double
}

extension TimelineStore {
    /// Drops every projection and derives it again from the log, in one write
    /// transaction (readers keep seeing the old projections until it commits).
    /// Call from the writer thread only.
    public func rebuildProjections() throws(TimelineError) -> RebuildSummary {
        let started = Timestamp.now()
        stateCache.withLock { $0.removeAll() }
        let (events, orders): (UInt64, Int) = try writing { txn in
            for table in self.tables.projections { try txn.clear(table) }
            let (states, effects, count) = try self.replayLog(in: txn)
            let projector = Projector(tables: self.tables, txn: txn, timers: self.configuration.timers)
            for state in states.values { try projector.write(state, replacing: nil) }
            try projector.applyParticipantEffects(effects)
            try self.writeProjectionMeta(txn)
            return (count, states.count)
        }
        let seconds = Double(Timestamp.now().microseconds - started.microseconds) / 1_000_000
        return RebuildSummary(events: events, orders: orders, seconds: seconds)
    }

    /// Folds the whole log into order states and participant effects. Records are
    /// decoded on every core (``CanonicalRecordReader``, or the JSON parser for
    /// records not in canonical form) and folded in log order on this thread.
    func replayLog(in txn: some TransactionReading) throws -> (states: [String: OrderState], effects: [ParticipantEffect], events: UInt64) {
        var states: [String: OrderState] = [:]
        var effects: [ParticipantEffect] = []
        var count: UInt64 = 0
        try ParallelLogScan.run(
            entries: { body in
                try txn.withCursor(tables.log) { cursor in
                    var entry = try cursor.first()
                    while let e = entry {
                        guard try body((Keys.readUInt64(e.key), e.value.assumingMemoryBound(to: UInt8.self))) else { return }
                        entry = try cursor.next()
                    }
                }
            },
            transform: { CanonicalRecordReader.read($0)?.record },
            consume: { entry, decoded in
                let record = try decoded.take() ?? RecordedEvent(bytes: entry.bytes)
                var state = states.removeValue(forKey: record.order)
                effects += Catalog.apply(record, to: &state)
                states[record.order] = state
                count += 1
            }
        )
        return (states, effects, count)
    }
}
