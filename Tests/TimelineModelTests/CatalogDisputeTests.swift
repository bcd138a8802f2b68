import TestSupport
import Testing
import TimelineModel

/// DOMAIN.md's catalog, the dispute rows.
@Suite("Catalog: dispute rows")
struct CatalogDisputeTests {
    // MARK: dispute.opened — buyer; paid or delivered, no active dispute

    @Test("dispute.opened by the buyer on a paid or a delivered order opens a dispute")
    func openedAccepted() throws {
        var paid = try Replay.paid()
        expectAccepted(&paid, paid.script.disputeOpened(reason: "not_delivered", outcome: "full_refund"))
        #expect(paid.state?.dispute?.status == .open)
        #expect(paid.state?.dispute?.openedBy == .buyer)
        #expect(paid.state?.dispute?.openedAt == paid.now)
        #expect(paid.state?.disputesOpened == 1)
        var delivered = try Replay.delivered(price: 10_000)
        expectAccepted(&delivered, delivered.script.disputeOpened(reason: "wrong_item", outcome: "partial_refund", amount: 3_000))
        #expect(delivered.state?.dispute?.amount == 3_000)
    }

    @Test("dispute.opened on a placed, completed or cancelled order is invalid_transition")
    func openedWrongState() throws {
        var placed = try Replay.placed()
        expectInvalidTransition(placed.refusal(placed.script.disputeOpened()), state: "placed", reason: "paid or delivered")
        var completed = try Replay.delivered()
        try completed.append(completed.script.confirmed())
        expectInvalidTransition(completed.refusal(completed.script.disputeOpened()), state: "completed")
        var cancelled = try Replay.placed()
        try cancelled.append(cancelled.script.cancelled())
        expectInvalidTransition(cancelled.refusal(cancelled.script.disputeOpened()), state: "cancelled")
    }

    @Test("a second dispute while one is open or escalated is invalid_transition; after closing one, a new one may open")
    func openedTwice() throws {
        var r = try Replay.disputed()
        expectInvalidTransition(r.refusal(r.script.disputeOpened()), state: "delivered", reason: "already open")
        try r.append(r.script.escalated())
        expectInvalidTransition(r.refusal(r.script.disputeOpened()), state: "delivered", reason: "already open")
        try r.append(r.script.disputeClosed(withdrawn: true))
        expectAccepted(&r, r.script.disputeOpened(reason: "other", outcome: "correct_item", description: "again"))
        #expect(r.state?.disputesOpened == 2)
        #expect(r.state?.dispute?.status == .open)
        #expect(r.state?.dispute?.offers.isEmpty == true)
    }

    @Test("dispute.opened by the seller, support, or another buyer is invalid_event")
    func openedWrongActor() throws {
        var r = try Replay.delivered()
        expectInvalidEvent(r.refusal(r.script.disputeOpened(by: r.script.seller)), field: "actor.role")
        expectInvalidEvent(r.refusal(r.script.disputeOpened(by: r.script.support)), field: "actor.role")
        expectInvalidEvent(r.refusal(r.script.disputeOpened(by: Actor(role: .buyer, id: "u-stranger"))), field: "actor.id")
    }

    @Test("dispute.opened data: reason and outcome from their lists, amount only and always with partial_refund")
    func openedSchema() throws {
        var r = try Replay.delivered()
        expectInvalidEvent(r.refusal(r.script.disputeOpened(reason: "bored")), field: "data.reason")
        expectInvalidEvent(r.refusal(r.script.disputeOpened(outcome: "free_money")), field: "data.requestedOutcome")
        expectInvalidEvent(r.refusal(r.script.disputeOpened(outcome: "partial_refund")), field: "data.amount")
        expectInvalidEvent(r.refusal(r.script.disputeOpened(outcome: "full_refund", amount: 100)), field: "data.amount")
        expectInvalidEvent(r.refusal(r.script.disputeOpened(description: "")), field: "data.description")
        expectInvalidEvent(r.refusal(r.script.disputeOpened(outcome: "partial_refund", amount: 0)), field: "data.amount")
    }

    @Test("dispute.opened asking a partial refund above price minus refunded is invalid_transition")
    func openedAmountTooHigh() throws {
        var r = try Replay.delivered(price: 10_000)
        try r.append(r.script.refund(4_000))
        expectInvalidTransition(r.refusal(r.script.disputeOpened(outcome: "partial_refund", amount: 6_001)), state: "delivered", reason: "exceeds")
        #expect(r.refusal(r.script.disputeOpened(outcome: "partial_refund", amount: 6_000)) == nil)
    }

    // MARK: dispute.offer — buyer, seller; dispute open or escalated

    @Test("dispute.offer by either party while open or escalated is recorded as pending; a newer offer supersedes it")
    func offers() throws {
        var r = try Replay.disputed(quantity: 2, delivering: 1)
        let first = try r.append(r.script.offer(by: r.script.seller, outcome: "deliver_missing", note: "sending the rest"))
        #expect(r.state?.dispute?.pendingOffer?.revision == first.revision)
        try r.append(r.script.escalated())
        let second = try r.append(r.script.offer(by: r.script.buyer, outcome: "partial_refund", amount: 5_000))
        let offers = r.state?.dispute?.offers ?? []
        #expect(offers.map(\.status) == [.superseded, .pending])
        #expect(offers.last?.revision == second.revision)
        #expect(offers.last?.by == .buyer)
        #expect(offers.last?.amount == 5_000)
    }

    @Test("dispute.offer without an active dispute is invalid_transition")
    func offerWithoutDispute() throws {
        var r = try Replay.delivered()
        expectInvalidTransition(r.refusal(r.script.offer(by: r.script.seller, outcome: "correct_item")), state: "delivered", reason: "dispute is open")
        var resolved = try Replay.disputed()
        try resolved.append(resolved.script.resolved(outcome: "deliver_missing"))
        expectInvalidTransition(resolved.refusal(resolved.script.offer(by: resolved.script.seller, outcome: "correct_item")), state: "delivered")
    }

    @Test("dispute.offer by support or system is invalid_event; amount must match the outcome")
    func offerSchema() throws {
        var r = try Replay.disputed()
        expectInvalidEvent(r.refusal(r.script.offer(by: r.script.support, outcome: "full_refund")), field: "actor.role")
        expectInvalidEvent(r.refusal(r.script.offer(by: r.script.seller, outcome: "partial_refund")), field: "data.amount")
        expectInvalidEvent(r.refusal(r.script.offer(by: r.script.seller, outcome: "full_refund", amount: 5)), field: "data.amount")
        expectInvalidEvent(r.refusal(r.script.offer(by: r.script.seller, outcome: "sorry")), field: "data.outcome")
    }

    @Test("dispute.offer of a partial refund above what is left is invalid_transition")
    func offerTooHigh() throws {
        var r = try Replay.disputed(price: 10_000)
        expectInvalidTransition(r.refusal(r.script.offer(by: r.script.seller, outcome: "partial_refund", amount: 10_001)), state: "delivered", reason: "exceeds")
    }

    // MARK: dispute.offer.accepted / .declined — the party that did not make the pending offer

    @Test("accepting the other party's offer resolves the dispute with that offer's outcome")
    func accept() throws {
        var r = try Replay.disputed(price: 10_000)
        let offer = try r.append(r.script.offer(by: r.script.seller, outcome: "partial_refund", amount: 2_000, note: "sorry"))
        expectAccepted(&r, r.script.accept(by: r.script.buyer, offerRevision: offer.revision))
        let d = try #require(r.state?.dispute)
        #expect(d.status == .resolved)
        #expect(d.resolution?.outcome == "partial_refund")
        #expect(d.resolution?.amount == 2_000)
        #expect(d.resolution?.note == "sorry")
        #expect(d.resolution?.by == "agreement")
        #expect(d.offers.last?.status == .accepted)
    }

    @Test("declining keeps the dispute open and the offer declined")
    func decline() throws {
        var r = try Replay.disputed()
        let offer = try r.append(r.script.offer(by: r.script.buyer, outcome: "full_refund"))
        expectAccepted(&r, r.script.decline(by: r.script.seller, offerRevision: offer.revision))
        #expect(r.state?.dispute?.status == .open)
        #expect(r.state?.dispute?.offers.last?.status == .declined)
        #expect(r.state?.dispute?.pendingOffer == nil)
    }

    @Test("the party that made the offer cannot answer it")
    func answerOwnOffer() throws {
        var r = try Replay.disputed()
        let offer = try r.append(r.script.offer(by: r.script.seller, outcome: "correct_item"))
        expectInvalidTransition(r.refusal(r.script.accept(by: r.script.seller, offerRevision: offer.revision)), state: "delivered", reason: "cannot accept it")
        expectInvalidTransition(r.refusal(r.script.decline(by: r.script.seller, offerRevision: offer.revision)), state: "delivered", reason: "cannot decline it")
    }

    @Test("answering a revision that is not the pending offer, or with no offer pending, is invalid_transition")
    func answerWrongOffer() throws {
        var r = try Replay.disputed()
        expectInvalidTransition(r.refusal(r.script.accept(by: r.script.buyer, offerRevision: 3)), state: "delivered", reason: "no pending offer")
        let first = try r.append(r.script.offer(by: r.script.seller, outcome: "correct_item"))
        let second = try r.append(r.script.offer(by: r.script.seller, outcome: "deliver_missing"))
        expectInvalidTransition(r.refusal(r.script.accept(by: r.script.buyer, offerRevision: first.revision)), state: "delivered", reason: "at revision \(second.revision), not \(first.revision)")
        #expect(r.refusal(r.script.accept(by: r.script.buyer, offerRevision: second.revision)) == nil)
    }

    @Test("answers by support, or without offerRevision, are invalid_event")
    func answerSchema() throws {
        var r = try Replay.disputed()
        let offer = try r.append(r.script.offer(by: r.script.seller, outcome: "correct_item"))
        expectInvalidEvent(r.refusal(r.script.accept(by: r.script.support, offerRevision: offer.revision)), field: "actor.role")
        expectInvalidEvent(r.refusal(r.script.event("dispute.offer.declined", by: r.script.buyer)), field: "data.offerRevision")
    }

    // MARK: dispute.escalated — buyer, seller, system; dispute open

    @Test("dispute.escalated by buyer, seller or system moves an open dispute to escalated", arguments: [ActorRole.buyer, .seller, .system])
    func escalated(role: ActorRole) throws {
        var r = try Replay.disputed()
        let actor = role == .buyer ? r.script.buyer : role == .seller ? r.script.seller : Actor.daemon
        expectAccepted(&r, r.script.escalated(by: actor, rule: role == .system ? "auto_escalate" : nil))
        #expect(r.state?.dispute?.status == .escalated)
        #expect(r.state?.dispute?.escalatedAt == r.now)
    }

    @Test("dispute.escalated twice or without a dispute is invalid_transition; by support is invalid_event")
    func escalatedRefused() throws {
        var r = try Replay.disputed()
        try r.append(r.script.escalated())
        expectInvalidTransition(r.refusal(r.script.escalated(by: r.script.seller)), state: "delivered", reason: "only an open dispute")
        var none = try Replay.delivered()
        expectInvalidTransition(none.refusal(none.script.escalated()), state: "delivered")
        expectInvalidEvent(r.refusal(r.script.escalated(by: r.script.support)), field: "actor.role")
    }

    // MARK: dispute.resolved — support; open or escalated

    @Test("dispute.resolved by support resolves an open or escalated dispute and supersedes a pending offer")
    func resolved() throws {
        var r = try Replay.disputed()
        try r.append(r.script.offer(by: r.script.buyer, outcome: "full_refund"))
        try r.append(r.script.escalated())
        expectAccepted(&r, r.script.resolved(outcome: "partial_refund", amount: 1_000, note: "half the items were fine"))
        let d = try #require(r.state?.dispute)
        #expect(d.status == .resolved)
        #expect(d.resolution?.by == "support")
        #expect(d.resolution?.amount == 1_000)
        #expect(d.offers.last?.status == .superseded)
    }

    @Test("dispute.resolved twice is invalid_transition; by a party is invalid_event; the note is required")
    func resolvedRefused() throws {
        var r = try Replay.disputed()
        expectInvalidEvent(r.refusal(r.script.event("dispute.resolved", by: r.script.buyer, ["outcome": "full_refund", "note": "mine"])), field: "actor.role")
        expectInvalidEvent(r.refusal(r.script.event("dispute.resolved", by: r.script.support, ["outcome": "full_refund"])), field: "data.note")
        try r.append(r.script.resolved(outcome: "correct_item"))
        expectInvalidTransition(r.refusal(r.script.resolved(outcome: "full_refund")), state: "delivered", reason: "open or escalated")
    }

    // MARK: dispute.closed — buyer (withdrawal if unresolved), support (once resolved), never the seller

    @Test("the buyer withdraws an unresolved dispute with withdrawn true")
    func withdraw() throws {
        var r = try Replay.disputed()
        expectAccepted(&r, r.script.disputeClosed(withdrawn: true))
        #expect(r.state?.dispute?.status == .closed)
        #expect(r.state?.dispute?.withdrawn == true)
        #expect(r.state?.dispute?.closedAt == r.now)
    }

    @Test("the buyer closes a resolved dispute with withdrawn false; support does the same")
    func closeResolved() throws {
        for actor in [OrderScript(order: "x").buyer, OrderScript(order: "x").support] {
            var r = try Replay.disputed()
            try r.append(r.script.resolved(outcome: "deliver_missing"))
            expectAccepted(&r, r.script.disputeClosed(by: actor, withdrawn: false))
            #expect(r.state?.dispute?.status == .closed)
            #expect(r.state?.dispute?.withdrawn == false)
        }
    }

    @Test("closing with the wrong withdrawn flag is invalid_transition")
    func closeWrongFlag() throws {
        var open = try Replay.disputed()
        expectInvalidTransition(open.refusal(open.script.disputeClosed(withdrawn: false)), state: "delivered", reason: "withdrawing")
        var resolved = try Replay.disputed()
        try resolved.append(resolved.script.resolved(outcome: "deliver_missing"))
        expectInvalidTransition(resolved.refusal(resolved.script.disputeClosed(withdrawn: true)), state: "delivered", reason: "not withdrawn")
        expectInvalidTransition(resolved.refusal(resolved.script.disputeClosed(by: resolved.script.support, withdrawn: true)), state: "delivered", reason: "not withdrawn")
    }

    @Test("support cannot close a dispute that is not resolved")
    func supportClosesOpen() throws {
        var r = try Replay.disputed()
        expectInvalidTransition(r.refusal(r.script.disputeClosed(by: r.script.support, withdrawn: false)), state: "delivered", reason: "only once it is resolved")
        try r.append(r.script.escalated())
        expectInvalidTransition(r.refusal(r.script.disputeClosed(by: r.script.support, withdrawn: false)), state: "delivered", reason: "only once it is resolved")
    }

    @Test("the seller never closes a dispute: invalid_event, open or resolved")
    func sellerCloses() throws {
        var r = try Replay.disputed()
        expectInvalidEvent(r.refusal(r.script.disputeClosed(by: r.script.seller, withdrawn: false)), field: "actor.role")
        try r.append(r.script.resolved(outcome: "deliver_missing"))
        expectInvalidEvent(r.refusal(r.script.disputeClosed(by: r.script.seller, withdrawn: false)), field: "actor.role")
    }

    @Test("closing when there is no dispute, or it is already closed, is invalid_transition")
    func closeNothing() throws {
        var none = try Replay.delivered()
        expectInvalidTransition(none.refusal(none.script.disputeClosed(withdrawn: true)), state: "delivered", reason: "no dispute to close")
        var closed = try Replay.disputed()
        try closed.append(closed.script.disputeClosed(withdrawn: true))
        expectInvalidTransition(closed.refusal(closed.script.disputeClosed(withdrawn: true)), state: "delivered", reason: "no dispute to close")
        expectInvalidEvent(closed.refusal(closed.script.event("dispute.closed", by: closed.script.buyer, ["withdrawn": "yes"])), field: "data.withdrawn")
    }
}
