/// An event as a client asks to append it, before the store records it.
public struct EventInput: Sendable, Hashable {
    /// Client-chosen, unique in the whole store (1–128 printable ASCII characters).
    public var eventId: String
    public var type: String
    public var actor: Actor
    /// Client-supplied RFC 3339 time, kept as sent.
    public var occurredAt: String?
    /// Always an object, without `null` members.
    public var data: JSONValue

    /// An event to append. Members of `data` (and of objects inside it) that are
    /// `null` are dropped: a null optional field counts as absent, and DOMAIN.md
    /// wants absent optional fields omitted from the recorded event, never `null`.
    public init(eventId: String, type: String, actor: Actor, occurredAt: String? = nil, data: JSONValue = .emptyObject) {
        self.eventId = eventId
        self.type = type
        self.actor = actor
        self.occurredAt = occurredAt
        self.data = data.withoutNullMembers
    }

    /// `true` when `record` holds this very event (same id, type, actor and data):
    /// the idempotency test of PROTOCOL.md "Append semantics".
    public func isSameEvent(as record: RecordedEvent) -> Bool {
        // Compare bytes: String == treats canonically equivalent text ("é" and "e\u{301}")
        // as equal, but the log, and dataHash, keep the exact bytes.
        record.eventId == eventId && record.type.utf8.elementsEqual(type.utf8) && record.actor.role == actor.role
            && record.actor.id.utf8.elementsEqual(actor.id.utf8) && CanonicalJSON.encode(record.data) == CanonicalJSON.encode(data)
    }
}

/// Who is appending: a client through `append`, a client through
/// `evidence.put`, or the daemon itself (timers, moderation flags).
public enum AppendOrigin: Sendable, Hashable {
    case client, evidencePut, daemon
}

/// A change to a participant's figures caused by one event.
public enum ParticipantEffect: Sendable, Hashable {
    case orderAsBuyer(user: String)
    case orderAsSeller(user: String)
    case disputeOpened(user: String)
    case disputeReceived(user: String)
    case filteredMessage(user: String)
    /// `user` answered the other party after `microseconds`.
    case reply(user: String, microseconds: Int64)
}

/// The daemon's timers (DOMAIN.md "Timers").
public enum TimerKind: String, Sendable, Hashable, CaseIterable {
    case autoEscalate = "auto_escalate"
    case autoConfirm = "auto_confirm"
}

/// Hours after which timers fire (config `timers`).
public struct TimerSettings: Sendable, Hashable {
    public var autoEscalateHours: Int64
    public var autoConfirmHours: Int64
    /// DOMAIN.md's defaults: 24 and 96 hours.
    public init(autoEscalateHours: Int64 = 24, autoConfirmHours: Int64 = 96) {
        self.autoEscalateHours = autoEscalateHours
        self.autoConfirmHours = autoConfirmHours
    }
}

extension OrderState {
    /// When each applicable timer falls due, given the order as it stands.
    public func timers(_ settings: TimerSettings) -> [(kind: TimerKind, due: Timestamp)] {
        var result: [(TimerKind, Timestamp)] = []
        if let dispute, dispute.status == .open {
            result.append((.autoEscalate, dispute.lastSellerActivityAt.adding(hours: settings.autoEscalateHours)))
        }
        if status == .delivered, !hasActiveDispute, let deliveredAt {
            var since = deliveredAt
            if let settled = dispute?.resolution?.at, settled > since { since = settled }
            if let closed = dispute?.closedAt, closed > since { since = closed }
            result.append((.autoConfirm, since.adding(hours: settings.autoConfirmHours)))
        }
        return result
    }

    /// The event a due timer appends.
    public func timerEvent(_ kind: TimerKind) -> EventInput {
        switch kind {
        case .autoEscalate:
            return EventInput(
                eventId: Identifiers.daemonEventId(prefix: "timer:auto_escalate:", order, String(revision)), type: "dispute.escalated", actor: .daemon,
                data: ["rule": "auto_escalate"]
            )
        case .autoConfirm:
            return EventInput(
                eventId: Identifiers.daemonEventId(prefix: "timer:auto_confirm:", order, String(revision)), type: "order.completed", actor: .daemon,
                data: ["rule": "auto_confirm"]
            )
        }
    }
}
