import Foundation
import TestSupport
import Testing
import TimelineModel

/// The time of the `n`th event of a ``Replay`` (one a minute from 15:00).
func minute(_ n: Int) -> JSONValue { .string(String(format: "2026-11-26T15:%02d:00.000000Z", n)) }

/// DOMAIN.md's stories as folds of the catalog, checking the order view after each step.
@Suite("Scenarios folded through the catalog")
struct ScenarioTests {
    @Test("delivered, then confirmed by the buyer: the order completes")
    func deliveredThenConfirmed() throws {
        var r = Replay(quantity: 1, price: 2500)
        try r.append(r.script.placed())
        #expect(r.view["state"] == "placed")
        #expect(r.view["paidAt"] == .null)
        try r.append(r.script.paid())
        #expect(r.view["state"] == "paid")
        #expect(r.view["paidAt"] == minute(2))
        try r.append(r.script.delivered(quantity: 1, note: "sent in game mail"))
        #expect(r.view["state"] == "delivered")
        #expect(r.view["deliveredAt"] == minute(3))
        #expect(r.view["deliveredQuantity"] == 1)
        try r.append(r.script.confirmed())
        #expect(r.view["state"] == "completed")
        #expect(r.view["completedAt"] == minute(4))
        #expect(r.view["dispute"] == .null)
        #expect(r.view["revision"] == 3)
        #expect(r.view["lastPosition"] == 4)
        #expect(r.view["updatedAt"] == minute(4))
    }

    @Test("incomplete delivery, dispute, offer of the missing part, accepted, delivered, closed, confirmed")
    func incompleteDelivery() throws {
        var r = Replay(quantity: 3, price: 10_000)
        try r.append([r.script.placed(), r.script.paid(), r.script.delivered(quantity: 2)])
        #expect(r.view["deliveredQuantity"] == 2)
        expectInvalidTransition(r.refusal(r.script.confirmed()), state: "delivered", reason: "2 of 3 delivered")

        try r.append(r.script.disputeOpened(reason: "incomplete", outcome: "deliver_missing"))
        #expect(r.view["dispute"]?["status"] == "open")
        #expect(r.view["dispute"]?["openedAt"] == minute(4))
        #expect(r.view["dispute"]?["resolution"] == .null)

        let offer = try r.append(r.script.offer(by: r.script.seller, outcome: "deliver_missing"))
        #expect(r.view["dispute"]?["offers"]?.arrayValue?.count == 1)
        #expect(r.view["dispute"]?["offers"]?.arrayValue?.first?["status"] == "pending")

        try r.append(r.script.accept(by: r.script.buyer, offerRevision: offer.revision))
        #expect(r.view["dispute"]?["status"] == "resolved")
        #expect(r.view["dispute"]?["resolution"]?["by"] == "agreement")

        try r.append(r.script.delivered(quantity: 1))
        #expect(r.view["deliveredQuantity"] == 3)
        try r.append(r.script.disputeClosed(by: r.script.buyer, withdrawn: false))
        #expect(r.view["dispute"]?["status"] == "closed")
        try r.append(r.script.confirmed())

        // The whole view, field by field.
        let expected: JSONValue = [
            "order": "A-1", "state": "completed", "buyer": "u-buyer", "seller": "u-seller",
            "item": ["title": "Ancient Dragon Sword", "quantity": 3], "price": ["amount": 10_000, "currency": "EUR"],
            "placedAt": minute(1), "paidAt": minute(2), "deliveredAt": minute(7), "completedAt": minute(9),
            "cancelledAt": nil, "refundedAt": nil, "deliveredQuantity": 3, "refundedAmount": 0,
            "dispute": [
                "status": "closed", "reason": "incomplete", "requestedOutcome": "deliver_missing",
                "description": "only part of the item arrived", "openedBy": "buyer", "openedAt": minute(4),
                "offers": [["revision": 4, "by": "seller", "outcome": "deliver_missing", "at": minute(5), "status": "accepted"]],
                "resolution": ["outcome": "deliver_missing", "by": "agreement", "at": minute(6)],
                "escalatedAt": nil, "closedAt": minute(8), "withdrawn": false,
            ],
            "disputesOpened": 1, "messages": ["visible": 0, "filtered": 0, "hidden": 0, "flagged": 0], "evidence": [],
            "appeals": [], "awaitingReplyFrom": nil, "awaitingSince": nil, "availability": [:], "moderationFlags": 0,
            "revision": 8, "lastPosition": 9, "updatedAt": minute(9),
        ]
        #expect(r.view == expected)
    }

    @Test("partial refund: asked, decided by support, issued, closed; the order still completes")
    func partialRefund() throws {
        var r = try Replay.delivered(quantity: 1, price: 10_000)
        try r.append(r.script.disputeOpened(reason: "wrong_item", outcome: "partial_refund", amount: 3_000, description: "wrong colour"))
        #expect(r.view["dispute"]?["amount"] == 3_000)
        try r.append(r.script.resolved(outcome: "partial_refund", amount: 3_000, note: "colour differs from the listing"))
        #expect(r.view["dispute"]?["resolution"]?["amount"] == 3_000)
        #expect(r.view["dispute"]?["resolution"]?["by"] == "support")
        try r.append(r.script.refund(3_000, by: r.script.system))
        #expect(r.view["refundedAmount"] == 3_000)
        #expect(r.view["state"] == "delivered")
        #expect(r.view["refundedAt"] == .null)
        try r.append(r.script.disputeClosed(by: r.script.support, withdrawn: false))
        try r.append(r.script.confirmed())
        #expect(r.view["state"] == "completed")
        #expect(r.view["refundedAmount"] == 3_000)
    }

    @Test("full refund: an accepted full_refund offer and a refund of the whole price leave the order refunded")
    func fullRefund() throws {
        var r = try Replay.paid(price: 7_500)
        try r.append(r.script.disputeOpened(reason: "not_delivered", outcome: "full_refund", description: "nothing arrived"))
        let offer = try r.append(r.script.offer(by: r.script.seller, outcome: "full_refund", note: "out of stock, sorry"))
        try r.append(r.script.accept(by: r.script.buyer, offerRevision: offer.revision))
        try r.append(r.script.refund(7_500, by: r.script.system))
        #expect(r.view["state"] == "refunded")
        #expect(r.view["refundedAmount"] == 7_500)
        #expect(r.view["refundedAt"] == minute(6))
        try r.append(r.script.disputeClosed(withdrawn: false))
        #expect(r.view["dispute"]?["status"] == "closed")
        // Nothing is left to refund or to deliver.
        expectInvalidTransition(r.refusal(r.script.refund(1)), state: "refunded", reason: "exceeds")
        expectInvalidTransition(r.refusal(r.script.delivered()), state: "refunded")
        expectInvalidTransition(r.refusal(r.script.disputeOpened()), state: "refunded")
    }

    @Test("escalation to support: the seller declines, the buyer escalates, support decides and closes")
    func escalation() throws {
        var r = try Replay.delivered()
        try r.append(r.script.disputeOpened(reason: "wrong_item", outcome: "correct_item", description: "got a shield, ordered a sword"))
        try r.append(r.script.chat("I sent what was listed", by: r.script.seller, channel: "dispute"))
        #expect(r.view["awaitingReplyFrom"] == "buyer")
        let offer = try r.append(r.script.offer(by: r.script.buyer, outcome: "full_refund"))
        try r.append(r.script.decline(by: r.script.seller, offerRevision: offer.revision))
        #expect(r.view["dispute"]?["offers"]?.arrayValue?.first?["status"] == "declined")
        try r.append(r.script.escalated(by: r.script.buyer))
        #expect(r.view["dispute"]?["status"] == "escalated")
        #expect(r.view["dispute"]?["escalatedAt"] == minute(8))
        try r.append(r.script.chat("looking into it", by: r.script.support, channel: "dispute"))
        try r.append(r.script.resolved(outcome: "correct_item", note: "seller sends the sword"))
        #expect(r.view["dispute"]?["status"] == "resolved")
        #expect(r.view["dispute"]?["resolution"]?["outcome"] == "correct_item")
        try r.append(r.script.disputeClosed(by: r.script.support, withdrawn: false))
        #expect(r.view["dispute"]?["status"] == "closed")
        #expect(r.view["dispute"]?["closedAt"] == minute(11))
        #expect(r.view["messages"]?["visible"] == 2)
    }

    @Test("withdrawal by the buyer closes the dispute as withdrawn and unblocks confirmation")
    func withdrawal() throws {
        var r = try Replay.disputed()
        expectInvalidTransition(r.refusal(r.script.confirmed()), state: "delivered", reason: "no dispute is open")
        try r.append(r.script.disputeClosed(withdrawn: true))
        #expect(r.view["dispute"]?["status"] == "closed")
        #expect(r.view["dispute"]?["withdrawn"] == true)
        #expect(r.view["dispute"]?["resolution"] == .null)
        try r.append(r.script.confirmed())
        #expect(r.view["state"] == "completed")
    }

    @Test("a seller trying to close a dispute is refused and changes nothing")
    func sellerCloses() throws {
        var r = try Replay.disputed()
        let before = r.state
        let error = r.refusal(r.script.disputeClosed(by: r.script.seller, withdrawn: true))
        expectInvalidEvent(error, field: "actor.role")
        #expect(error?.message.contains("a seller may not append dispute.closed") == true)
        #expect(r.state == before)
        #expect(r.view["dispute"]?["status"] == "open")
    }

    @Test("a buyer confirming during an open dispute is refused; after escalation too")
    func confirmDuringDispute() throws {
        var r = try Replay.disputed()
        expectInvalidTransition(r.refusal(r.script.confirmed()), state: "delivered", reason: "delivery can be confirmed only when no dispute is open")
        try r.append(r.script.escalated())
        expectInvalidTransition(r.refusal(r.script.confirmed()), state: "delivered", reason: "no dispute is open")
        #expect(r.view["state"] == "delivered")
    }

    @Test("fold over the recorded events rebuilds the same state the step-by-step apply produced")
    func foldEqualsSteps() throws {
        var r = try Replay.disputed(quantity: 2, delivering: 1)
        try r.append(r.script.chat("where is the rest?"))
        try r.append(r.script.offer(by: r.script.seller, outcome: "deliver_missing"))
        #expect(Catalog.fold(r.records) == r.state)
        #expect(Catalog.fold(r.records.prefix(3))?.status == .delivered)
        #expect(Catalog.fold([RecordedEvent]()) == nil)
    }

    @Test("the stored form of an order state reads back equal, dispute and evidence included")
    func storageRoundTrip() throws {
        var r = try Replay.disputed(quantity: 2, delivering: 1)
        try r.append(r.script.chat("mail me", by: r.script.seller), moderation: ModerationVerdict(verdict: .filtered, rules: ["contact"]))
        try r.append(r.script.offer(by: r.script.seller, outcome: "partial_refund", amount: 100, note: "n"))
        try r.append(r.script.evidence(sha256: String(repeating: "0f", count: 32), size: 3, channel: "dispute"), origin: .evidencePut)
        try r.append(r.script.availability(by: r.script.buyer))
        try r.append(r.script.supportNote())
        let state = try #require(r.state)
        let back = try OrderState(storageJSON: JSONParser.parse(CanonicalJSON.encode(state.storageJSON)))
        #expect(back == state)
    }
}
