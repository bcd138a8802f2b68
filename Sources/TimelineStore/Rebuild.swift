import LMDB
import TimelineModel

/// What a rebuild did.
public struct RebuildSummary: Sendable {
    public var events: UInt64
    public var orders: Int
    public var seconds: Double
}

extension TimelineStore {
    /// Drops everything in views/ and derives it again from the log, in one views
    /// transaction (readers keep seeing the old views until it commits).
    ///
    /// Call only while every committed batch is applied and no other writes
    /// run (the daemon runs it on the writer thread with the applier drained).
    public func rebuildViews() throws(TimelineError) -> RebuildSummary {
        let summary: RebuildSummary
        try markUncleanIfNeeded()
        do {
            summary = try ViewsBuilder(logEnv: logEnv, log: log, viewsEnv: viewsEnv, views: viewTables, configuration: configuration).build()
        } catch let error as TimelineError {
            throw error
        } catch {
            throw StoreErrors.map(error)
        }
        appliedMirror.withLock { $0 = logHead }
        return summary
    }
}

/// Derives every table of a views environment from the whole log, in one
/// views transaction: the index entries record by record, the order rows and
/// participant figures from the folded states, `applied` = the log's head.
struct ViewsBuilder {
    let logEnv: Environment
    let log: LogTables
    let viewsEnv: Environment
    let views: ViewTables
    let configuration: StoreConfiguration

    func build() throws -> RebuildSummary {
        let started = Timestamp.now()
        // Room for the indexes and rows up front, so the one transaction rarely meets a full map.
        _ = TimelineStore.grow(viewsEnv, adding: logEnv.info.usedBytes, configuration: configuration)
        for _ in 0..<8 {
            do {
                let (events, orders) = try viewsEnv.write { txn in try logEnv.read { logTxn in try fill(txn, from: logTxn) } }
                let seconds = Double(Timestamp.now().microseconds - started.microseconds) / 1_000_000
                return RebuildSummary(events: events, orders: orders, seconds: seconds)
            } catch let error as LMDBError where error.code == .mapFull {
                if let failure = TimelineStore.grow(viewsEnv, adding: viewsEnv.info.mapSize, configuration: configuration) { throw failure }
            }
        }
        throw TimelineError(.storageFull, "views/ does not fit in store.maxMapSizeBytes; raise it")
    }

    private func fill(_ txn: WriteTransaction, from logTxn: ReadTransaction) throws -> (UInt64, Int) {
        for table in views.all { try txn.clear(table) }
        let applier = ViewApplier(tables: views, txn: txn, timers: configuration.timers)
        let head = try TimelineStore.head(in: logTxn, log: log)
        var states: [String: OrderState] = [:]
        var effects: [ParticipantEffect] = []
        var count: UInt64 = 0
        try ParallelLogScan.run(
            entries: { body in
                try logTxn.withCursor(log.records) { cursor in
                    var entry = try cursor.first()
                    while let e = entry {
                        let position = Keys.readUInt64(e.key)
                        if position > head.position { return }
                        guard try body((position, e.value.assumingMemoryBound(to: UInt8.self))) else { return }
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
                try applier.index(IndexEntry(order: record.order, revision: record.revision, eventId: record.eventId, position: record.position))
                count += 1
            }
        )
        let projector = Projector(tables: views, txn: txn, timers: configuration.timers)
        for state in states.values { try projector.write(state, replacing: nil) }
        try projector.applyParticipantEffects(effects)
        try txn.put(views.meta, key: ViewStateKey.applied, value: TimelineStore.encodeApplied(head))
        try txn.put(views.meta, key: ViewStateKey.projectionVersion, value: Keys.uint64(ViewsState.formatVersion))
        try txn.put(views.meta, key: ViewStateKey.timerSettings, value: TimelineStore.encodeTimerSettings(configuration.timers))
        return (count, states.count)
    }
}
