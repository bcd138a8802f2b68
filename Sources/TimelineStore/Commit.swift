import Crypto
import LMDB
import TimelineModel

// MARK: - The one write path for the log

extension TimelineStore {
    /// Records a batch of requests in ONE log transaction and one durable commit,
    /// and returns what views/ must apply for it.
    ///
    /// For each request, in order: the idempotency rules, the `expectedRevision`
    /// check, validation of every event against the order as it stands (earlier
    /// requests of the batch included), moderation, positions, revisions,
    /// `recordedAt`, the hash chain. A request that fails leaves no trace and does
    /// not affect its neighbours. When a map fills, the transaction is dropped,
    /// the map grown and the batch retried; only when it cannot grow do the
    /// requests get `storage_full`.
    ///
    /// The order states the writer validates against are authoritative: they are
    /// never behind the log, whether or not views/ applied the batch yet.
    /// Call from the writer thread only; hand the batch to ``apply(_:)`` in order.
    public func commitLog(_ requests: [AppendRequest]) -> (results: [Result<AppendOutcome, TimelineError>], batch: CommittedBatch) {
        let nothing = CommittedBatch(entries: [], changes: [:], effects: [], head: logHead)
        guard !requests.isEmpty else { return ([], nothing) }
        if configuration.readOnly {
            return (requests.map { _ in .failure(TimelineError(.internal, "the store is open read-only")) }, nothing)
        }
        var estimate = 0
        for r in requests {
            estimate += r.events.count * 2048 + r.blobs.reduce(0) { $0 + $1.bytes.count * 2 }
        }
        let applied = head.position
        return writer.withLock { writer in
            writer.prune(appliedThrough: applied)
            for _ in 0..<8 {
                if let failure = growIfNeeded(logEnv, adding: estimate) ?? growIfNeeded(viewsEnv, adding: estimate) {
                    return (requests.map { _ in .failure(failure) }, nothing)
                }
                do {
                    // The session (and its view of the writer's state) ends with the transaction,
                    // so the writer's dictionaries are changed in place afterwards.
                    let (written, syncNanoseconds) = try logEnv.timedWrite { txn in
                        try viewsEnv.read { views in
                            var session = CommitSession(store: self, txn: txn, views: views, writer: writer, head: try Self.head(in: txn, log: log))
                            let results = try requests.map { try session.process($0) }
                            try session.finish()
                            return (results, session.committedBatch(), session.states)
                        }
                    }
                    let (results, states) = (written.0, written.2)
                    var batch = written.1
                    batch.logCommitNanoseconds = syncNanoseconds
                    logHeadMirror.withLock { $0 = batch.head }
                    writer.record(batch, states: states, limit: Self.stateCacheLimit)
                    return (results, batch)
                } catch let error as LMDBError where error.code == .mapFull {
                    estimate = max(estimate * 2, configuration.mapGrowthBytes)
                    continue
                } catch {
                    let mapped = StoreErrors.commitFailure(error, path: configuration.path, bytesNeeded: estimate)
                    return (requests.map { _ in .failure(mapped) }, nothing)
                }
            }
            let full = TimelineError(.storageFull, "the batch does not fit even after growing the map; nothing was written")
            return (requests.map { _ in .failure(full) }, nothing)
        }
    }

    /// Commits to the log and applies to views/ on the caller's thread: an
    /// `ok` result is durable and visible to every reader when this returns.
    /// (The daemon splits the two across its writer and applier threads.)
    ///
    /// When views/ cannot take the batch (a full disk), its requests get the
    /// error, but their records are in the log: the batch waits and is applied
    /// before the next one, so views/ never skip a record.
    public func commit(_ requests: [AppendRequest]) -> [Result<AppendOutcome, TimelineError>] {
        let (results, batch) = commitLog(requests)
        let waiting = unappliedBatches.withLock { waiting in
            waiting.append(batch)
            return waiting
        }
        do {
            try apply(waiting)
            unappliedBatches.withLock { $0.removeAll() }
        } catch {
            let failure = TimelineError(
                error.code,
                "the events were recorded in the log but views/ cannot show them yet (\(error.message)); they are applied with the next commit, or replayed at the next start"
            )
            return results.map { result in result.flatMap { _ in .failure(failure) } }
        }
        return results
    }

    func growIfNeeded(_ env: Environment, adding bytes: Int) -> TimelineError? {
        Self.grow(env, adding: bytes, configuration: configuration)
    }
}

/// The state of one log transaction while it processes a batch.
struct CommitSession {
    let store: TimelineStore
    /// The log's write transaction.
    let txn: WriteTransaction
    /// A read snapshot of views/, taken after the writer pruned what views/ applied.
    let views: ReadTransaction
    /// The writer's state as the batch began (authoritative states, unapplied ids).
    let writer: WriterState
    var head: ChainHead
    /// The head when the transaction began.
    let startHead: ChainHead
    let now: Timestamp
    let policy: any MessageModeration
    /// Orders touched in this transaction: as they stand now (`nil` = not placed).
    var states: [String: OrderState] = [:]
    /// The same orders as they stood when the transaction began.
    var originals: [String: OrderState?] = [:]
    var effects: [ParticipantEffect] = []
    /// The index entries of the records this transaction wrote.
    var entries: [IndexEntry] = []
    /// eventId → position of the records this transaction wrote.
    var newIds: [String: UInt64] = [:]

    var log: LogTables { store.log }

    init(store: TimelineStore, txn: WriteTransaction, views: ReadTransaction, writer: WriterState, head: ChainHead) {
        self.store = store
        self.txn = txn
        self.views = views
        self.writer = writer
        self.head = head
        self.startHead = head
        let clock = store.configuration.clock()
        self.now = max(clock, head.recordedAt ?? clock)
        self.policy = store.moderation.policy
    }

    /// Processes one request: a domain refusal is returned, an LMDB failure thrown.
    mutating func process(_ request: AppendRequest) throws -> Result<AppendOutcome, TimelineError> {
        do {
            return .success(try record(request))
        } catch let refusal as TimelineError {
            return .failure(refusal)
        }
    }

    mutating func record(_ request: AppendRequest) throws -> AppendOutcome {
        if let redaction = request.redaction { return try recordRedaction(redaction, order: request.order) }
        try RequestChecks.check(request)
        if let duplicate = try idempotentReplay(request) { return duplicate }
        let original = try state(of: request.order)
        let actual: Int64 = original.map { Int64($0.revision) } ?? -1
        if let expected = request.expectedRevision, expected != actual {
            throw TimelineError(
                .wrongExpectedRevision,
                actual < 0
                    ? "order \(request.order) does not exist yet, but expectedRevision was \(expected); reload and retry"
                    : "order \(request.order) is at revision \(actual), not \(expected); reload the order and retry",
                details: ["expectedRevision": .int(expected), "actualRevision": .int(actual)]
            )
        }
        // Validate and fold every event before writing anything.
        var working = original
        var records: [RecordedEvent] = []
        /// What was prepared for each record (nil: the daemon's own flag events).
        var preparedData: [PreparedEvent?] = []
        var replies: [AppendedEvent] = []
        var newEffects: [ParticipantEffect] = []
        let uploaded = Set(request.blobs.map(\.sha256Hex))
        for (index, input) in request.events.enumerated() {
            try Catalog.validate(input, state: working, index: index, origin: request.origin, recordedAt: now, appealWindowDays: policy.appealWindowDays)
            if input.type == "evidence.attached", let sha = input.data["sha256"]?.stringValue, !uploaded.contains(sha) {
                guard let key = Hashing.bytes(fromHex: sha), try txn.get(log.blobs, key: key) != nil else {
                    throw TimelineError.invalidEvent("no evidence bytes with sha256 \(sha) were stored; upload them with evidence.put", index: index, field: "data.sha256")
                }
            }
            let prepared = request.prepared.count == request.events.count ? request.prepared[index] : PreparedEvent(input, policy: policy)
            let moderation = PreparedEvent.verdict(prepared.moderation, for: input, itemTitle: working?.itemTitle, policy: policy)
            let record = makeRecord(input, order: request.order, after: working, offset: records.count, moderation: moderation)
            newEffects += Catalog.apply(record, to: &working)
            records.append(record)
            preparedData.append(prepared)
            replies.append(AppendedEvent(eventId: record.eventId, position: record.position, revision: record.revision, status: .recorded, moderation: moderation))
            if let flag = flagEvent(after: record, state: working), try position(ofEventId: flag.eventId) == nil {
                try Catalog.validate(flag, state: working, index: index, origin: .daemon, recordedAt: now)
                let flagRecord = makeRecord(flag, order: request.order, after: working, offset: records.count, moderation: nil)
                newEffects += Catalog.apply(flagRecord, to: &working)
                records.append(flagRecord)
                preparedData.append(nil)
            }
        }
        // Write: blobs, then the records chained after the head.
        for blob in request.blobs where try txn.get(log.blobs, key: blob.sha256) == nil {
            try txn.put(log.blobs, key: blob.sha256, value: blob.bytes)
        }
        let encoded = try write(&records, prepared: preparedData)
        keep(request.order, original: original, working: working, effects: newEffects)
        return AppendOutcome(order: request.order, lastRevision: working?.revision ?? 0, events: replies, records: records, encodedRecords: encoded)
    }

    // MARK: - Pieces of a request

    /// The position of the record with `eventId`: written by this transaction,
    /// committed but not yet applied to views/, or in views/.
    func position(ofEventId eventId: String) throws -> UInt64? {
        if let p = newIds[eventId] ?? writer.pendingIds[eventId] { return p }
        return try views.get(store.viewTables.eventIds, key: Array(eventId.utf8)).map { Keys.readUInt64($0) }
    }

    /// The record at `position`, read from the log (this transaction's writes included).
    func record(at position: UInt64) throws -> RecordedEvent {
        guard let raw = try txn.get(log.records, key: Keys.position(position)) else {
            throw TimelineError(.internal, "the log has no event at position \(position) although an index names it")
        }
        return try RecordedEvent(bytes: raw.assumingMemoryBound(to: UInt8.self))
    }

    /// The idempotency rules of PROTOCOL.md: every id already recorded with the
    /// same content → the original positions; some → `idempotency_conflict`.
    func idempotentReplay(_ request: AppendRequest) throws -> AppendOutcome? {
        var found: [RecordedEvent] = []
        for input in request.events {
            guard let p = try position(ofEventId: input.eventId) else { continue }
            let record = try record(at: p)
            guard record.order == request.order, input.isSameEvent(as: record) else {
                throw TimelineError(
                    .idempotencyConflict,
                    "eventId \(input.eventId) is already recorded with different content\(record.order == request.order ? "" : " on another order"); use a new eventId",
                    details: ["eventId": .string(input.eventId)]
                )
            }
            found.append(record)
        }
        if found.isEmpty { return nil }
        guard found.count == request.events.count else {
            throw TimelineError(
                .idempotencyConflict,
                "this batch mixes \(found.count) already recorded event(s) with \(request.events.count - found.count) new one(s); resend the new events in their own batch",
                details: ["eventId": .string(found[0].eventId)]
            )
        }
        let events = found.map { AppendedEvent(eventId: $0.eventId, position: $0.position, revision: $0.revision, status: .duplicate, moderation: $0.moderation) }
        return AppendOutcome(order: request.order, lastRevision: try originalLastRevision(of: found), events: events, records: [], encodedRecords: [])
    }

    /// The `lastRevision` the original reply gave: the batch's last revision, or the
    /// `moderation.flagged` the daemon appended right after it in the same commit.
    func originalLastRevision(of found: [RecordedEvent]) throws -> UInt64 {
        guard let last = found.max(by: { $0.revision < $1.revision }) else { return 0 }
        guard try txn.get(log.records, key: Keys.position(last.position + 1)) != nil else { return last.revision }
        let next = try record(at: last.position + 1)
        let sameCommit = next.order == last.order && next.revision == last.revision + 1 && next.recordedAt == last.recordedAt
        return next.type == "moderation.flagged" && next.actor == .daemon && sameCommit ? next.revision : last.revision
    }

    /// The order as it stands in this transaction: this batch's work, else the
    /// writer's authoritative state, else views/ (safe: an order with records
    /// views/ has not applied is always in the writer's states).
    mutating func state(of order: String) throws -> OrderState? {
        if let cached = states[order] { return cached }
        if let original = originals[order] { return original }
        let loaded = try writer.states[order] ?? store.orderState(order, in: views)
        originals[order] = .some(loaded)
        if let loaded { states[order] = loaded }
        return loaded
    }

    func makeRecord(_ input: EventInput, order: String, after state: OrderState?, offset: Int, moderation: ModerationVerdict?) -> RecordedEvent {
        RecordedEvent(
            position: head.position + 1 + UInt64(offset), order: order,
            revision: state.map { $0.revision + 1 } ?? 0, eventId: input.eventId, type: input.type, actor: input.actor,
            recordedAt: now, occurredAt: input.occurredAt, data: input.data, moderation: moderation
        )
    }

    /// Seals `records` after the head, writes them with `MDB_APPEND` and takes
    /// them into the transaction's index entries; returns their stored bytes.
    mutating func write(_ records: inout [RecordedEvent], prepared: [PreparedEvent?]) throws -> [[UInt8]] {
        var encoded: [[UInt8]] = []
        encoded.reserveCapacity(records.count)
        for i in records.indices {
            let bytes = records[i].seal(prevHash: head.hash, encodedData: prepared[i]?.encodedData, dataHash: prepared[i]?.dataHash)
            let r = records[i]
            encoded.append(bytes)
            try txn.put(log.records, key: Keys.position(r.position), value: bytes, flags: .append)
            entries.append(IndexEntry(order: r.order, revision: r.revision, eventId: r.eventId, position: r.position, hash: r.hash))
            newIds[r.eventId] = r.position
            head = ChainHead(position: r.position, hash: r.hash, recordedAt: r.recordedAt)
        }
        return encoded
    }

    /// Takes a request's work on `order` into the transaction's states and effects.
    mutating func keep(_ order: String, original: OrderState?, working: OrderState?, effects newEffects: [ParticipantEffect]) {
        if originals.index(forKey: order) == nil { originals[order] = .some(original) }
        if let working { states[order] = working }
        effects += newEffects
    }

    /// `moderation.flagged` when a user's filtered messages on this order reach the threshold.
    func flagEvent(after record: RecordedEvent, state: OrderState?) -> EventInput? {
        guard record.moderation?.verdict == .filtered, let state,
              let count = state.filteredByUser[record.actor.id], count == policy.flagAfterFiltered
        else { return nil }
        return EventInput(
            eventId: Identifiers.daemonEventId(prefix: "moderation.flagged:", record.order, record.actor.id, String(count)), type: "moderation.flagged", actor: .daemon,
            data: ["rule": "flag_after_filtered", "actorId": .string(record.actor.id), "count": .int(Int64(count))]
        )
    }

    /// Writes the new head into the log's meta.
    func finish() throws {
        if head != startHead { try txn.put(log.meta, key: LogMetaKey.head, value: TimelineStore.encodeHead(head)) }
    }

    /// What views/ must apply for this transaction.
    func committedBatch() -> CommittedBatch {
        var changes: [String: OrderChange] = [:]
        for (order, state) in states {
            let original = originals[order] ?? nil
            if original == state { continue }
            changes[order] = OrderChange(original: original, state: state)
        }
        return CommittedBatch(entries: entries, changes: changes, effects: effects, head: head)
    }
}

/// Request-level checks that do not need the store.
enum RequestChecks {
    /// The prefixes of the eventIds the daemon gives its own events.
    static let reservedPrefixes = ["timer:", "moderation.flagged:", Redaction.eventIdPrefix]

    static func check(_ request: AppendRequest) throws(TimelineError) {
        guard Identifiers.isValidOrderId(request.order) else {
            throw TimelineError(.badRequest, "order \"\(request.order.prefix(140))\" is not a valid order id: \(Identifiers.orderIdRule)")
        }
        guard !request.events.isEmpty else { throw TimelineError(.badRequest, "events must hold at least one event") }
        var seen = Set<String>()
        for (index, event) in request.events.enumerated() {
            guard Identifiers.isValidEventId(event.eventId) else {
                throw .invalidEvent(Identifiers.eventIdRule, index: index, field: "eventId")
            }
            // The daemon derives its own event ids from the order and revision; a client
            // holding one of them would keep that timer or flag from ever being recorded.
            if request.origin != .daemon, reservedPrefixes.contains(where: { event.eventId.hasPrefix($0) }) {
                throw .invalidEvent("eventIds starting with \(reservedPrefixes.map { "\"\($0)\"" }.joined(separator: ", ")) are reserved for the daemon; choose another eventId", index: index, field: "eventId")
            }
            guard seen.insert(event.eventId).inserted else {
                throw .invalidEvent("eventId \(event.eventId) appears twice in this batch", index: index, field: "eventId")
            }
            if let occurredAt = event.occurredAt, Timestamp(rfc3339: occurredAt) == nil {
                throw .invalidEvent("occurredAt must be an RFC 3339 time such as 2026-11-26T15:00:00Z", index: index, field: "occurredAt")
            }
        }
    }
}
