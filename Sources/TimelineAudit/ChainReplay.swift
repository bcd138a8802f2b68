import TimelineModel

/// The heart of the audit: takes records in storage order, puts them back in
/// position order (a small reorder window absorbs swapped records), and checks
/// each one against DOMAIN.md's audit rules while replaying it through the
/// event catalog (``Catalog/validate(_:state:index:origin:recordedAt:)`` and
/// ``Catalog/apply(_:to:)``, the table that drives appends).
///
/// Findings that only follow from an earlier one are not repeated: a missing
/// event is one `position_gap`, not also a broken `prevHash`, a revision gap and
/// a stale view of its order. Orders whose history is broken that way are
/// "tainted": their legality and their stored view are not judged further.
struct ChainReplay {
    /// Per-order replay state.
    struct OrderTrack {
        var lastRevision: UInt64?
        /// The replay saw the order's first event (revision 0) or started at position 1.
        var anchored: Bool
        /// The order's history is broken (missing or repeated revisions).
        var tainted = false
        var slot: Int32
        /// The order id obeys PROTOCOL.md's rule (checked when the order is first seen).
        var validId: Bool
        var lastPosition: UInt64 = 0
    }

    /// What the index tables must say about one position.
    struct IndexEntry {
        var slot: Int32 = -1
        var revision: UInt64 = 0
        var idHash: UInt64 = 0
    }

    /// An `evidence.attached` event whose blob is to be checked.
    struct EvidenceRef {
        var position: UInt64
        var order: String
        var revision: UInt64
        var sha256: String
        var size: Int64
    }

    // Settings
    let checkLegality: Bool
    let keepIndex: Bool
    let window: Int
    /// Positions of the checkpoints to check: their records and Merkle roots are kept.
    let checkpointPositions: Set<UInt64>

    // Results
    var findings: [Finding] = []
    var events: UInt64 = 0
    /// Order id → its slot in ``tracks`` and ``orderNames``.
    var slots: [String: Int32] = [:]
    var tracks: [OrderTrack] = []
    /// Each order's state as replayed so far, by slot (kept apart from ``tracks`` so
    /// reading a track's counters never copies a state).
    var states: [OrderState?] = []
    /// Participant figures folded from every event's effects (a store's replay only).
    var figures: [String: ParticipantFigures] = [:]
    var orderNames: [String] = []
    var index: [IndexEntry] = []
    var evidence: [EvidenceRef] = []
    /// At each of `checkpointPositions` the log reaches: the record's hash and time, and the Merkle root of that size.
    var checkpointRecords: [UInt64: (hash: String, recordedAt: String, root: [UInt8]?)] = [:]
    /// The data-less (redacted) records replayed, by position.
    var redactedRecords: [UInt64: RecordedEvent] = [:]
    /// The targets of the `redaction.applied` events replayed: target position → the redaction's position and the entry.
    var redactionTargets: [UInt64: (by: UInt64, target: JSONValue)] = [:]
    /// Where the replay started (the expected first position).
    var firstPosition: UInt64?
    /// The first position actually replayed (the report's range).
    var firstProcessed: UInt64?
    var last: (position: UInt64, hash: Digest32?, recordedAt: Timestamp)?
    /// Positions involved in an out-of-order finding (key mismatches there are not repeated).
    var outOfOrder: Set<UInt64> = []
    /// Missing positions (declared gaps).
    var missing: [ClosedRange<UInt64>] = []
    /// The Merkle tree of the records replayed so far (`nil` when the replay does
    /// not start at position 1, or once a gap or an unreadable hash leaves it undefined).
    var merkle: MerkleAppender?
    /// The nodes views' `merkle` table must hold: per level from the lowest, the
    /// 32-byte hashes one after the other in index order.
    var merkleNodes: [[UInt8]] = []

    // Reorder state
    private var expected: UInt64?
    private var pending: [UInt64: Item] = [:]
    private var lastHash: Digest32?
    private var lastRecordedAt: Timestamp?
    private var unexplainedMissing: UInt64 = 0
    /// Log keys whose records could not be read: the gap they leave is not reported again.
    private var unreadableKeys: Set<UInt64> = []
    /// Findings of export lines that could not be read since the last readable one.
    private var unreadableLines: [Int] = []
    private var keyMismatches: [(key: UInt64, position: UInt64, order: String, revision: UInt64)] = []

    /// - Parameters:
    ///   - start: the position the input must start at (1 for a whole log), or `nil`
    ///     to start at the first record's position (a partial export).
    ///   - indexCapacity: positions whose index entries are remembered (0: none).
    init(start: UInt64?, checkLegality: Bool = true, indexCapacity: Int = 0, window: Int = 1024, checkpointPositions: Set<UInt64> = []) {
        self.expected = start
        self.checkLegality = checkLegality
        self.keepIndex = indexCapacity > 0
        if indexCapacity > 0 { index = Array(repeating: IndexEntry(), count: indexCapacity) }
        if start == 1 { merkle = MerkleAppender() }
        self.window = window
        self.checkpointPositions = checkpointPositions
    }

    /// Whether the replay started at position 1.
    var isWholeLog: Bool { firstPosition == 1 }

    // MARK: - Input

    /// Feeds one stored record. `key` is the log key it is stored under (a store),
    /// `line` its line number (an export), for the findings' wording.
    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, key: UInt64?, line: Int?) {
        if var item = CanonicalRecordScanner.scan(bytes) {
            feed(&item, key: key)
            return
        }
        let record: RecordedEvent
        let hashes: HashCheck
        let value: JSONValue
        do {
            value = try JSONParser.parse(buffer: bytes)
            record = try RecordedEvent(json: value)
            hashes = HashCheck(value, record)
        } catch {
            let place = key.map { "the record stored at position \($0)" } ?? "line \(line ?? 0)"
            findings.append(Finding(.unreadableRecord, position: key, "\(place) cannot be read: \(error)"))
            if let key { unreadableKeys.insert(key) } else { unreadableLines.append(findings.count - 1) }
            return
        }
        var item = Item(record: record, hashes: hashes, json: value)
        feed(&item, key: key)
    }

    /// Feeds a record the fast path scanned, or (`nil`) its stored bytes for the general path.
    /// Items are `inout` here and below only so they are lent by address (passed by value,
    /// the ~300-byte item is copied at every call); the replay never changes them.
    mutating func feed(_ scanned: inout Item?, _ bytes: UnsafeBufferPointer<UInt8>, key: UInt64) {
        if scanned?.inPlace({ item in feed(&item, key: key) }) == nil {
            feed(bytes, key: key, line: nil)
        }
    }

    /// Feeds a record the fast path already scanned.
    mutating func feed(_ item: inout Item, key: UInt64?) {
        if let key, key != item.record.position {
            keyMismatches.append((key, item.record.position, item.record.order, item.record.revision))
        }
        if !unreadableLines.isEmpty { placeUnreadableLines(before: item.record.position) }
        accept(&item)
    }

    /// Export lines that could not be read, right before a record that skips exactly
    /// as many positions, are those positions: their findings name them, and the gap
    /// they leave is not reported again (as for unreadable records of a store).
    private mutating func placeUnreadableLines(before position: UInt64) {
        defer { unreadableLines.removeAll() }
        guard let next = expected, position > next, position - next == UInt64(unreadableLines.count) else { return }
        for (offset, index) in unreadableLines.enumerated() {
            let p = next + UInt64(offset)
            findings[index].position = p
            unreadableKeys.insert(p)
        }
    }

    /// Takes one decoded record in storage order.
    mutating func accept(_ item: inout Item) {
        let p = item.record.position
        if expected == nil { expected = p }
        if firstPosition == nil { firstPosition = expected }
        guard let next = expected else { return }
        if p == next {
            if !pending.isEmpty {
                let after = pending.keys.max() ?? p
                outOfOrder.insert(p)
                for k in pending.keys { outOfOrder.insert(k) }
                findings.append(Finding(
                    .positionOutOfOrder, position: p, order: item.record.order, revision: item.record.revision,
                    "event \(p) is stored after event \(after): events were moved or swapped"
                ))
            }
            process(&item)
            expected = p + 1
            drain()
        } else if p > next {
            if pending[p] != nil {
                findings.append(Finding(.positionRepeat, position: p, order: item.record.order, revision: item.record.revision, "position \(p) appears twice in the log"))
                return
            }
            pending[p] = item
            if pending.count > window { declareGap() }
        } else if let first = firstPosition, p < first {
            outOfOrder.insert(p)
            findings.append(Finding(
                .positionOutOfOrder, position: p, order: item.record.order, revision: item.record.revision,
                "event \(p) is stored after events from \(first) on, before which the log was expected to start"
            ))
        } else if missing.contains(where: { $0.contains(p) }) {
            outOfOrder.insert(p)
            findings.append(Finding(
                .positionOutOfOrder, position: p, order: item.record.order, revision: item.record.revision,
                "event \(p) is stored far after its place (already reported missing) and was not replayed"
            ))
        } else {
            findings.append(Finding(.positionRepeat, position: p, order: item.record.order, revision: item.record.revision, "position \(p) appears twice in the log"))
        }
    }

    /// Ends the input: whatever is still waiting is replayed after declaring its gaps.
    mutating func finish() {
        while !pending.isEmpty { declareGap() }
        for m in keyMismatches where !outOfOrder.contains(m.key) && !outOfOrder.contains(m.position) {
            findings.append(Finding(
                .positionMismatch, position: m.key, order: m.order, revision: m.revision,
                "the record stored under position \(m.key) says it is position \(m.position)"
            ))
        }
        keyMismatches = []
        checkRedactions()
    }

    /// DOMAIN.md's redaction rule: every event without data is named by a later
    /// `redaction.applied` that matches it, and every target of one has lost its data.
    private mutating func checkRedactions() {
        for (p, record) in redactedRecords.sorted(by: { $0.key < $1.key }) {
            guard let named = redactionTargets[p] else {
                findings.append(Finding(
                    .dataMissing, position: p, order: record.order, revision: record.revision,
                    "this \(record.type) has no data and no later redaction.applied names it: its data was removed outside admin.redact"
                ))
                continue
            }
            if let problem = Redaction.problem(target: named.target, record: record, redactionPosition: named.by) {
                findings.append(Finding(.redactionMismatch, position: named.by, order: record.order, "the redaction.applied at position \(named.by) does not match its target: \(problem)"))
            }
        }
        guard let first = firstProcessed, let lastPosition = last?.position else { return }
        for (p, named) in redactionTargets.sorted(by: { $0.key < $1.key }) where redactedRecords[p] == nil {
            guard p >= first, p <= lastPosition, !isMissing(p) else { continue }
            findings.append(Finding(
                .redactionIncomplete, position: p,
                "the redaction.applied at position \(named.by) names position \(p), which still holds its data"
            ))
        }
    }

    private mutating func drain() {
        if pending.isEmpty { return }
        while let next = expected, var r = pending.removeValue(forKey: next) {
            process(&r)
            expected = next + 1
        }
    }

    /// Takes the record at `position` into the Merkle tree (its leaf is its stored `hash`).
    private mutating func addMerkleLeaf(_ position: UInt64, _ hash: Digest32?) {
        guard merkle != nil else { return }
        guard let hash, merkle?.count == position - 1 else {
            merkle = nil
            return
        }
        for node in merkle?.append(MerkleHash.leaf(hash.bytes)) ?? [] {
            let slot = node.level - MerkleAppender.lowestLevel
            while merkleNodes.count <= slot { merkleNodes.append([]) }
            merkleNodes[slot] += node.hash
        }
    }

    private mutating func declareGap() {
        guard let next = expected, let lowest = pending.keys.min() else { return }
        let count = lowest - next
        missing.append(next...(lowest - 1))
        unexplainedMissing += count
        lastHash = nil
        expected = lowest
        if !(next...(lowest - 1)).allSatisfy({ unreadableKeys.contains($0) }) {
            findings.append(Finding(
                .positionGap, position: next,
                count == 1
                    ? "position \(next) is missing: the log goes from \(next - 1) to \(lowest)"
                    : "positions \(next)–\(lowest - 1) are missing: the log goes from \(next - 1) to \(lowest)"
            ))
        }
        drain()
    }

    // MARK: - Checks of one record, in position order

    private mutating func process(_ item: inout Item) {
        events += 1
        let p = item.record.position
        if firstProcessed == nil { firstProcessed = p }
        let order = item.record.order
        // Hashes (DOMAIN.md: dataHash, hash, prevHash)
        if !item.hashes.dataHashOK {
            findings.append(Finding(
                .dataHashMismatch, position: p, order: order, revision: item.record.revision,
                "the data of this \(item.record.type) does not hash to its dataHash: the event's data was changed after it was recorded"
            ))
        }
        if !item.hashes.hashOK {
            findings.append(Finding(
                .hashMismatch, position: p, order: order, revision: item.record.revision,
                "the event's hash does not match its fields: a field other than data was changed after it was recorded"
            ))
        }
        if let expectedPrev = p == 1 ? Digest32.zero : lastHash, item.prevHash != expectedPrev {
            findings.append(Finding(
                .prevHashMismatch, position: p, order: order, revision: item.record.revision,
                p == 1 ? "position 1 must carry 64 zeros as prevHash"
                    : "prevHash is not the hash of position \(p - 1): the chain is broken here"
            ))
        }
        lastHash = item.hash
        if let before = lastRecordedAt, item.record.recordedAt < before {
            findings.append(Finding(
                .recordedAtBackwards, position: p, order: order, revision: item.record.revision,
                "recordedAt \(item.record.recordedAt.rfc3339) is earlier than the previous event's \(before.rfc3339)"
            ))
        }
        lastRecordedAt = item.record.recordedAt
        addMerkleLeaf(p, item.hash)
        if checkpointPositions.contains(p) {
            checkpointRecords[p] = (item.hash?.hex ?? "", item.record.recordedAt.rfc3339, merkle?.root)
        }
        last = (p, item.hash, item.record.recordedAt)

        // Revisions and legality
        let slot: Int
        if let known = slots[order] {
            slot = Int(known)
        } else {
            slot = tracks.count
            slots[order] = Int32(slot)
            tracks.append(OrderTrack(anchored: isWholeLog || item.record.revision == 0, slot: Int32(slot), validId: Identifiers.isValidOrderId(order)))
            states.append(nil)
            orderNames.append(order)
        }
        // The record's form (the order id once per order: every later record names the same bytes).
        if !item.formProblems.isEmpty || !tracks[slot].validId {
            var form = item.formProblems
            if !tracks[slot].validId { form.append("order id \"\(order.prefix(140))\" breaks the order id rule") }
            findings.append(Finding(
                .malformedRecord, position: p, order: order, revision: item.record.revision,
                "the record breaks PROTOCOL.md's recorded-event form: \(form.joined(separator: "; "))"
            ))
        }
        if item.record.isRedacted {
            redactedRecords[p] = item.record
        } else if item.record.type == "redaction.applied" {
            for target in item.record.data["targets"]?.arrayValue ?? [] {
                guard let t = target["position"]?.intValue, t > 0 else { continue }
                if let earlier = redactionTargets[UInt64(t)] {
                    findings.append(Finding(.redactionMismatch, position: p, order: order, revision: item.record.revision, "position \(t) was already redacted at position \(earlier.by)"))
                } else {
                    redactionTargets[UInt64(t)] = (p, target)
                }
            }
        }
        var track = tracks[slot]
        let previousRevision = track.lastRevision
        let anchored = track.anchored
        let expectedRevision = previousRevision.map { $0 + 1 } ?? (anchored ? 0 : item.record.revision)
        var tainted = track.tainted
        if item.record.revision > expectedRevision {
            let gap = item.record.revision - expectedRevision
            if unexplainedMissing >= gap {
                unexplainedMissing -= gap
            } else {
                findings.append(Finding(
                    .revisionGap, position: p, order: order, revision: item.record.revision,
                    "order \(order) goes from revision \(expectedRevision == 0 && previousRevision == nil ? "none" : String(expectedRevision - 1)) to \(item.record.revision)"
                ))
            }
            tainted = true
        } else if item.record.revision < expectedRevision {
            findings.append(Finding(
                .revisionRepeat, position: p, order: order, revision: item.record.revision,
                "order \(order) already had revision \(item.record.revision) (its last was \(expectedRevision - 1))"
            ))
            tainted = true
        }
        // An event whose own hashes fail was altered: that is the finding, and whether the
        // altered content would be legal is a consequence of it, not reported again.
        var rule: EventRule?
        // A redacted event was judged when it was recorded; without its data only the redaction checks apply.
        if checkLegality && anchored && !tainted && item.hashes.dataHashOK && item.hashes.hashOK && !item.record.isRedacted {
            do throws(TimelineError) {
                let checked = try Catalog.checkShape(type: item.record.type, actor: item.record.actor, data: item.record.data, index: 0, origin: Self.origin(of: item.record))
                try Catalog.checkTransition(checked, actor: item.record.actor, data: item.record.data, state: &states[slot], index: 0, recordedAt: item.record.recordedAt)
                rule = checked
            } catch {
                findings.append(Finding(
                    .illegalEvent, position: p, order: order, revision: item.record.revision,
                    "\(item.record.type) by \(item.record.actor.role.rawValue) \(item.record.actor.id) is not allowed here (\(error.code.rawValue)): \(error.message)"
                ))
            }
        }
        let lastRevision = max(previousRevision ?? 0, item.record.revision)
        let effects = Catalog.apply(item.record, rule: rule ?? Catalog.rules[item.record.type], to: &states[slot])
        if keepIndex {
            for effect in effects {
                let user = ParticipantFigures.user(of: effect)
                Self.fold(effect, into: &figures[user, default: ParticipantFigures(user: user)])
            }
        }
        track.tainted = tainted
        track.lastRevision = lastRevision
        track.lastPosition = p
        tracks[slot] = track

        if item.record.type == "evidence.attached", let sha = item.record.data["sha256"]?.stringValue {
            evidence.append(EvidenceRef(position: p, order: order, revision: item.record.revision, sha256: sha, size: item.record.data["size"]?.intValue ?? -1))
        }
        if keepIndex, p >= 1, p <= UInt64(index.count) {
            index[Int(p - 1)] = IndexEntry(slot: Int32(slot), revision: item.record.revision, idHash: item.idHash)
        }
    }

    /// Applies `effect` and keeps the user's recent reply times (at most twice the
    /// window between trims; the checks look at the last ``ParticipantFigures/replyWindow``).
    static func fold(_ effect: ParticipantEffect, into figures: inout ParticipantFigures) {
        figures.apply(effect)
        guard case .reply(_, let micros) = effect else { return }
        figures.recentReplyMicroseconds.append(micros)
        let window = ParticipantFigures.replyWindow
        if figures.recentReplyMicroseconds.count >= 2 * window {
            figures.recentReplyMicroseconds.removeFirst(figures.recentReplyMicroseconds.count - window)
        }
    }

    /// How the event was appended: evidence through `evidence.put`, moderation
    /// flags and timers by the daemon, everything else by a client.
    static func origin(of record: RecordedEvent) -> AppendOrigin {
        if record.type == "evidence.attached" { return .evidencePut }
        if record.type == "moderation.flagged" || record.actor == .daemon { return .daemon }
        return .client
    }

    /// The replay state of `order`, if it has events.
    func track(_ order: String) -> OrderTrack? { slots[order].map { tracks[Int($0)] } }

    /// Whether a tracked order has a replayed state (without copying it).
    func hasState(_ track: OrderTrack) -> Bool {
        if case .some = states[Int(track.slot)] { return true }
        return false
    }

    /// The replayed state of a tracked order.
    func state(_ track: OrderTrack) -> OrderState? { states[Int(track.slot)] }

    /// Whether `position` is inside a declared gap.
    func isMissing(_ position: UInt64) -> Bool { missing.contains { $0.contains(position) } }
}
