import TimelineModel
import TimelineStore

/// Whether an evidence blob is present and intact.
public enum BlobStatus: String, Sendable {
    case present, missing, mismatch
    /// An export: the bytes are not at hand.
    case unknown
}

/// One step of an order's timeline, ready to show to a person.
public struct TimelineEntry: Sendable {
    public var record: RecordedEvent
    /// What happened, as a short sentence without the actor.
    public var summary: String
    /// The message text of a chat message, support note or note field.
    public var text: String?
    /// The moderation verdict of a chat message and what it means for who saw it.
    public var verdict: ModerationVerdict?
    public var blob: BlobStatus?
    /// The order's state right after this event (`placed`, `paid; dispute open`, …).
    public var stateAfter: String
    /// Why the event is illegal at its point in the replay, when it is.
    public var illegal: String?
    /// For a redacted event: when and why its data was erased.
    public var redaction: RedactionNote?
}

/// When and why a redacted event lost its data (from the `redaction.applied` naming it).
public struct RedactionNote: Sendable {
    /// `nil` when the redaction is not among the events shown (a timeline cut before it).
    public var at: Timestamp?
    public var reason: String?

    /// "redacted at <time>: <reason>", what a reader of the timeline sees instead of the data.
    public var sentence: String {
        guard let at else { return "redacted: the data of this event was erased" }
        return "redacted at \(at.rfc3339): \(reason ?? "")"
    }
}

/// An order's whole timeline as auditors read it, up to a position.
public struct OrderTimeline: Sendable {
    public var order: String
    public var entries: [TimelineEntry]
    /// The order view after the last entry.
    public var finalState: OrderState?
    /// The position the timeline stops at, when one was asked for.
    public var atPosition: UInt64?
    /// The bytes of every evidence file that is stored and intact, by SHA-256 (what the page previews).
    public var evidence: [String: [UInt8]] = [:]
    /// Delivery, dispute and reply times.
    public var durations: TimelineDurations
    /// Whether the events are proven in the signed log (`nil`: not checked, e.g. built from events alone).
    public var verification: TimelineVerification?

    /// Builds the timeline from the order's events (in revision order). `blobs` are
    /// the evidence files at hand by SHA-256 (`nil`: none can be, as in an export);
    /// `now` is where an open dispute's age runs to when no position is asked for.
    public static func build(
        order: String, events: [RecordedEvent], atPosition: UInt64? = nil, blobs: [String: [UInt8]]? = nil, now: Timestamp = .now()
    ) -> OrderTimeline {
        var state: OrderState?
        var entries: [TimelineEntry] = []
        var evidence: [String: [UInt8]] = [:]
        var durations = TimelineDurations(asOf: now)
        var redactions: [UInt64: RedactionNote] = [:]
        for record in events where record.type == "redaction.applied" {
            for p in Redaction.targetPositions(of: record) {
                redactions[p] = RedactionNote(at: record.recordedAt, reason: record.data["reason"]?.stringValue)
            }
        }
        for record in events where atPosition.map({ record.position <= $0 }) ?? true {
            let input = EventInput(eventId: record.eventId, type: record.type, actor: record.actor, occurredAt: record.occurredAt, data: record.data)
            var illegal: String?
            // A redacted event was checked when recorded; its data is gone now.
            if !record.isRedacted {
                do {
                    try Catalog.validate(input, state: state, index: 0, origin: ChainReplay.origin(of: record), recordedAt: record.recordedAt)
                } catch {
                    illegal = error.message
                }
            }
            let before = state
            Catalog.apply(record, to: &state)
            durations.note(record, before: before, after: state)
            var entry = TimelineEntry(
                record: record, summary: Describe.summary(record, before: before, after: state), text: Describe.text(record),
                verdict: record.moderation, stateAfter: Describe.state(state), illegal: illegal,
                redaction: record.isRedacted ? redactions[record.position] ?? RedactionNote() : nil
            )
            if record.type == "evidence.attached", let sha = record.data["sha256"]?.stringValue {
                if let blobs {
                    if let bytes = blobs[sha] {
                        let intact = Hashing.sha256Hex(bytes) == sha && Int64(bytes.count) == record.data["size"]?.intValue ?? -1
                        entry.blob = intact ? .present : .mismatch
                        if intact { evidence[sha] = bytes }
                    } else {
                        entry.blob = .missing
                    }
                } else {
                    entry.blob = .unknown
                }
            }
            entries.append(entry)
        }
        if atPosition != nil, let last = entries.last { durations.asOf = last.record.recordedAt }
        return OrderTimeline(order: order, entries: entries, finalState: state, atPosition: atPosition, evidence: evidence, durations: durations)
    }

    /// Loads an order's timeline from `source` (a data directory or a running
    /// daemon): its events, its evidence files, and the proof of every event shown
    /// against `checkpoint` (`nil`: the latest signed one the source knows that
    /// covers the last event shown) checked with `publicKey` (`nil`: the source's own).
    public static func load(
        order: String, source: some BundleSource, atPosition: UInt64? = nil, checkpoint: Checkpoint? = nil,
        publicKey: [UInt8]? = nil, now: Timestamp = .now()
    ) throws(AuditError) -> OrderTimeline {
        let events = try source.events(order: order).filter { event in atPosition.map { event.position <= $0 } ?? true }
        guard let last = events.last else {
            throw AuditError("order \(order) has no events\(atPosition.map { " up to position \($0)" } ?? "") in \(source.name)")
        }
        var blobs: [String: [UInt8]] = [:]
        for event in events where event.type == "evidence.attached" && !event.isRedacted {
            if let sha = event.data["sha256"]?.stringValue, blobs[sha] == nil, let bytes = try source.blob(sha256: sha) { blobs[sha] = bytes }
        }
        var key = publicKey
        if key == nil, let file = source.publicKeyFile { key = try Checkpoint.publicKey(fileBytes: file) }
        var timeline = build(order: order, events: events, atPosition: atPosition, blobs: blobs, now: now)
        timeline.verification = try TimelineVerification.check(
            events: events, source: source, checkpoint: checkpoint ?? source.latestCheckpoint(covering: last.position), publicKey: key
        )
        return timeline
    }

    /// Loads an order's timeline from a store (events through its orderEvents index).
    public static func load(order: String, store: TimelineStore, atPosition: UInt64? = nil) throws(AuditError) -> OrderTimeline {
        let events: [RecordedEvent]
        do { events = try store.orderEvents(order, upTo: atPosition) } catch {
            throw AuditError("cannot read order \(order): \(error.message)")
        }
        guard !events.isEmpty else { throw AuditError("order \(order) has no events\(atPosition.map { " up to position \($0)" } ?? "") in \(store.path)") }
        var blobs: [String: [UInt8]] = [:]
        for event in events where event.type == "evidence.attached" {
            if let sha = event.data["sha256"]?.stringValue, let bytes = try? store.blob(sha256: sha) { blobs[sha] = bytes }
        }
        return build(order: order, events: events, atPosition: atPosition, blobs: blobs)
    }

    /// Loads an order's timeline from an export.
    public static func load(order: String, exportFile: String, atPosition: UInt64? = nil) throws(AuditError) -> OrderTimeline {
        let events = try Exporter.records(exportFile: exportFile) { $0.order == order }.sorted { $0.position < $1.position }
        guard !events.isEmpty else { throw AuditError("order \(order) has no events in \(exportFile)") }
        return build(order: order, events: events, atPosition: atPosition)
    }
}

/// Sentences for events and states.
enum Describe {
    static func money(_ amount: Int64?, _ currency: String) -> String {
        guard let amount else { return "" }
        let units = amount / 100, cents = abs(amount % 100)
        return "\(units).\(cents < 10 ? "0" : "")\(cents) \(currency)"
    }

    static func summary(_ e: RecordedEvent, before: OrderState?, after: OrderState?) -> String {
        if e.isRedacted {
            switch e.type {
            case "chat.message": return "wrote a message (redacted)"
            case "evidence.attached": return "attached evidence (redacted: the file is deleted)"
            case "support.note": return "wrote an internal note (redacted)"
            default: return "recorded \(e.type) (redacted)"
            }
        }
        let d = e.data
        let currency = after?.currency ?? before?.currency ?? ""
        func s(_ k: String) -> String { d[k]?.stringValue ?? "" }
        func amount() -> String { d["amount"]?.intValue.map { " of " + money($0, currency) } ?? "" }
        switch e.type {
        case "order.placed":
            return "placed the order: \(d["item"]?["title"]?.stringValue ?? "?") × \(d["item"]?["quantity"]?.intValue ?? 0) for \(money(d["price"]?["amount"]?.intValue, d["price"]?["currency"]?.stringValue ?? "")) (buyer \(s("buyer")), seller \(s("seller")))"
        case "order.paid": return "recorded the payment"
        case "order.cancelled": return "cancelled the order: \(s("reason"))"
        case "delivery.marked":
            return "marked \(d["quantity"]?.intValue ?? 0) delivered (\(after?.deliveredQuantity ?? 0) of \(after?.itemQuantity ?? 0) so far)"
        case "delivery.confirmed": return "confirmed the delivery"
        case "order.completed": return "completed the order (rule \(s("rule")))"
        case "chat.message": return "wrote in the \(s("channel")) channel"
        case "evidence.attached":
            return "attached evidence \(s("filename")) (\(s("mediaType")), \(d["size"]?.intValue ?? 0) bytes, sha256 \(s("sha256"))) in the \(s("channel")) channel"
        case "dispute.opened":
            return "opened a dispute (\(s("reason"))), asking for \(s("requestedOutcome"))\(amount())"
        case "dispute.offer": return "offered \(s("outcome"))\(amount())"
        case "dispute.offer.accepted": return "accepted the offer made at revision \(d["offerRevision"]?.intValue ?? 0)"
        case "dispute.offer.declined": return "declined the offer made at revision \(d["offerRevision"]?.intValue ?? 0)"
        case "dispute.escalated": return d["rule"] != nil ? "escalated the dispute (rule \(s("rule")))" : "escalated the dispute to support"
        case "dispute.resolved": return "resolved the dispute: \(s("outcome"))\(amount())"
        case "dispute.closed": return d["withdrawn"]?.boolValue == true ? "withdrew the dispute" : "closed the dispute"
        case "refund.issued": return "refunded \(money(d["amount"]?.intValue, currency))"
        case "participant.availability": return "is available until \(s("until"))"
        case "support.note": return "wrote an internal note (never shown to the parties)"
        case "moderation.flagged":
            return "flagged user \(s("actorId")) for staff after \(d["count"]?.intValue ?? 0) filtered messages (rule \(s("rule")))"
        case "moderation.appealed": return "appealed the moderation verdict on the message at position \(d["position"]?.intValue ?? 0)"
        case "moderation.reviewed":
            return "reviewed the appeal of the message at position \(d["position"]?.intValue ?? 0): \(s("decision"))\(s("decision") == "overturned" ? ", the message is visible to the other party from now on" : ", it stays withheld")"
        case "redaction.applied":
            let positions = Redaction.targetPositions(of: e).map { "#\($0)" }.joined(separator: ", ")
            return "erased the data of \(positions) (reason: \(s("reason")); requested by \(s("requestedBy")))"
        default: return "recorded \(e.type)"
        }
    }

    /// The free text an event carries, if any.
    static func text(_ e: RecordedEvent) -> String? {
        for key in ["text", "description", "note"] { if let t = e.data[key]?.stringValue { return t } }
        return nil
    }

    static func state(_ s: OrderState?) -> String {
        guard let s else { return "none" }
        var out = s.status.rawValue
        if let d = s.dispute { out += "; dispute \(d.status.rawValue)" }
        return out
    }

    /// Who could see a chat message, by verdict.
    static func visibility(_ v: ModerationVerdict?) -> String {
        switch v?.verdict {
        case .filtered?: return "filtered: hidden from the other party, kept for staff"
        case .hidden?: return "hidden as spam: not shown to the other party"
        case .flagged?: return "flagged: shown, marked for staff"
        case .delivered?: return "delivered"
        case nil: return ""
        }
    }
}
