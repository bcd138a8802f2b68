import TestSupport
import Testing
@testable import TimelineModel

/// DOMAIN.md's catalog, the order-lifecycle rows: each allowed case
/// accepted, each refused case refused with the right code.
@Suite("Catalog: order lifecycle rows")
struct CatalogOrderTests {
    // MARK: order.placed — system, buyer; order does not exist

    @Test("order.placed by the buyer named in data or by system starts the order as placed")
    func placedAccepted() throws {
        var r = Replay(quantity: 3, price: 4500)
        expectAccepted(&r, r.script.placed())
        #expect(r.state?.status == .placed)
        #expect(r.state?.buyer == "u-buyer")
        #expect(r.state?.seller == "u-seller")
        #expect(r.state?.itemQuantity == 3)
        #expect(r.state?.priceAmount == 4500)
        #expect(r.state?.revision == 0)
        var bySystem = Replay()
        expectAccepted(&bySystem, bySystem.script.placed(by: bySystem.script.system))
    }

    @Test("order.placed by a seller or support is invalid_event on actor.role")
    func placedWrongRole() {
        var r = Replay()
        expectInvalidEvent(r.refusal(r.script.placed(by: r.script.seller)), field: "actor.role")
        expectInvalidEvent(r.refusal(r.script.placed(by: r.script.support)), field: "actor.role")
    }

    @Test("order.placed by a buyer who is not data.buyer is invalid_event on actor.id")
    func placedByAnotherBuyer() {
        var r = Replay()
        let e = r.script.placed(by: Actor(role: .buyer, id: "u-mallory"))
        expectInvalidEvent(r.refusal(e), field: "actor.id")
    }

    @Test("order.placed on an existing order is invalid_transition")
    func placedTwice() throws {
        var r = try Replay.paid()
        expectInvalidTransition(r.refusal(r.script.placed()), state: "paid", reason: "already exists")
    }

    @Test("order.placed data is checked field by field", arguments: [
        ("buyer and seller equal", JSONValue.object(["buyer": "u-buyer", "seller": "u-buyer", "item": ["title": "Sword", "quantity": 1], "price": ["amount": 100, "currency": "EUR"]]), "data.seller"),
        ("seller missing", ["buyer": "u-buyer", "item": ["title": "Sword", "quantity": 1], "price": ["amount": 100, "currency": "EUR"]], "data.seller"),
        ("item missing", ["buyer": "u-buyer", "seller": "u-seller", "price": ["amount": 100, "currency": "EUR"]], "data.item"),
        ("quantity zero", ["buyer": "u-buyer", "seller": "u-seller", "item": ["title": "Sword", "quantity": 0], "price": ["amount": 100, "currency": "EUR"]], "data.item.quantity"),
        ("title empty", ["buyer": "u-buyer", "seller": "u-seller", "item": ["title": "", "quantity": 1], "price": ["amount": 100, "currency": "EUR"]], "data.item.title"),
        ("amount zero", ["buyer": "u-buyer", "seller": "u-seller", "item": ["title": "Sword", "quantity": 1], "price": ["amount": 0, "currency": "EUR"]], "data.price.amount"),
        ("amount fractional", ["buyer": "u-buyer", "seller": "u-seller", "item": ["title": "Sword", "quantity": 1], "price": ["amount": .double(99.5), "currency": "EUR"]], "data.price.amount"),
        ("currency lower case", ["buyer": "u-buyer", "seller": "u-seller", "item": ["title": "Sword", "quantity": 1], "price": ["amount": 100, "currency": "eur"]], "data.price.currency"),
        ("price extra field", ["buyer": "u-buyer", "seller": "u-seller", "item": ["title": "Sword", "quantity": 1], "price": ["amount": 100, "currency": "EUR", "vat": 19]], "data.price.vat"),
        ("unknown field", ["buyer": "u-buyer", "seller": "u-seller", "item": ["title": "Sword", "quantity": 1], "price": ["amount": 100, "currency": "EUR"], "discount": 5], "data.discount"),
        ("buyer not a string", ["buyer": 17, "seller": "u-seller", "item": ["title": "Sword", "quantity": 1], "price": ["amount": 100, "currency": "EUR"]], "data.buyer"),
    ] as [(String, JSONValue, String)])
    func placedSchema(_ label: String, data: JSONValue, field: String) {
        let r = Replay()
        let e = EventInput(eventId: "p", type: "order.placed", actor: Actor(role: .system, id: "shop"), data: data)
        expectInvalidEvent(r.refusal(e), field: field)
    }

    @Test("order.placed price.currency must be an active ISO 4217 code, not just three capital letters",
          arguments: ["QQQ", "ZZZ", "ABC", "XYZ", "XXX", "XTS", "XAU", "HRK", "EURO", "EU", ""])
    func placedCurrencyNotISO(currency: String) {
        var r = Replay()
        r.script.currency = currency
        expectInvalidEvent(r.refusal(r.script.placed()), field: "data.price.currency")
        #expect(r.refusal(r.script.placed())?.message.contains("ISO 4217") == true)
    }

    @Test("order.placed accepts ISO 4217 codes such as EUR, USD, GBP, JPY, CHF, BHD and XCG",
          arguments: ["EUR", "USD", "GBP", "JPY", "CHF", "BHD", "XCG", "CLF", "XOF"])
    func placedCurrencyISO(currency: String) {
        var r = Replay()
        r.script.currency = currency
        expectAccepted(&r, r.script.placed())
        #expect(r.state?.currency == currency)
    }

    @Test("the ISO 4217 table has every code once, each three capital letters")
    func currencyTable() {
        #expect(ISO4217.currencyCodes.count == 166)
        #expect(ISO4217.currencyCodes.allSatisfy { $0.utf8.count == 3 && $0.utf8.allSatisfy { $0 >= 65 && $0 <= 90 } })
    }

    // MARK: order.paid — system; placed

    @Test("order.paid by system on a placed order makes it paid")
    func paidAccepted() throws {
        var r = try Replay.placed()
        expectAccepted(&r, r.script.paid())
        #expect(r.state?.status == .paid)
        #expect(r.state?.paidAt == r.now)
    }

    @Test("order.paid by anyone but system is invalid_event", arguments: [ActorRole.buyer, .seller, .support])
    func paidWrongRole(role: ActorRole) throws {
        var r = try Replay.placed()
        let actor = role == .buyer ? r.script.buyer : role == .seller ? r.script.seller : r.script.support
        expectInvalidEvent(r.refusal(r.script.event("order.paid", by: actor)), field: "actor.role")
    }

    @Test("order.paid twice, or on an order that does not exist, is invalid_transition")
    func paidTwice() throws {
        var r = try Replay.paid()
        expectInvalidTransition(r.refusal(r.script.paid()), state: "paid", reason: "only while placed")
        var fresh = Replay()
        expectInvalidTransition(fresh.refusal(fresh.script.paid()), state: "none", reason: "first event must be order.placed")
    }

    @Test("order.paid with data is invalid_event: its schema has no fields")
    func paidWithData() throws {
        var r = try Replay.placed()
        expectInvalidEvent(r.refusal(r.script.event("order.paid", by: r.script.system, ["amount": 100])), field: "data.amount")
    }

    // MARK: order.cancelled — buyer (only while placed), support, system; placed or paid, no active dispute

    @Test("order.cancelled by the buyer while placed, or by support or system while paid, cancels")
    func cancelledAccepted() throws {
        var placed = try Replay.placed()
        expectAccepted(&placed, placed.script.cancelled())
        #expect(placed.state?.status == .cancelled)
        #expect(placed.state?.cancelledAt == placed.now)
        for actor in [OrderScript(order: "x").support, OrderScript(order: "x").system] {
            var paid = try Replay.paid()
            expectAccepted(&paid, paid.script.cancelled(by: actor, reason: "payment reversed"))
            #expect(paid.state?.status == .cancelled)
        }
    }

    @Test("the buyer cannot cancel once paid")
    func buyerCancelAfterPayment() throws {
        var r = try Replay.paid()
        expectInvalidTransition(r.refusal(r.script.cancelled()), state: "paid", reason: "ask support")
    }

    @Test("order.cancelled is refused once delivered, completed or cancelled")
    func cancelledTooLate() throws {
        var delivered = try Replay.delivered()
        expectInvalidTransition(delivered.refusal(delivered.script.cancelled(by: delivered.script.support)), state: "delivered")
        var cancelled = try Replay.placed()
        try cancelled.append(cancelled.script.cancelled())
        expectInvalidTransition(cancelled.refusal(cancelled.script.cancelled(by: cancelled.script.support)), state: "cancelled")
    }

    @Test("order.cancelled while a dispute is open is refused, even for support")
    func cancelledDuringDispute() throws {
        var r = try Replay.paid()
        try r.append(r.script.disputeOpened(reason: "not_delivered", outcome: "full_refund"))
        expectInvalidTransition(r.refusal(r.script.cancelled(by: r.script.support)), state: "paid", reason: "dispute is open")
    }

    @Test("order.cancelled by the seller is invalid_event; without a reason too")
    func cancelledSchema() throws {
        var r = try Replay.placed()
        expectInvalidEvent(r.refusal(r.script.cancelled(by: r.script.seller)), field: "actor.role")
        expectInvalidEvent(r.refusal(r.script.event("order.cancelled", by: r.script.buyer)), field: "data.reason")
    }

    // MARK: delivery.marked — seller; paid or delivered; cumulative ≤ ordered

    @Test("delivery.marked in parts adds up to the ordered quantity")
    func deliveredInParts() throws {
        var r = try Replay.paid(quantity: 5)
        expectAccepted(&r, r.script.delivered(quantity: 2, note: "first two"))
        #expect(r.state?.status == .delivered)
        #expect(r.state?.deliveredQuantity == 2)
        expectAccepted(&r, r.script.delivered(quantity: 3))
        #expect(r.state?.deliveredQuantity == 5)
    }

    @Test("delivery.marked beyond the ordered quantity is invalid_transition")
    func deliveredTooMuch() throws {
        var r = try Replay.paid(quantity: 5)
        try r.append(r.script.delivered(quantity: 4))
        expectInvalidTransition(r.refusal(r.script.delivered(quantity: 2)), state: "delivered", reason: "only 1 of 5 remain")
    }

    @Test("delivery.marked before payment is invalid_transition")
    func deliveredUnpaid() throws {
        var r = try Replay.placed()
        expectInvalidTransition(r.refusal(r.script.delivered()), state: "placed", reason: "once the order is paid")
    }

    @Test("delivery.marked by the buyer, or by a seller who is not this order's, is invalid_event")
    func deliveredWrongActor() throws {
        var r = try Replay.paid()
        expectInvalidEvent(r.refusal(r.script.event("delivery.marked", by: r.script.buyer, ["quantity": 1])), field: "actor.role")
        let stranger = Actor(role: .seller, id: "u-other-seller")
        expectInvalidEvent(r.refusal(r.script.event("delivery.marked", by: stranger, ["quantity": 1])), field: "actor.id")
    }

    @Test("delivery.marked data: quantity ≥ 1 and an integer, note at most 10000 characters")
    func deliveredSchema() throws {
        var r = try Replay.paid(quantity: 3)
        expectInvalidEvent(r.refusal(r.script.delivered(quantity: 0)), field: "data.quantity")
        expectInvalidEvent(r.refusal(r.script.event("delivery.marked", by: r.script.seller, ["quantity": .double(1.5)])), field: "data.quantity")
        expectInvalidEvent(r.refusal(r.script.delivered(quantity: 1, note: String(repeating: "n", count: 10_001))), field: "data.note")
        #expect(r.refusal(r.script.delivered(quantity: 1, note: String(repeating: "n", count: 10_000))) == nil)
    }

    // MARK: delivery.confirmed — buyer, support; delivered in full, no active dispute

    @Test("delivery.confirmed by the buyer or support after full delivery completes the order")
    func confirmedAccepted() throws {
        for actor in [OrderScript(order: "x").buyer, OrderScript(order: "x").support] {
            var r = try Replay.delivered(quantity: 2)
            expectAccepted(&r, r.script.confirmed(by: actor))
            #expect(r.state?.status == .completed)
            #expect(r.state?.completedAt == r.now)
        }
    }

    @Test("delivery.confirmed before the full quantity arrived is invalid_transition")
    func confirmedPartial() throws {
        var r = try Replay.delivered(quantity: 3, delivering: 2)
        expectInvalidTransition(r.refusal(r.script.confirmed()), state: "delivered", reason: "2 of 3 delivered")
    }

    @Test("delivery.confirmed before delivery is invalid_transition")
    func confirmedUndelivered() throws {
        var r = try Replay.paid()
        expectInvalidTransition(r.refusal(r.script.confirmed()), state: "paid", reason: "marked it delivered")
    }

    @Test("delivery.confirmed by the seller or system is invalid_event")
    func confirmedWrongRole() throws {
        var r = try Replay.delivered()
        expectInvalidEvent(r.refusal(r.script.confirmed(by: r.script.seller)), field: "actor.role")
        expectInvalidEvent(r.refusal(r.script.confirmed(by: r.script.system)), field: "actor.role")
    }

    // MARK: order.completed — system, support; delivered, no active dispute

    @Test("order.completed by system or support on a delivered order completes it")
    func completedAccepted() throws {
        for actor in [Actor.daemon, OrderScript(order: "x").support] {
            var r = try Replay.delivered()
            expectAccepted(&r, r.script.completed(by: actor, rule: "auto_confirm"))
            #expect(r.state?.status == .completed)
        }
    }

    @Test("order.completed before delivery or during a dispute is invalid_transition")
    func completedRefused() throws {
        var paid = try Replay.paid()
        expectInvalidTransition(paid.refusal(paid.script.completed()), state: "paid", reason: "once delivered")
        var disputed = try Replay.disputed()
        expectInvalidTransition(disputed.refusal(disputed.script.completed()), state: "delivered", reason: "dispute is open")
    }

    @Test("order.completed by the buyer, or without a rule, is invalid_event")
    func completedSchema() throws {
        var r = try Replay.delivered()
        expectInvalidEvent(r.refusal(r.script.completed(by: r.script.buyer)), field: "actor.role")
        expectInvalidEvent(r.refusal(r.script.event("order.completed", by: .daemon)), field: "data.rule")
    }

    // MARK: refund.issued — system, support; not cancelled; total ≤ price

    @Test("refund.issued in parts up to the price; the full price makes the order refunded")
    func refunds() throws {
        var r = try Replay.delivered(price: 10_000)
        expectAccepted(&r, r.script.refund(2_500))
        #expect(r.state?.refundedAmount == 2_500)
        #expect(r.state?.status == .delivered)
        expectAccepted(&r, r.script.refund(7_500, by: r.script.system))
        #expect(r.state?.refundedAmount == 10_000)
        #expect(r.state?.status == .refunded)
        #expect(r.state?.refundedAt == r.now)
    }

    @Test("refund.issued beyond what is left is invalid_transition")
    func refundTooMuch() throws {
        var r = try Replay.delivered(price: 10_000)
        try r.append(r.script.refund(6_000))
        expectInvalidTransition(r.refusal(r.script.refund(4_001)), state: "delivered", reason: "exceeds what is left to refund (4000 of 10000 EUR)")
        #expect(r.refusal(r.script.refund(4_000)) == nil)
    }

    @Test("refund.issued on a cancelled order is invalid_transition")
    func refundCancelled() throws {
        var r = try Replay.placed()
        try r.append(r.script.cancelled())
        expectInvalidTransition(r.refusal(r.script.refund(100)), state: "cancelled", reason: "cancelled order")
    }

    @Test("refund.issued by a party, with a fractional or zero amount, is invalid_event")
    func refundSchema() throws {
        var r = try Replay.delivered()
        expectInvalidEvent(r.refusal(r.script.refund(100, by: r.script.buyer)), field: "actor.role")
        expectInvalidEvent(r.refusal(r.script.refund(100, by: r.script.seller)), field: "actor.role")
        expectInvalidEvent(r.refusal(r.script.event("refund.issued", by: r.script.support, ["amount": .double(12.5)])), field: "data.amount")
        expectInvalidEvent(r.refusal(r.script.refund(0)), field: "data.amount")
        expectInvalidEvent(r.refusal(r.script.refund(-5)), field: "data.amount")
    }
}
