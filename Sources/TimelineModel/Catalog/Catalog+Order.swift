// MARK: - Order lifecycle: placed → paid → delivered → completed; cancelled; refunded

extension Catalog {
    static let orderRules: [EventRule] = [
        EventRule(
            "order.placed", roles: [.system, .buyer],
            schema: DataSchema([
                .required("buyer", .string(1...128)),
                .required("seller", .string(1...128)),
                .required("item", .object(DataSchema([.required("title", .string(1...500)), .required("quantity", .integer(1...Int64.max))]))),
                .required("price", .object(DataSchema([.required("amount", amount), .required("currency", .currency)]))),
            ]),
            refine: { data in
                data["buyer"] == data["seller"] ? ("data.seller", "data.buyer and data.seller must be different users") : nil
            },
            allowed: { s, _ in "order \(s.order) already exists; order.placed is only its first event" },
            apply: { state, e, effects in
                let d = e.data
                let buyer = d["buyer"]?.stringValue ?? ""
                let seller = d["seller"]?.stringValue ?? ""
                state = OrderState(
                    order: e.order, buyer: buyer, seller: seller,
                    itemTitle: d["item"]?["title"]?.stringValue ?? "", itemQuantity: d["item"]?["quantity"]?.intValue ?? 1,
                    priceAmount: d["price"]?["amount"]?.intValue ?? 0, currency: d["price"]?["currency"]?.stringValue ?? "",
                    placedAt: e.recordedAt
                )
                effects += [.orderAsBuyer(user: buyer), .orderAsSeller(user: seller)]
            }
        ),
        EventRule(
            "order.paid", roles: [.system],
            allowed: { s, _ in s.status == .placed ? nil : "an order can be paid only while placed" },
            apply: { state, e, _ in
                state?.status = .paid
                state?.paidAt = e.recordedAt
            }
        ),
        EventRule(
            "order.cancelled", roles: [.buyer, .support, .system],
            schema: DataSchema([.required("reason", shortText)]),
            allowed: { s, c in
                if s.status != .placed && s.status != .paid { return "an order can be cancelled only while placed or paid" }
                if c.actor.role == .buyer && s.status != .placed { return "the buyer can cancel only before payment; ask support" }
                if s.hasActiveDispute { return "an order cannot be cancelled while a dispute is open" }
                return nil
            },
            apply: { state, e, _ in
                state?.status = .cancelled
                state?.cancelledAt = e.recordedAt
                state?.awaitingReplyFrom = nil
                state?.awaitingSince = nil
            }
        ),
        EventRule(
            "delivery.marked", roles: [.seller],
            schema: DataSchema([.required("quantity", .integer(1...Int64.max)), .optional("note", longText)]),
            allowed: { s, c in
                if s.status != .paid && s.status != .delivered { return "delivery can be marked only once the order is paid" }
                let quantity = c.data["quantity"]?.intValue ?? 0
                let left = s.itemQuantity - s.deliveredQuantity
                if quantity > left { return "only \(left) of \(s.itemQuantity) remain to deliver, not \(quantity)" }
                return nil
            },
            apply: { state, e, _ in
                state?.deliveredQuantity += e.data["quantity"]?.intValue ?? 0
                state?.status = .delivered
                state?.deliveredAt = e.recordedAt
            }
        ),
        EventRule(
            "delivery.confirmed", roles: [.buyer, .support],
            allowed: { s, c in
                if s.status != .delivered { return "delivery can be confirmed only once the seller marked it delivered" }
                if s.hasActiveDispute { return "delivery can be confirmed only when no dispute is open" }
                if s.deliveredQuantity < s.itemQuantity {
                    return "delivery can be confirmed only after the full quantity arrived (\(s.deliveredQuantity) of \(s.itemQuantity) delivered)"
                }
                return nil
            },
            apply: { state, e, _ in
                state?.status = .completed
                state?.completedAt = e.recordedAt
            }
        ),
        EventRule(
            "order.completed", roles: [.system, .support],
            schema: DataSchema([.required("rule", .string(1...128))]),
            allowed: { s, c in
                if s.status != .delivered { return "an order can be completed only once delivered" }
                if s.hasActiveDispute { return "an order cannot be completed while a dispute is open" }
                return nil
            },
            apply: { state, e, _ in
                state?.status = .completed
                state?.completedAt = e.recordedAt
            }
        ),
        EventRule(
            "refund.issued", roles: [.system, .support],
            schema: DataSchema([.required("amount", amount)]),
            allowed: { s, c in
                if s.status == .cancelled { return "a cancelled order cannot be refunded" }
                return refundableCheck(&s, c)
            },
            apply: { state, e, _ in
                state?.inPlace { s in
                    s.refundedAmount += e.data["amount"]?.intValue ?? 0
                    if s.refundedAmount >= s.priceAmount {
                        s.status = .refunded
                        s.refundedAt = e.recordedAt
                    }
                }
            }
        ),
    ]
}
