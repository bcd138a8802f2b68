import TestSupport
import Testing
import TimelineModel
import TimelineStore

/// Expects `result` to be a refusal with `code`; returns it for more checks.
@discardableResult
func expectRefusal(
    _ result: Result<AppendOutcome, TimelineError>, _ code: TimelineError.Code, sourceLocation: SourceLocation = #_sourceLocation
) -> TimelineError? {
    switch result {
    case .success(let outcome):
        Issue.record("expected \(code), but the request was recorded: \(outcome.events)", sourceLocation: sourceLocation)
        return nil
    case .failure(let error):
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    }
}

/// The stored bytes of records, decoded.
func decode(_ records: [TimelineStore.RecordBytes]) throws -> [RecordedEvent] {
    try records.map { bytes in try bytes.withUnsafeBufferPointer { try RecordedEvent(bytes: $0) } }
}

/// Everything the projections answer, gathered to compare two moments.
struct ProjectionSnapshot: Equatable {
    var orders: [String: OrderState] = [:]
    var list: [String] = []
    var byState: [OrderStatus: [String]] = [:]
    var byParticipant: [String: [String]] = [:]
    var disputes: [String] = []
    var participants: [String: ParticipantFigures] = [:]
    var timers: [String] = []

    /// Reads every projection of `store` for `orderIds` and `users`.
    init(_ store: TimelineStore, orderIds: [String], users: [String], now: Timestamp) throws {
        for id in orderIds { orders[id] = try store.order(id) }
        list = try store.orders(participant: nil, state: nil, limit: 100_000, after: nil).orders.map(\.order)
        for status in OrderStatus.allCases {
            byState[status] = try store.orders(participant: nil, state: status, limit: 100_000, after: nil).orders.map(\.order)
        }
        for user in users {
            byParticipant[user] = try store.orders(participant: user, state: nil, limit: 100_000, after: nil).orders.map(\.order)
            participants[user] = try store.participant(user)
        }
        disputes = try store.disputes(status: nil, limit: 100_000, now: now).map { "\($0.order.order):\($0.order.dispute!.status):\($0.slaBreached)" }
        timers = try store.dueTimers(now: Timestamp(microseconds: Int64.max / 2), limit: 100_000).map { "\($0.order):\($0.kind):\($0.due)" }
    }
}

/// Picks random events that the catalog accepts for an order as it stands:
/// it builds candidates of every type and keeps those `Catalog.validate` lets through.
struct RandomEvents {
    /// Candidate events for `state` (`nil`: the order does not exist yet).
    static func candidates(_ script: inout OrderScript, state: OrderState?, using rng: inout SeededRandom) -> [(EventInput, AppendOrigin)] {
        guard let state else { return [(script.placed(), .client)] }
        let parties = [script.buyer, script.seller]
        let anyone = [script.buyer, script.seller, script.support]
        let left = max(1, state.priceAmount - state.refundedAmount)
        let outcomes = ["deliver_missing", "correct_item", "partial_refund", "full_refund"]
        let outcome = outcomes.randomElement(using: &rng)!
        let amount: Int64? = outcome == "partial_refund" ? Int64.random(in: 1...left, using: &rng) : nil
        let remaining = max(1, state.itemQuantity - state.deliveredQuantity)
        var list: [(EventInput, AppendOrigin)] = [
            (script.paid(), .client),
            (script.cancelled(by: [script.buyer, script.support].randomElement(using: &rng)!), .client),
            (script.delivered(quantity: Int64.random(in: 1...remaining, using: &rng)), .client),
            (script.confirmed(), .client),
            (script.completed(by: script.support, rule: "support_decision"), .client),
            (script.refund(Int64.random(in: 1...left, using: &rng)), .client),
            (script.availability(by: anyone.randomElement(using: &rng)!), .client),
            (script.supportNote(), .client),
            (script.disputeOpened(
                reason: ["not_delivered", "incomplete", "wrong_item", "other"].randomElement(using: &rng)!,
                outcome: outcome, amount: amount
            ), .client),
            (script.offer(by: parties.randomElement(using: &rng)!, outcome: outcome, amount: amount), .client),
            (script.escalated(by: parties.randomElement(using: &rng)!), .client),
            (script.resolved(outcome: outcome, amount: amount), .client),
            (script.disputeClosed(by: [script.buyer, script.support].randomElement(using: &rng)!, withdrawn: Bool.random(using: &rng)), .client),
        ]
        for _ in 0..<4 {
            let channel = Int.random(in: 0..<4, using: &rng) == 0 ? "dispute" : "order"
            list.append((script.chat("message \(Int.random(in: 0..<1_000_000, using: &rng))", by: anyone.randomElement(using: &rng)!, channel: channel), .client))
        }
        if let offer = state.dispute?.pendingOffer {
            let answerer = offer.by == .buyer ? script.seller : script.buyer
            list.append((script.accept(by: answerer, offerRevision: offer.revision), .client))
            list.append((script.decline(by: answerer, offerRevision: offer.revision), .client))
        }
        return list
    }

    /// A random event the catalog accepts for `state` at `now`, or `nil` when none is.
    static func valid(_ script: inout OrderScript, state: OrderState?, now: Timestamp, using rng: inout SeededRandom) -> (EventInput, AppendOrigin)? {
        let accepted = candidates(&script, state: state, using: &rng).filter { event, origin in
            (try? Catalog.validate(event, state: state, index: 0, origin: origin, recordedAt: now)) != nil
        }
        return accepted.randomElement(using: &rng)
    }
}
