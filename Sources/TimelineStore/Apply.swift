import LMDB
import TimelineModel

// MARK: - The one apply path for the views

extension TimelineStore {
    /// Applies committed batches to views/ in order, in ONE views transaction
    /// that also advances `applied`; then readers see them. Many batches' changes
    /// to the same order coalesce into one write of its rows.
    ///
    /// Call from the applier thread only (or right after ``commitLog(_:)`` on
    /// the writer's), with batches in commit order, each exactly once.
    /// A batch that does not start right after `applied` is refused with
    /// `internal` and changes nothing: views/ never skip a log record.
    public func apply(_ batches: [CommittedBatch]) throws(TimelineError) {
        guard let merged = CommittedBatch.merging(batches) else { return }
        let applied = head.position
        if let first = merged.entries.first?.position, first != applied + 1 {
            throw TimelineError(
                .internal,
                "views/ reflect the log through position \(applied) but the batch to apply starts at \(first); nothing was applied. Restart the daemon: it replays the log into views/"
            )
        }
        try markUncleanIfNeeded()
        let cached = merkleAppender.withLock { $0 }
        let merkle = try Self.applyToViews(
            merged, env: viewsEnv, tables: viewTables, logEnv: logEnv, log: log, merkle: cached?.count == applied ? cached : nil, configuration: configuration
        )
        merkleAppender.withLock { $0 = merkle }
        appliedMirror.withLock { $0 = merged.head }
    }

    /// Writes `batch` into the views environment `env` in one transaction,
    /// growing its map when needed. `merkle` is the tree's appender as views/
    /// stand before the batch (`nil`: derived from views/ and the log); returns
    /// it as they stand after.
    static func applyToViews(
        _ batch: CommittedBatch, env: Environment, tables: ViewTables, logEnv: Environment, log: LogTables,
        merkle: MerkleAppender?, configuration: StoreConfiguration
    ) throws(TimelineError) -> MerkleAppender {
        var estimate = batch.entries.count * 1024 + batch.changes.count * 2048 + 65536
        for _ in 0..<8 {
            if let failure = grow(env, adding: estimate, configuration: configuration) { throw failure }
            do {
                return try env.write { txn in
                    var appender = try merkle ?? MerkleAppender(
                        count: try TimelineStore.applied(in: txn, tables: tables).position, viewsTxn: txn, tables: tables, logEnv: logEnv, log: log
                    )
                    try ViewApplier(tables: tables, txn: txn, timers: configuration.timers).apply(batch, merkle: &appender)
                    return appender
                }
            } catch let error as LMDBError where error.code == .mapFull {
                estimate = max(estimate * 2, configuration.mapGrowthBytes)
            } catch {
                throw StoreErrors.commitFailure(error, path: env.path, bytesNeeded: estimate)
            }
        }
        throw TimelineError(.storageFull, "views/ cannot take the batch even after growing its map")
    }

    /// Grows `env`'s map when `adding` more bytes would pass the growth threshold.
    /// Returns `storage_full` when the map is already at its configured maximum.
    /// Safe from two threads at once: the map only ever grows.
    static func grow(_ env: Environment, adding bytes: Int, configuration: StoreConfiguration) -> TimelineError? {
        let info = env.info
        let needed = info.usedBytes + bytes
        guard Double(needed) > Double(info.mapSize) * configuration.growthThreshold else { return nil }
        // A backup's copy holds a read transaction: a resize now would stall every
        // transaction until the copy ends. Grow early only when the bytes do not fit.
        if env.isCopying && needed <= info.mapSize { return nil }
        var target = info.mapSize + max(configuration.mapGrowthBytes, bytes * 2)
        target = (target + info.pageSize - 1) / info.pageSize * info.pageSize
        target = min(target, configuration.maxMapSizeBytes)
        if target <= info.mapSize {
            return needed > info.mapSize
                ? TimelineError(.storageFull, "the store reached store.maxMapSizeBytes (\(configuration.maxMapSizeBytes) bytes) in \(env.path); nothing was written")
                : nil
        }
        do {
            try env.setMapSize(target)
        } catch {
            return TimelineError(.storageFull, "the map of \(env.path) cannot grow to \(target) bytes: \(error.message); nothing was written")
        }
        return nil
    }
}

/// Writes one (possibly merged) batch into views/: the index entries of its
/// records, the rows of every order it changed, the participant figures, and
/// `applied`.
struct ViewApplier {
    let tables: ViewTables
    let txn: WriteTransaction
    let timers: TimerSettings

    func apply(_ batch: CommittedBatch, merkle: inout MerkleAppender) throws {
        for e in batch.entries {
            try index(e)
            try addLeaf(e, to: &merkle)
        }
        let projector = Projector(tables: tables, txn: txn, timers: timers)
        for change in batch.changes.values { try projector.write(change.state, replacing: change.original) }
        try projector.applyParticipantEffects(batch.effects)
        try txn.put(tables.meta, key: ViewStateKey.applied, value: TimelineStore.encodeApplied(batch.head))
    }

    /// Takes a record's leaf into the Merkle tree and stores the nodes it completes.
    func addLeaf(_ e: IndexEntry, to merkle: inout MerkleAppender) throws {
        guard e.position == merkle.count + 1, let leaf = MerkleHash.leaf(ofEventHash: e.hash) else {
            throw TimelineError(.internal, "the Merkle tree of views/ holds \(merkle.count) leaves, the next record is position \(e.position) with hash \(e.hash.prefix(16)); rebuild views/")
        }
        for node in merkle.append(leaf) {
            try txn.put(tables.merkle, key: MerkleNodes.key(level: node.level, index: node.index), value: node.hash)
        }
    }

    /// The `orderEvents` and `eventIds` entries of one record.
    func index(_ e: IndexEntry) throws {
        let position = Keys.position(e.position)
        try txn.put(tables.orderEvents, key: Keys.orderRevision(e.order, e.revision), value: position, flags: .noOverwrite)
        try txn.put(tables.eventIds, key: Array(e.eventId.utf8), value: position, flags: .noOverwrite)
    }
}

/// Replays the log records after views' `applied` into views/ (the start after
/// kill -9), through the same apply path as live batches.
struct ViewsReplay {
    let logEnv: Environment
    let log: LogTables
    let viewsEnv: Environment
    let views: ViewTables
    let configuration: StoreConfiguration
    /// Records per views transaction.
    static let chunk: UInt64 = 20_000

    /// Applies positions `applied.position + 1 ... head.position`; returns how many.
    func replay(after applied: ChainHead, through head: ChainHead) throws(TimelineError) -> UInt64 {
        var next = applied.position + 1
        while next <= head.position {
            let last = min(head.position, next + Self.chunk - 1)
            let batch: CommittedBatch
            do {
                batch = try logEnv.read { logTxn in try viewsEnv.read { viewsTxn in try fold(next...last, log: logTxn, views: viewsTxn) } }
            } catch let error as TimelineError {
                throw error
            } catch {
                throw TimelineError(.internal, "replaying log positions \(next)...\(last) into views/ failed: \(error)")
            }
            _ = try TimelineStore.applyToViews(batch, env: viewsEnv, tables: views, logEnv: logEnv, log: log, merkle: nil, configuration: configuration)
            next = last + 1
        }
        return head.position - min(applied.position, head.position)
    }

    /// The batch that positions `range` make of the orders as views/ holds them.
    private func fold(_ range: ClosedRange<UInt64>, log logTxn: ReadTransaction, views viewsTxn: ReadTransaction) throws -> CommittedBatch {
        var originals: [String: OrderState?] = [:]
        var states: [String: OrderState?] = [:]
        var entries: [IndexEntry] = []
        var effects: [ParticipantEffect] = []
        var head = ChainHead.empty
        for position in range {
            guard let raw = try logTxn.get(log.records, key: Keys.position(position)) else {
                throw TimelineError(.internal, "the log has no record at position \(position) below its head; audit it with timeline-audit verify")
            }
            let record = try RecordedEvent(bytes: raw.assumingMemoryBound(to: UInt8.self))
            if originals.index(forKey: record.order) == nil {
                let stored = try viewsTxn.get(views.views, key: Array(record.order.utf8)).map {
                    try OrderState(storageJSON: JSONParser.parse(buffer: $0.assumingMemoryBound(to: UInt8.self)))
                }
                originals[record.order] = .some(stored)
                states[record.order] = .some(stored)
            }
            var state = states[record.order] ?? nil
            effects += Catalog.apply(record, to: &state)
            states[record.order] = .some(state)
            entries.append(IndexEntry(order: record.order, revision: record.revision, eventId: record.eventId, position: record.position, hash: record.hash))
            head = ChainHead(position: record.position, hash: record.hash, recordedAt: record.recordedAt)
        }
        var changes: [String: OrderChange] = [:]
        for (order, state) in states {
            guard let state = state ?? nil else { continue }
            changes[order] = OrderChange(original: originals[order] ?? nil, state: state)
        }
        return CommittedBatch(entries: entries, changes: changes, effects: effects, head: head)
    }
}
