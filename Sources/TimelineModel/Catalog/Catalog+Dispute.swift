// MARK: - Disputes: open → escalated → resolved → closed, with offers

extension Catalog {
    static let disputeRules: [EventRule] = [
        EventRule(
            "dispute.opened", roles: [.buyer],
            schema: DataSchema([
                .required("reason", .oneOf(["not_delivered", "incomplete", "wrong_item", "other"])),
                .required("requestedOutcome", .oneOf(outcomes)),
                .optional("amount", amount),
                .required("description", longText),
            ]),
            refine: amountMatchesOutcome("requestedOutcome"),
            allowed: { s, c in
                if s.status != .paid && s.status != .delivered { return "a dispute can be opened only on a paid or delivered order" }
                if s.hasActiveDispute { return "a dispute is already open on this order" }
                return refundableCheck(&s, c)
            },
            apply: { state, e, effects in
                state?.inPlace { s in
                    s.dispute = DisputeState(
                        status: .open, reason: e.data["reason"]?.stringValue ?? "",
                        requestedOutcome: e.data["requestedOutcome"]?.stringValue ?? "", amount: e.data["amount"]?.intValue,
                        description: e.data["description"]?.stringValue ?? "", openedBy: e.actor.role, openedAt: e.recordedAt,
                        lastSellerActivityAt: e.recordedAt
                    )
                    s.disputesOpened += 1
                    effects += [.disputeOpened(user: s.buyer), .disputeReceived(user: s.seller)]
                }
            }
        ),
        EventRule(
            "dispute.offer", roles: [.buyer, .seller],
            schema: DataSchema([.required("outcome", .oneOf(outcomes)), .optional("amount", amount), .optional("note", longText)]),
            refine: amountMatchesOutcome("outcome"),
            allowed: { s, c in
                guard s.hasActiveDispute else { return "an offer can be made only while a dispute is open or escalated" }
                return refundableCheck(&s, c)
            },
            apply: { state, e, _ in
                guard var d = state?.dispute else { return }
                for i in d.offers.indices where d.offers[i].status == .pending { d.offers[i].status = .superseded }
                d.offers.append(DisputeOffer(
                    revision: e.revision, by: e.actor.role, outcome: e.data["outcome"]?.stringValue ?? "",
                    amount: e.data["amount"]?.intValue, note: e.data["note"]?.stringValue, at: e.recordedAt, status: .pending
                ))
                if e.actor.role == .seller { d.lastSellerActivityAt = e.recordedAt }
                state?.dispute = d
            }
        ),
        EventRule(
            "dispute.offer.accepted", roles: [.buyer, .seller],
            schema: DataSchema([.required("offerRevision", .integer(0...Int64.max))]),
            allowed: { s, c in answerCheck(&s, c, verb: "accept") },
            apply: { state, e, _ in
                guard var d = state?.dispute, let i = d.offers.lastIndex(where: { $0.status == .pending }) else { return }
                d.offers[i].status = .accepted
                let offer = d.offers[i]
                d.status = .resolved
                d.resolution = DisputeResolution(outcome: offer.outcome, amount: offer.amount, note: offer.note, by: "agreement", at: e.recordedAt)
                state?.dispute = d
            }
        ),
        EventRule(
            "dispute.offer.declined", roles: [.buyer, .seller],
            schema: DataSchema([.required("offerRevision", .integer(0...Int64.max))]),
            allowed: { s, c in answerCheck(&s, c, verb: "decline") },
            apply: { state, e, _ in
                guard var d = state?.dispute, let i = d.offers.lastIndex(where: { $0.status == .pending }) else { return }
                // Not seller activity for auto_escalate: DOMAIN.md counts only a message or an offer.
                d.offers[i].status = .declined
                state?.dispute = d
            }
        ),
        EventRule(
            "dispute.escalated", roles: [.buyer, .seller, .system],
            schema: DataSchema([.optional("rule", .string(1...128))]),
            allowed: { s, _ in s.dispute?.status == .open ? nil : "only an open dispute can be escalated" },
            apply: { state, e, _ in
                state?.dispute?.status = .escalated
                state?.dispute?.escalatedAt = e.recordedAt
            }
        ),
        EventRule(
            "dispute.resolved", roles: [.support],
            schema: DataSchema([.required("outcome", .oneOf(outcomes)), .optional("amount", amount), .required("note", longText)]),
            refine: amountMatchesOutcome("outcome"),
            allowed: { s, c in
                guard s.hasActiveDispute else { return "only an open or escalated dispute can be resolved" }
                return refundableCheck(&s, c)
            },
            apply: { state, e, _ in
                guard var d = state?.dispute else { return }
                for i in d.offers.indices where d.offers[i].status == .pending { d.offers[i].status = .superseded }
                d.status = .resolved
                d.resolution = DisputeResolution(
                    outcome: e.data["outcome"]?.stringValue ?? "", amount: e.data["amount"]?.intValue,
                    note: e.data["note"]?.stringValue, by: "support", at: e.recordedAt
                )
                state?.dispute = d
            }
        ),
        EventRule(
            "dispute.closed", roles: [.buyer, .support],
            schema: DataSchema([.required("withdrawn", .boolean)]),
            allowed: { s, c in
                guard let d = s.dispute, d.status != .closed else { return "there is no dispute to close" }
                let withdrawn = c.data["withdrawn"]?.boolValue ?? false
                if c.actor.role == .support {
                    if d.status != .resolved { return "support can close a dispute only once it is resolved" }
                    if withdrawn { return "a resolved dispute is closed, not withdrawn: set withdrawn to false" }
                    return nil
                }
                if d.status == .resolved && withdrawn { return "a resolved dispute is closed, not withdrawn: set withdrawn to false" }
                if d.status != .resolved && !withdrawn {
                    return "the buyer can close an unresolved dispute only by withdrawing it: set withdrawn to true"
                }
                return nil
            },
            apply: { state, e, _ in
                guard var d = state?.dispute else { return }
                for i in d.offers.indices where d.offers[i].status == .pending { d.offers[i].status = .superseded }
                d.status = .closed
                d.closedAt = e.recordedAt
                d.withdrawn = e.data["withdrawn"]?.boolValue
                state?.dispute = d
            }
        ),
    ]

    /// Accepting or declining: only the party that did not make the pending offer, naming it.
    static func answerCheck(_ s: inout OrderState, _ c: EventRule.Context, verb: String) -> String? {
        guard let offer = s.dispute?.pendingOffer, s.hasActiveDispute else {
            return "there is no pending offer to \(verb)"
        }
        if offer.by == c.actor.role { return "the \(c.actor.role.rawValue) made this offer and cannot \(verb) it; the other party answers" }
        if let named = c.data["offerRevision"]?.intValue, UInt64(named) != offer.revision {
            return "the pending offer is at revision \(offer.revision), not \(named)"
        }
        if verb == "accept", let amount = offer.amount, amount > s.priceAmount - s.refundedAmount {
            return "the offer's amount \(amount) now exceeds what is left to refund (\(s.priceAmount - s.refundedAmount)); make a new offer"
        }
        return nil
    }
}
