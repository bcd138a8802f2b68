import Foundation
import TimelineClient
import TimelineModel

/// A fresh eventId that no other test uses.
func freshId(_ hint: String) -> String { "\(hint)-\(UUID().uuidString)" }

/// One order with its parties and builders for the wire JSON of its events.
/// Each builder call makes a new `eventId`; keep the value to retry it.
struct OrderFixture: Sendable {
    let order: String
    let buyer: String
    let seller: String
    let quantity: Int64
    let amount: Int64

    init(_ prefix: String = "A", buyer: String? = nil, seller: String? = nil, quantity: Int64 = 2, amount: Int64 = 1500) {
        let tag = UUID().uuidString.prefix(8)
        order = "\(prefix)-\(tag)"
        self.buyer = buyer ?? "buyer-\(tag)"
        self.seller = seller ?? "seller-\(tag)"
        self.quantity = quantity
        self.amount = amount
    }

    static func event(_ type: String, _ role: String, _ id: String, _ data: JSONValue = .emptyObject, eventId: String? = nil) -> JSONValue {
        [
            "eventId": .string(eventId ?? freshId(type)), "type": .string(type),
            "actor": ["role": .string(role), "id": .string(id)], "data": data,
        ]
    }

    func placed() -> JSONValue {
        Self.event("order.placed", "system", "platform", [
            "buyer": .string(buyer), "seller": .string(seller),
            "item": ["title": "Dragon Sword +5", "quantity": .int(quantity)],
            "price": ["amount": .int(amount), "currency": "EUR"],
        ])
    }

    func paid() -> JSONValue { Self.event("order.paid", "system", "payments") }

    func delivered(_ quantity: Int64) -> JSONValue {
        Self.event("delivery.marked", "seller", seller, ["quantity": .int(quantity)])
    }

    func chat(_ role: String, _ text: String, channel: String = "order") -> JSONValue {
        Self.event("chat.message", role, role == "buyer" ? buyer : role == "seller" ? seller : "agent-1", [
            "channel": .string(channel), "text": .string(text),
        ])
    }

    func disputeOpened() -> JSONValue {
        Self.event("dispute.opened", "buyer", buyer, [
            "reason": "incomplete", "requestedOutcome": "deliver_missing", "description": "only one of two swords arrived",
        ])
    }

    func offer(_ role: String, outcome: String = "deliver_missing") -> JSONValue {
        Self.event("dispute.offer", role, role == "buyer" ? buyer : seller, ["outcome": .string(outcome), "note": "sending the second one tonight"])
    }

    func escalated() -> JSONValue { Self.event("dispute.escalated", "buyer", buyer) }

    func availability(_ role: String, until: String) -> JSONValue {
        Self.event("participant.availability", role, role == "buyer" ? buyer : seller, ["until": .string(until), "note": "travelling"])
    }

    func note(_ text: String) -> JSONValue { Self.event("support.note", "support", "agent-1", ["text": .string(text)]) }

    /// Places and pays the order in one batch.
    @discardableResult
    func create(_ client: TimelineClient, paid: Bool = true) async throws -> JSONValue {
        try await client.append(order: order, events: paid ? [placed(), self.paid()] : [placed()])
    }
}
