import LMDB
import TimelineModel

// MARK: - admin.redact: redaction.applied and the removal of its targets' data, in one commit

extension CommitSession {
    /// Appends `redaction.applied` to `order` and, in the same transaction,
    /// rewrites each target's record without `data` (its `dataHash`, `hash` and
    /// chain stay) and deletes the evidence blobs no other event with data names.
    ///
    /// - Throws: `not_found` (no such order or position), `bad_request` (a
    ///   position of another order, a type that is not redactable, an event
    ///   already redacted), `invalid_event` (reason or requestedBy out of bounds).
    mutating func recordRedaction(_ redaction: RedactionRequest, order: String) throws -> AppendOutcome {
        guard Identifiers.isValidOrderId(order) else {
            throw TimelineError(.badRequest, "order \"\(order.prefix(140))\" is not a valid order id: \(Identifiers.orderIdRule)")
        }
        let positions = redaction.positions.sorted()
        guard (1...1000).contains(positions.count) else { throw TimelineError(.badRequest, "positions must hold 1 to 1000 positions") }
        if let repeated = zip(positions, positions.dropFirst()).first(where: { $0 == $1 }) {
            throw TimelineError(.badRequest, "position \(repeated.0) appears twice in positions")
        }
        guard let original = try state(of: order) else { throw TimelineError(.notFound, "order \(order) does not exist") }
        var targets: [RecordedEvent] = []
        for p in positions {
            guard p >= 1, p <= head.position else {
                throw TimelineError(.notFound, "there is no event at position \(p) (the log ends at \(head.position))")
            }
            let target = try record(at: p)
            guard target.order == order else {
                throw TimelineError(.badRequest, "position \(p) belongs to order \(target.order), not \(order); redact each order on its own")
            }
            guard Catalog.redactableTypes.contains(target.type) else {
                throw TimelineError(.badRequest, "position \(p) is a \(target.type), which cannot be redacted; redactable types: \(Catalog.redactableTypes.sorted().joined(separator: ", "))")
            }
            guard !target.isRedacted else {
                throw TimelineError(.badRequest, "position \(p) (eventId \(target.eventId)) is already redacted; leave it out")
            }
            targets.append(target)
        }
        let input = EventInput(
            eventId: Redaction.eventId(order: order, positions: positions), type: "redaction.applied", actor: .daemon,
            data: ["targets": .array(targets.map(Redaction.target(of:))), "reason": .string(redaction.reason), "requestedBy": .string(redaction.requestedBy)]
        )
        if try position(ofEventId: input.eventId) != nil {
            throw TimelineError(.badRequest, "these positions were redacted before (eventId \(input.eventId) is recorded)")
        }
        try Catalog.validate(input, state: original, index: 0, origin: .daemon, recordedAt: now)
        var working: OrderState? = original
        var records = [makeRecord(input, order: order, after: working, offset: 0, moderation: nil)]
        let newEffects = Catalog.apply(records[0], to: &working)
        let blobsDeleted = try deleteBlobs(of: targets)
        let encoded = try write(&records, prepared: [nil])
        for target in targets {
            try txn.put(log.records, key: Keys.position(target.position), value: target.redacted.canonicalBytes)
        }
        keep(order, original: original, working: working, effects: newEffects)
        let entry = AppendedEvent(eventId: records[0].eventId, position: records[0].position, revision: records[0].revision, status: .recorded, moderation: nil)
        return AppendOutcome(
            order: order, lastRevision: working?.revision ?? original.revision, events: [entry], records: records, encodedRecords: encoded,
            redaction: RedactionOutcome(redacted: targets.count, blobsDeleted: blobsDeleted)
        )
    }

    /// Deletes the blobs of the evidence among `targets` that no other event with data names; returns how many.
    private func deleteBlobs(of targets: [RecordedEvent]) throws -> Int {
        let excluded = Set(targets.map(\.position))
        var shas: [String] = []
        for t in targets where t.type == "evidence.attached" {
            if let sha = t.data["sha256"]?.stringValue, !shas.contains(sha) { shas.append(sha) }
        }
        var deleted = 0
        for sha in shas {
            guard let key = Hashing.bytes(fromHex: sha), try !isBlobNamed(sha, key: key, excluding: excluded) else { continue }
            if try txn.delete(log.blobs, key: key) { deleted += 1 }
        }
        return deleted
    }

    /// Whether an evidence event with data, other than those at `excluding`, names the blob `sha`:
    /// those views/ know (`blobRefs`), those they have not applied yet, and this transaction's.
    private func isBlobNamed(_ sha: String, key: [UInt8], excluding: Set<UInt64>) throws -> Bool {
        var candidates = Set(writer.pendingPositions).union(entries.map(\.position))
        try views.withCursor(store.viewTables.blobRefs) { cursor in
            var entry = try cursor.seek(atLeast: key)
            while let e = entry, Keys.hasPrefix(e.key, key) {
                candidates.insert(Keys.readUInt64(e.key, at: key.count))
                entry = try cursor.next()
            }
        }
        for p in candidates.subtracting(excluding).sorted() {
            let r = try record(at: p)
            if r.type == "evidence.attached", !r.isRedacted, r.data["sha256"]?.stringValue == sha { return true }
        }
        return false
    }
}
