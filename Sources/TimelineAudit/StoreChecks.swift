import Dispatch
import TimelineModel
import TimelineStore

/// The checks only a store allows: its indexes, its blobs and its stored
/// projections, against what the replay rebuilt from the log.
struct StoreChecks {
    let snap: AuditSnapshot
    /// The replay through views' `applied`: what views/ must hold.
    let replay: ChainReplay
    /// The replay of the whole log: what the blobs in log/ must match.
    let logReplay: ChainReplay

    /// Runs every check. With `twin`, a second snapshot of the very same committed
    /// state (its own read transaction, so it may be read on another thread), the
    /// largest check, the `orderEvents` index, runs on another core meanwhile.
    func run(into findings: inout [Finding], report: inout AuditReport, twin: AuditSnapshot? = nil) throws {
        if let twin, twin.snapshotID == snap.snapshotID {
            let aside = ConcurrentCheck(StoreChecks(snap: twin, replay: replay, logReplay: logReplay))
            defer { aside.wait() }
            try runAllButOrderEvents(into: &findings, report: &report)
            aside.wait()
            findings += try aside.result.get()
        } else {
            try checkOrderEvents(&findings)
            try runAllButOrderEvents(into: &findings, report: &report)
        }
    }

    /// ``checkOrderEvents(_:)`` on another thread. `@unchecked Sendable`: the checks
    /// read their own snapshot (a read transaction of an `MDB_NOTLS` environment, used by
    /// that one thread) and the replay, which nobody changes while they run; `result` is
    /// read only after ``wait()``, which orders the write before the read.
    private final class ConcurrentCheck: @unchecked Sendable {
        let checks: StoreChecks
        let done = DispatchGroup()
        var result: Result<[Finding], any Error> = .success([])
        private var waited = false

        init(_ checks: StoreChecks) {
            self.checks = checks
            done.enter()
            DispatchQueue.global(qos: .userInitiated).async {
                self.result = Result { var found: [Finding] = []; try self.checks.checkOrderEvents(&found); return found }
                self.done.leave()
            }
        }

        /// Waits until the check ended (at most once; later calls return at once).
        func wait() {
            if waited { return }
            done.wait()
            waited = true
        }
    }

    private func runAllButOrderEvents(into findings: inout [Finding], report: inout AuditReport) throws {
        try checkEventIds(&findings)
        report.blobsChecked = try checkBlobs(&findings)
        // Projections follow the reducers of the daemon version that wrote them: those of
        // another version are not compared (they would all differ). That is a finding, not
        // a note: the version is a value in the store, and a tamperer who changed it must
        // not be able to switch the projection checks off.
        let version = try snap.projectionVersion()
        guard version == TimelineStore.projectionVersion else {
            findings.append(Finding(
                .viewMismatch,
                "the store says its projections follow projection version \(version.map(String.init) ?? "(none)"), this tool rebuilds version \(TimelineStore.projectionVersion): views, lists, figures and timers were not compared; open a copy once with the matching timelined (it rebuilds them) and verify that, or use the timeline-audit of the daemon's version"
            ))
            return
        }
        report.viewsChecked = try checkViews(&findings)
        try checkStateIndexes(&findings)
        try checkDisputeQueue(&findings)
        try checkRedressIndexes(&findings)
        report.participantsChecked = try checkParticipants(&findings)
        try checkReplyTimes(&findings)
        try checkMerkle(&findings)
        if let settings = try snap.timerSettings() {
            try checkTimers(&findings, settings: settings)
        } else {
            findings.append(Finding(
                .indexMismatch,
                "the store does not record the timer settings its timer table was derived with, so the timer table could not be checked; a current timelined always records them"
            ))
        }
    }

    /// Where a position's index entry must point, or `nil` when the log does not hold it.
    private func entry(_ position: UInt64) -> ChainReplay.IndexEntry? {
        guard position >= 1, position <= UInt64(replay.index.count) else { return nil }
        let e = replay.index[Int(position - 1)]
        return e.slot >= 0 ? e : nil
    }

    // MARK: - The Merkle tree

    /// views' `merkle` table against the nodes of the tree rebuilt from the log's
    /// hashes (skipped when a gap leaves the tree undefined: that gap is reported).
    private func checkMerkle(_ findings: inout [Finding]) throws {
        guard replay.merkle != nil else { return }
        let expected = replay.merkleNodes
        var seen = expected.map { [Bool](repeating: false, count: $0.count / MerkleHash.size) }
        var reported = 0
        func report(_ text: String) {
            reported += 1
            if reported <= 20 { findings.append(Finding(.merkleMismatch, text)) }
        }
        try snap.forEachMerkleNode { level, index, hash in
            guard let level, level >= MerkleAppender.lowestLevel else {
                report("views' merkle table holds a row whose key is not a level and an index")
                return
            }
            let slot = level - MerkleAppender.lowestLevel
            guard slot < expected.count, index < UInt64(seen[slot].count) else {
                report("views' merkle table holds node \(level)/\(index), which the log's tree does not have")
                return
            }
            seen[slot][Int(index)] = true
            let start = Int(index) * MerkleHash.size
            if !hash.elementsEqual(expected[slot][start..<(start + MerkleHash.size)]) {
                report("the stored Merkle node \(level)/\(index) (leaves \((index << level) + 1)–\((index + 1) << level)) differs from the one rebuilt from the log's hashes")
            }
        }
        for (slot, flags) in seen.enumerated() {
            for (index, found) in flags.enumerated() where !found {
                report("views lack the Merkle node \(slot + MerkleAppender.lowestLevel)/\(index): proofs over it cannot be answered")
            }
        }
        if reported > 20 { findings.append(Finding(.merkleMismatch, "\(reported - 20) more Merkle nodes differ; rebuild views/ (admin.rebuild) once the log verifies")) }
    }

    // MARK: - orderEvents and eventIds

    private func checkOrderEvents(_ findings: inout [Finding]) throws {
        var seen = [Bool](repeating: false, count: replay.index.count)
        try snap.forEachOrderEvent { order, revision, position in
            if revision == .max {
                findings.append(Finding(.indexMismatch, "the orderEvents index holds a malformed entry"))
                return
            }
            if replay.isMissing(position) { return }
            guard let e = entry(position) else {
                findings.append(Finding(
                    .indexMismatch, position: position, order: order, revision: revision,
                    "orderEvents names order \(order) revision \(revision) at position \(position), which the log does not hold"
                ))
                return
            }
            let actual = replay.orderNames[Int(e.slot)]
            if actual != order || e.revision != revision {
                findings.append(Finding(
                    .indexMismatch, position: position, order: order, revision: revision,
                    "orderEvents names order \(order) revision \(revision) at position \(position), but the log has order \(actual) revision \(e.revision) there"
                ))
            }
            seen[Int(position - 1)] = true
        }
        for (i, e) in replay.index.enumerated() where e.slot >= 0 && !seen[i] {
            findings.append(Finding(
                .indexMismatch, position: UInt64(i + 1), order: replay.orderNames[Int(e.slot)], revision: e.revision,
                "position \(i + 1) has no entry in the orderEvents index: order.events would not return it"
            ))
        }
    }

    private func checkEventIds(_ findings: inout [Finding]) throws {
        var seen = [Bool](repeating: false, count: replay.index.count)
        try snap.forEachEventId { key, position in
            if replay.isMissing(position) { return }
            let id = { String(decoding: key, as: UTF8.self) }
            guard let e = entry(position) else {
                findings.append(Finding(.indexMismatch, position: position, "eventIds maps \(id()) to position \(position), which the log does not hold"))
                return
            }
            if FNV1a.hash(key) != e.idHash {
                findings.append(Finding(.indexMismatch, position: position, "eventIds maps \(id()) to position \(position), which holds another event"))
            }
            seen[Int(position - 1)] = true
        }
        for (i, e) in replay.index.enumerated() where e.slot >= 0 && !seen[i] {
            findings.append(Finding(
                .indexMismatch, position: UInt64(i + 1), order: replay.orderNames[Int(e.slot)], revision: e.revision,
                "the eventId of position \(i + 1) is not in the eventIds index: a retry would record it twice"
            ))
        }
    }

    // MARK: - Blobs

    private func checkBlobs(_ findings: inout [Finding]) throws -> Int {
        var verdicts: [String: (hash: String, size: Int)?] = [:]
        for ev in logReplay.evidence {
            let known: (hash: String, size: Int)?
            if let cached = verdicts[ev.sha256] {
                known = cached
            } else {
                guard let key = Hashing.bytes(fromHex: ev.sha256), key.count == 32, let bytes = try snap.blob(rawKey: key) else {
                    verdicts[ev.sha256] = .some(nil)
                    findings.append(Finding(
                        .blobMissing, position: ev.position, order: ev.order, revision: ev.revision,
                        "the evidence \(ev.sha256.prefix(16))… attached here has no stored blob"
                    ))
                    continue
                }
                known = (Hashing.sha256Hex(bytes), bytes.count)
                verdicts[ev.sha256] = .some(known)
            }
            guard let known else {
                findings.append(Finding(
                    .blobMissing, position: ev.position, order: ev.order, revision: ev.revision,
                    "the evidence \(ev.sha256.prefix(16))… attached here has no stored blob"
                ))
                continue
            }
            if known.hash != ev.sha256 {
                findings.append(Finding(
                    .blobHashMismatch, position: ev.position, order: ev.order, revision: ev.revision,
                    "the stored bytes of evidence \(ev.sha256.prefix(16))… hash to \(known.hash.prefix(16))…: the file was replaced"
                ))
            } else if Int64(known.size) != ev.size {
                findings.append(Finding(
                    .blobHashMismatch, position: ev.position, order: ev.order, revision: ev.revision,
                    "evidence \(ev.sha256.prefix(16))… holds \(known.size) bytes, the event says \(ev.size)"
                ))
            }
        }
        var checked = verdicts.count
        try snap.forEachBlob { hex, bytes in
            guard verdicts[hex] == nil else { return }
            checked += 1
            let actual = Hashing.sha256Hex(bytes)
            if actual != hex {
                findings.append(Finding(.blobHashMismatch, "the stored blob \(hex.prefix(16))… (no event refers to it) hashes to \(actual.prefix(16))…"))
            } else if logReplay.isWholeLog {
                findings.append(Finding(.blobUnreferenced, "the stored blob \(hex.prefix(16))… is named by no evidence event with data: a redaction left it behind, or it was put there by hand"))
            }
        }
        return checked
    }

    // MARK: - Projections

    private func checkViews(_ findings: inout [Finding]) throws -> Int {
        var viewed = [Bool](repeating: false, count: replay.orderNames.count)
        var count = 0
        try snap.forEachStoredView { order, bytes in
            count += 1
            guard let track = replay.track(order) else {
                findings.append(Finding(.viewMismatch, order: order, "a stored view exists for order \(order), which has no events in the log"))
                return
            }
            viewed[Int(track.slot)] = true
            guard !track.tainted, let state = replay.state(track) else { return }
            let rebuilt = state.storageBytes
            if !bytes.elementsEqual(rebuilt) {
                findings.append(Finding(
                    .viewMismatch, position: track.lastPosition, order: order, revision: track.lastRevision,
                    "the stored view of order \(order) differs from the one rebuilt from its events (\(Self.differingFields(bytes, rebuilt)))"
                ))
            }
        }
        for (slot, name) in replay.orderNames.enumerated() where !viewed[slot] {
            guard let track = replay.track(name), !track.tainted, replay.hasState(track) else { continue }
            findings.append(Finding(
                .viewMismatch, position: track.lastPosition, order: name, revision: track.lastRevision,
                "order \(name) has events but no stored view: order.get would answer not_found"
            ))
        }
        return count
    }

    /// The top-level fields in which two stored views differ, as a short phrase.
    static func differingFields(_ stored: UnsafeRawBufferPointer, _ rebuilt: [UInt8]) -> String {
        let storedValue = try? JSONParser.parse(buffer: stored.assumingMemoryBound(to: UInt8.self))
        guard let s = storedValue?.objectValue, let r = (try? JSONParser.parse(rebuilt))?.objectValue else {
            return "the stored view is not valid JSON"
        }
        let keys = Set(s.keys).union(r.keys).sorted().filter { s[$0] != r[$0] }
        return keys.isEmpty ? "same values, different bytes" : "fields " + keys.joined(separator: ", ")
    }

    private func checkStateIndexes(_ findings: inout [Finding]) throws {
        var stateRows = [Int](repeating: 0, count: replay.orderNames.count)
        try snap.forEachStateIndex { state, order in
            guard let track = replay.track(order) else {
                findings.append(Finding(.indexMismatch, order: order, "byState lists order \(order) as \(state), but it has no events"))
                return
            }
            stateRows[Int(track.slot)] += 1
            guard !track.tainted, let s = replay.state(track) else { return }
            if s.status.rawValue != state {
                findings.append(Finding(.indexMismatch, position: track.lastPosition, order: order, "byState lists order \(order) as \(state), but its events make it \(s.status.rawValue)"))
            }
        }
        try snap.forEachParticipantIndex { user, order in
            guard let track = replay.track(order) else {
                findings.append(Finding(.indexMismatch, order: order, "byParticipant lists \(user) on order \(order), which has no events"))
                return
            }
            guard !track.tainted, let s = replay.state(track) else { return }
            if user != s.buyer && user != s.seller {
                findings.append(Finding(.indexMismatch, position: track.lastPosition, order: order, "byParticipant lists \(user) on order \(order), who is neither its buyer nor its seller"))
            }
        }
        for (slot, name) in replay.orderNames.enumerated() where stateRows[slot] != 1 {
            guard let track = replay.track(name), !track.tainted, replay.hasState(track) else { continue }
            findings.append(Finding(.indexMismatch, position: track.lastPosition, order: name, "byState lists order \(name) \(stateRows[slot]) times instead of once"))
        }
    }

    // MARK: - Dispute queue and participant figures

    /// Every order whose rebuilt state has a dispute is queued once, under its
    /// status and opening time; nothing else is queued.
    private func checkDisputeQueue(_ findings: inout [Finding]) throws {
        var queued = [Int](repeating: 0, count: replay.orderNames.count)
        try snap.forEachDisputeEntry { status, openedAt, order in
            guard let track = replay.track(order) else {
                findings.append(Finding(.indexMismatch, order: order, "the dispute queue lists order \(order), which has no events"))
                return
            }
            queued[Int(track.slot)] += 1
            guard !track.tainted, let s = replay.state(track) else { return }
            guard let d = s.dispute else {
                findings.append(Finding(.indexMismatch, position: track.lastPosition, order: order, "the dispute queue lists order \(order), but its events open no dispute"))
                return
            }
            if d.status.rawValue != status || d.openedAt != openedAt {
                findings.append(Finding(
                    .indexMismatch, position: track.lastPosition, order: order,
                    "the dispute queue lists order \(order) as \(status) since \(openedAt), but its events make it \(d.status.rawValue) since \(d.openedAt)"
                ))
            }
        }
        for (slot, name) in replay.orderNames.enumerated() {
            guard let track = replay.track(name), !track.tainted, let s = replay.state(track) else { continue }
            let expected = s.dispute == nil ? 0 : 1
            if queued[slot] != expected, !(expected == 0 && queued[slot] == 1) {
                findings.append(Finding(
                    .indexMismatch, position: track.lastPosition, order: name,
                    "the dispute queue lists order \(name) \(queued[slot]) times instead of \(expected)"
                ))
            }
        }
    }

    /// The `appeals` queue and the `blobRefs` table hold exactly the rows the
    /// replayed orders call for (orders with a broken history are not judged).
    private func checkRedressIndexes(_ findings: inout [Finding]) throws {
        var appeals: [String: (status: String, order: String)] = [:]
        var refs = Set<String>()
        var judged = Set<String>()
        for name in replay.orderNames {
            guard let track = replay.track(name), !track.tainted, let s = replay.state(track) else { continue }
            judged.insert(name)
            for m in s.moderatedMessages {
                if let a = m.appeal { appeals["\(a.position)"] = (a.status.rawValue, name) }
            }
            for e in s.evidence { refs.insert("\(e.sha256)@\(e.position)") }
        }
        try snap.forEachAppealEntry { status, position, order in
            guard judged.contains(order) || replay.track(order) == nil else { return }
            if let expected = appeals.removeValue(forKey: "\(position)"), expected == (status, order) { return }
            findings.append(Finding(.indexMismatch, order: order, "the appeals queue lists an appeal at position \(position) of order \(order) as \(status), which the log does not make so"))
        }
        for (position, expected) in appeals.sorted(by: { $0.key < $1.key }) {
            findings.append(Finding(.indexMismatch, order: expected.order, "the appeals queue lacks the \(expected.status) appeal at position \(position) of order \(expected.order)"))
        }
        var unmatched = refs
        try snap.forEachBlobRef { sha, position in
            let key = "\(sha)@\(position)"
            if unmatched.remove(key) != nil { return }
            // A row of an order whose history is broken is not judged.
            if let e = entry(position), !judged.contains(replay.orderNames[Int(e.slot)]) { return }
            findings.append(Finding(.indexMismatch, position: position, "blobRefs names evidence \(sha.prefix(16))… at position \(position), which no evidence event with data attaches"))
        }
        for missing in unmatched.sorted() {
            let parts = missing.split(separator: "@")
            findings.append(Finding(
                .indexMismatch, position: parts.count == 2 ? UInt64(parts[1]) : nil,
                "blobRefs lacks the evidence \(parts.first?.prefix(16) ?? "")… attached at this position"
            ))
        }
    }

    /// Stored participant figures equal the ones folded from the log's effects.
    /// Skipped when any order is tainted (its effects cannot be trusted).
    private func checkParticipants(_ findings: inout [Finding]) throws -> Int {
        let trusted = !replay.orderNames.contains { replay.track($0)?.tainted ?? false }
        var seen = Set<String>()
        try snap.forEachParticipant { user, bytes in
            seen.insert(user)
            guard trusted else { return }
            guard let expected = replay.figures[user] else {
                findings.append(Finding(.figuresMismatch, "stored participant figures exist for \(user), whom no event concerns"))
                return
            }
            let rebuilt = expected.storageBytes
            if !bytes.elementsEqual(rebuilt) {
                findings.append(Finding(
                    .figuresMismatch,
                    "the stored participant figures of \(user) differ from the ones rebuilt from the log (\(Self.differingFields(bytes, rebuilt)))"
                ))
            }
        }
        if trusted {
            for user in replay.figures.keys.sorted() where !seen.contains(user) {
                findings.append(Finding(.figuresMismatch, "\(user) has events but no stored participant figures: participant.get would answer not_found"))
            }
        }
        return seen.count
    }

    // MARK: - Reply times and timers

    /// The stored reply times of each user are the last ``ParticipantFigures/replyWindow``
    /// replies folded from the log, numbered up to the user's reply count (they give
    /// `medianReplySeconds`). Skipped when any order is tainted, as the figures are.
    private func checkReplyTimes(_ findings: inout [Finding]) throws {
        let trusted = !replay.orderNames.contains { replay.track($0)?.tainted ?? false }
        var stored: [String: [(number: UInt64, micros: Int64)]] = [:]
        try snap.forEachReplyTime { user, number, micros in stored[user, default: []].append((number, micros)) }
        guard trusted else { return }
        for (user, figures) in replay.figures.sorted(by: { $0.key < $1.key }) {
            let rows = stored.removeValue(forKey: user) ?? []
            let expected = Array(figures.recentReplyMicroseconds.suffix(ParticipantFigures.replyWindow))
            let firstNumber = UInt64(figures.replies - expected.count + 1)
            let same = rows.count == expected.count
                && zip(rows.indices, rows).allSatisfy { i, row in row.number == firstNumber + UInt64(i) && row.micros == expected[i] }
            if !same {
                findings.append(Finding(
                    .figuresMismatch,
                    "the reply times stored for \(user) (\(rows.count) rows) differ from the last \(expected.count) replies folded from the log: medianReplySeconds would be wrong"
                ))
            }
        }
        for user in stored.keys.sorted() {
            findings.append(Finding(.figuresMismatch, "reply times are stored for \(user), whom no event of the log concerns"))
        }
    }

    /// The timer table holds exactly the timers each order's rebuilt state has under
    /// the settings the store records (an order whose history is broken is not judged).
    private func checkTimers(_ findings: inout [Finding], settings: TimerSettings) throws {
        var stored: [String: [String]] = [:]
        var malformed = 0
        try snap.forEachTimer { due, kind, order in
            guard let kind else { malformed += 1; return }
            stored[order, default: []].append("\(kind.rawValue) due \(due.rfc3339)")
        }
        if malformed > 0 { findings.append(Finding(.indexMismatch, "the timer table holds \(malformed) malformed row(s)")) }
        for name in replay.orderNames {
            let rows = (stored.removeValue(forKey: name) ?? []).sorted()
            guard let track = replay.track(name), !track.tainted else { continue }
            let expected = (replay.state(track)?.timers(settings) ?? []).map { "\($0.kind.rawValue) due \($0.due.rfc3339)" }.sorted()
            if rows != expected {
                findings.append(Finding(
                    .indexMismatch, position: track.lastPosition, order: name,
                    "the timer table holds [\(rows.joined(separator: ", "))] for order \(name), but its events make [\(expected.joined(separator: ", "))]"
                ))
            }
        }
        for order in stored.keys.sorted() {
            findings.append(Finding(.indexMismatch, order: order, "the timer table holds a timer for order \(order), which has no events"))
        }
    }
}
