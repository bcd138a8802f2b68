import TimelineModel

/// Builds the events of one order's life with unique event ids
/// (`<order>/<n>`), the order's own buyer and seller, and data that passes
/// the catalog's schemas. Each call only builds an event; whether it is
/// allowed at that point is the catalog's business.
///
/// ```swift
/// var life = OrderScript(order: "A-1", quantity: 2, price: 5000)
/// let events = [life.placed(), life.paid(), life.delivered(quantity: 2), life.confirmed()]
/// ```
public struct OrderScript: Sendable {
    public let order: String
    public let buyer: Actor
    public let seller: Actor
    public let support = Actor(role: .support, id: "staff-1")
    public let system = Actor(role: .system, id: "payments")
    public var quantity: Int64
    public var price: Int64
    public var currency = "EUR"
    /// How many events were built so far; drives the event ids. Set it to
    /// continue the ids of an order whose earlier events another script built.
    public var built = 0

    /// The script of `order` between `buyer` and `seller`.
    public init(order: String, buyer: String = "u-buyer", seller: String = "u-seller", quantity: Int64 = 1, price: Int64 = 10_000) {
        self.order = order
        self.buyer = Actor(role: .buyer, id: buyer)
        self.seller = Actor(role: .seller, id: seller)
        self.quantity = quantity
        self.price = price
    }

    /// The next unused event id of this order.
    public mutating func nextId() -> String {
        built += 1
        return "\(order)/\(built)"
    }

    /// An event of any type, with the next id.
    public mutating func event(_ type: String, by actor: Actor, _ data: JSONValue = .emptyObject) -> EventInput {
        EventInput(eventId: nextId(), type: type, actor: actor, data: data)
    }

    // MARK: - Order lifecycle

    public mutating func placed(by actor: Actor? = nil, title: String = "Ancient Dragon Sword") -> EventInput {
        event("order.placed", by: actor ?? buyer, [
            "buyer": .string(buyer.id), "seller": .string(seller.id),
            "item": ["title": .string(title), "quantity": .int(quantity)],
            "price": ["amount": .int(price), "currency": .string(currency)],
        ])
    }

    public mutating func paid() -> EventInput { event("order.paid", by: system) }

    public mutating func cancelled(by actor: Actor? = nil, reason: String = "changed my mind") -> EventInput {
        event("order.cancelled", by: actor ?? buyer, ["reason": .string(reason)])
    }

    public mutating func delivered(quantity: Int64? = nil, note: String? = nil) -> EventInput {
        var data: [String: JSONValue] = ["quantity": .int(quantity ?? self.quantity)]
        if let note { data["note"] = .string(note) }
        return event("delivery.marked", by: seller, .object(data))
    }

    public mutating func confirmed(by actor: Actor? = nil) -> EventInput { event("delivery.confirmed", by: actor ?? buyer) }

    public mutating func completed(by actor: Actor? = nil, rule: String = "auto_confirm") -> EventInput {
        event("order.completed", by: actor ?? Actor.daemon, ["rule": .string(rule)])
    }

    public mutating func refund(_ amount: Int64, by actor: Actor? = nil) -> EventInput {
        event("refund.issued", by: actor ?? support, ["amount": .int(amount)])
    }

    // MARK: - Conversation

    public mutating func chat(_ text: String, by actor: Actor? = nil, channel: String = "order") -> EventInput {
        event("chat.message", by: actor ?? buyer, ["channel": .string(channel), "text": .string(text)])
    }

    public mutating func availability(by actor: Actor? = nil, until: String = "2026-11-27T18:00:00Z", note: String = "back tomorrow") -> EventInput {
        event("participant.availability", by: actor ?? seller, ["until": .string(until), "note": .string(note)])
    }

    public mutating func supportNote(_ text: String = "checked the trade log") -> EventInput {
        event("support.note", by: support, ["text": .string(text)])
    }

    /// The data of an `evidence.attached` event for `bytes` (append it with origin `.evidencePut`).
    public mutating func evidence(
        sha256: String, size: Int, by actor: Actor? = nil, filename: String = "screenshot.png", channel: String = "order"
    ) -> EventInput {
        event("evidence.attached", by: actor ?? buyer, [
            "sha256": .string(sha256), "size": .int(Int64(size)), "filename": .string(filename),
            "mediaType": "image/png", "channel": .string(channel),
        ])
    }

    // MARK: - Disputes

    public mutating func disputeOpened(
        reason: String = "incomplete", outcome: String = "deliver_missing", amount: Int64? = nil,
        description: String = "only part of the item arrived", by actor: Actor? = nil
    ) -> EventInput {
        var data: [String: JSONValue] = [
            "reason": .string(reason), "requestedOutcome": .string(outcome), "description": .string(description),
        ]
        if let amount { data["amount"] = .int(amount) }
        return event("dispute.opened", by: actor ?? buyer, .object(data))
    }

    public mutating func offer(by actor: Actor, outcome: String, amount: Int64? = nil, note: String? = nil) -> EventInput {
        var data: [String: JSONValue] = ["outcome": .string(outcome)]
        if let amount { data["amount"] = .int(amount) }
        if let note { data["note"] = .string(note) }
        return event("dispute.offer", by: actor, .object(data))
    }

    public mutating func accept(by actor: Actor, offerRevision: UInt64) -> EventInput {
        event("dispute.offer.accepted", by: actor, ["offerRevision": .int(Int64(offerRevision))])
    }

    public mutating func decline(by actor: Actor, offerRevision: UInt64) -> EventInput {
        event("dispute.offer.declined", by: actor, ["offerRevision": .int(Int64(offerRevision))])
    }

    public mutating func escalated(by actor: Actor? = nil, rule: String? = nil) -> EventInput {
        event("dispute.escalated", by: actor ?? buyer, rule.map { ["rule": .string($0)] } ?? .emptyObject)
    }

    public mutating func resolved(outcome: String, amount: Int64? = nil, note: String = "support decided") -> EventInput {
        var data: [String: JSONValue] = ["outcome": .string(outcome), "note": .string(note)]
        if let amount { data["amount"] = .int(amount) }
        return event("dispute.resolved", by: support, .object(data))
    }

    public mutating func disputeClosed(by actor: Actor? = nil, withdrawn: Bool = false) -> EventInput {
        event("dispute.closed", by: actor ?? buyer, ["withdrawn": .bool(withdrawn)])
    }
}
