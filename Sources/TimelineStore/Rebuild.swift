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

/// Derives every table of a views environment from the whole log: the index
/// entries record by record, the order rows and participant figures from the
/// folded states, `applied` = the log's head.
///
/// In place (`chunkRecords` nil: `admin.rebuild` on the live views) it is ONE
/// views transaction, so readers see the old views until it commits. Into a
/// fresh environment nobody reads yet (the rebuild at start, swapped in after),
/// the index entries are gathered during the scan and put in key order with
/// `MDB_APPEND` (``SortedIndexLoad``), `chunkRecords` puts per transaction:
/// random-key inserts in one huge transaction dirtied more pages than LMDB keeps
/// in memory (10M events: 71k events/s in one transaction).
struct ViewsBuilder {
    let logEnv: Environment
    let log: LogTables
    let viewsEnv: Environment
    let views: ViewTables
    let configuration: StoreConfiguration
    var chunkRecords: Int? = nil

    func build() throws -> RebuildSummary {
        let started = Timestamp.now()
        // Room for the indexes and rows up front, so the transactions rarely meet a full map.
        _ = TimelineStore.grow(viewsEnv, adding: logEnv.info.usedBytes, configuration: configuration)
        var sorted = chunkRecords != nil
        for _ in 0..<8 {
            do {
                let (events, orders) = try logEnv.read { logTxn in
                    var fold = Fold(head: try TimelineStore.head(in: logTxn, log: log))
                    let all = 1...max(1, fold.head.position)
                    if sorted, let chunk = chunkRecords {
                        try viewsEnv.write { txn in for table in views.all { try txn.clear(table) } }
                        var load = SortedIndexLoad()
                        try scan(all, of: logTxn, folding: &fold) { try load.add($0) }
                        try load.put(into: viewsEnv, tables: views, chunk: chunk, configuration: configuration)
                        try viewsEnv.write { txn in try finish(fold, txn) }
                    } else {
                        try viewsEnv.write { txn in
                            for table in views.all { try txn.clear(table) }
                            let applier = ViewApplier(tables: views, txn: txn, timers: configuration.timers)
                            var merkle = MerkleAppender()
                            try scan(all, of: logTxn, folding: &fold) { e in
                                try applier.index(e)
                                try applier.addLeaf(e, to: &merkle)
                            }
                            try finish(fold, txn)
                        }
                    }
                    return (fold.count, fold.states.count)
                }
                let seconds = Double(Timestamp.now().microseconds - started.microseconds) / 1_000_000
                return RebuildSummary(events: events, orders: orders, seconds: seconds)
            } catch let error as LMDBError where error.code == .mapFull {
                if let failure = TimelineStore.grow(viewsEnv, adding: viewsEnv.info.mapSize, configuration: configuration) { throw failure }
            } catch let error as LMDBError where error.code == .keyExists && sorted {
                // Keys that did not sort as LMDB orders them: derive again with plain puts.
                sorted = false
            }
        }
        throw TimelineError(.storageFull, "views/ does not fit in store.maxMapSizeBytes; raise it")
    }

    /// What the scan folds in memory across transactions.
    struct Fold {
        /// The log's head in the scan's snapshot: where the rebuilt views stand.
        let head: ChainHead
        var states: [String: OrderState] = [:]
        var effects: [ParticipantEffect] = []
        var count: UInt64 = 0
    }

    /// Scans the records at `positions` (decoded on every core), folds them, and
    /// hands each one's index entry to `each`, in log order.
    private func scan(
        _ positions: ClosedRange<UInt64>, of logTxn: ReadTransaction, folding fold: inout Fold, each: (IndexEntry) throws -> Void
    ) throws {
        try ParallelLogScan.run(
            entries: { body in
                try logTxn.withCursor(log.records) { cursor in
                    var entry = try cursor.seek(atLeast: Keys.position(positions.lowerBound))
                    while let e = entry {
                        let position = Keys.readUInt64(e.key)
                        if position > positions.upperBound { return }
                        guard try body((position, e.value.assumingMemoryBound(to: UInt8.self))) else { return }
                        entry = try cursor.next()
                    }
                }
            },
            transform: { bytes in
                // The fast reader leaves `hash` empty; the Merkle leaf needs it.
                CanonicalRecordReader.read(bytes).map { read in
                    var record = read.record
                    record.hash = String(decoding: UnsafeBufferPointer(rebasing: bytes[(read.hash.value.lowerBound + 1)..<(read.hash.value.upperBound - 1)]), as: UTF8.self)
                    return record
                }
            },
            consume: { entry, decoded in
                let record = try decoded.take() ?? RecordedEvent(bytes: entry.bytes)
                var state = fold.states.removeValue(forKey: record.order)
                fold.effects += Catalog.apply(record, to: &state)
                fold.states[record.order] = state
                try each(IndexEntry(order: record.order, revision: record.revision, eventId: record.eventId, position: record.position, hash: record.hash))
                fold.count += 1
            }
        )
    }

    /// Writes the order rows, the participant figures and the views' meta.
    private func finish(_ fold: Fold, _ txn: WriteTransaction) throws {
        let head = fold.head
        let projector = Projector(tables: views, txn: txn, timers: configuration.timers)
        for state in fold.states.values { try projector.write(state, replacing: nil) }
        try projector.applyParticipantEffects(fold.effects)
        try txn.put(views.meta, key: ViewStateKey.applied, value: TimelineStore.encodeApplied(head))
        try txn.put(views.meta, key: ViewStateKey.projectionVersion, value: Keys.uint64(ViewsState.formatVersion))
        try txn.put(views.meta, key: ViewStateKey.timerSettings, value: TimelineStore.encodeTimerSettings(configuration.timers))
    }
}
