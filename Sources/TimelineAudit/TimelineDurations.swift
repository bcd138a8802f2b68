import TimelineModel

/// The durations that decide disputes, as an order's timeline leaves them:
/// how long delivery took, how old the dispute is, and how long each party took
/// to give its first reply (DOMAIN.md `awaitingReplyFrom`: the party who owes an
/// answer to the other's last visible message).
public struct TimelineDurations: Sendable, Hashable {
    /// A party's first reply: the event that answered, when, and how long the other's message waited.
    public struct Reply: Sendable, Hashable {
        /// The position of the answering event (a message, or the review that made one visible).
        public var position: UInt64
        /// When it was recorded.
        public var at: Timestamp
        /// From the other party's message it answered to `at`.
        public var waitedMicroseconds: Int64
    }

    /// When the clock of delivery starts: payment, else placement.
    public var deliveryStart: Timestamp?
    /// When the full quantity was first delivered (`nil`: not yet).
    public var fullyDeliveredAt: Timestamp?
    /// The latest partial delivery while not all is delivered.
    public var partlyDeliveredAt: Timestamp?
    /// The (latest) dispute's opening.
    public var disputeOpenedAt: Timestamp?
    /// Its resolution, else its closing, when it has one.
    public var disputeEndedAt: Timestamp?
    /// The timeline's "now": the last event's time for a timeline stopped at a
    /// position, else when it was made. An open dispute's age runs to here.
    public var asOf: Timestamp
    /// The first reply of the buyer and of the seller.
    public var firstReply: [ActorRole: Reply] = [:]

    /// From ``deliveryStart`` to ``fullyDeliveredAt``.
    public var timeToDelivery: Int64? {
        guard let start = deliveryStart, let end = fullyDeliveredAt else { return nil }
        return end.microseconds - start.microseconds
    }

    /// From the dispute's opening to its end, or to ``asOf`` while it lasts.
    public var disputeAge: Int64? {
        guard let opened = disputeOpenedAt else { return nil }
        return (disputeEndedAt ?? asOf).microseconds - opened.microseconds
    }

    /// Starts the figures at `asOf`.
    public init(asOf: Timestamp) { self.asOf = asOf }

    /// Folds the event `record` that moved the order from `before` to `after`.
    mutating func note(_ record: RecordedEvent, before: OrderState?, after: OrderState?) {
        guard let after else { return }
        deliveryStart = after.paidAt ?? after.placedAt
        if fullyDeliveredAt == nil, record.type == "delivery.marked" {
            if after.deliveredQuantity >= after.itemQuantity { fullyDeliveredAt = record.recordedAt } else { partlyDeliveredAt = record.recordedAt }
        }
        if let dispute = after.dispute {
            disputeOpenedAt = dispute.openedAt
            disputeEndedAt = dispute.resolution?.at ?? dispute.closedAt
        }
        // A party that owed the answer and now awaits one has replied.
        for role in [ActorRole.buyer, .seller] where firstReply[role] == nil {
            let other: ActorRole = role == .buyer ? .seller : .buyer
            guard before?.awaitingReplyFrom == role, after.awaitingReplyFrom == other, let since = before?.awaitingSince else { continue }
            firstReply[role] = Reply(position: record.position, at: record.recordedAt, waitedMicroseconds: record.recordedAt.microseconds - since.microseconds)
        }
    }
}

extension Describe {
    /// "2 d 3 h", "4 h 05 min", "12 min 30 s", "3.2 s", "15 ms".
    static func duration(_ microseconds: Int64) -> String {
        let us = max(0, microseconds)
        let s = us / 1_000_000
        if s < 1 { return us < 1_000 ? "\(us) µs" : "\(us / 1_000) ms" }
        if s < 60 { return "\(s).\((us / 100_000) % 10) s" }
        let m = s / 60, h = m / 60, d = h / 24
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        if d > 0 { return "\(d) d \(h % 24) h" }
        if h > 0 { return "\(h) h \(two(m % 60)) min" }
        return "\(m) min \(two(s % 60)) s"
    }
}
