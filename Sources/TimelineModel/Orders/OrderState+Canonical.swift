// MARK: - The stored view and the wire view, written straight to canonical bytes

extension OrderState {
    /// The stored projection row: `CanonicalJSON.encode(storageJSON)`, written
    /// without building a ``JSONValue`` tree (the commit path writes one per touched order).
    public var storageBytes: [UInt8] { canonicalBytes(includeInternal: true) }

    /// The view `order.get` answers with: `CanonicalJSON.encode(viewJSON)`.
    public var viewBytes: [UInt8] { canonicalBytes(includeInternal: false) }

    func canonicalBytes(includeInternal: Bool) -> [UInt8] {
        var o = CanonicalObject(capacity: 1024)
        o.objects("appeals", moderatedMessages.filter { $0.appeal != nil }) { m, w in m.writeAppeal(into: &w) }
        o.map("availability", availability) { until, out in CanonicalJSON.writeString(until, into: &out) }
        o.string("awaitingReplyFrom", awaitingReplyFrom?.rawValue)
        o.time("awaitingSince", awaitingSince)
        o.string("buyer", buyer)
        o.time("cancelledAt", cancelledAt)
        o.time("completedAt", completedAt)
        o.time("deliveredAt", deliveredAt)
        o.int("deliveredQuantity", deliveredQuantity)
        if let dispute {
            o.object("dispute") { dispute.write(into: &$0, includeInternal: includeInternal) }
        } else {
            o.null("dispute")
        }
        o.int("disputesOpened", disputesOpened)
        o.objects("evidence", evidence) { item, w in item.write(into: &w) }
        if includeInternal {
            o.map("filteredByUser", filteredByUser) { count, out in CanonicalJSON.writeInteger(Int64(count), into: &out) }
        }
        o.object("item") { item in
            item.int("quantity", itemQuantity)
            item.string("title", itemTitle)
        }
        o.int("lastPosition", lastPosition)
        o.object("messages") { m in
            m.int("filtered", messages.filtered)
            m.int("flagged", messages.flagged)
            m.int("hidden", messages.hidden)
            m.int("visible", messages.visible)
        }
        if includeInternal { o.objects("moderated", moderatedMessages) { m, w in m.write(into: &w) } }
        o.int("moderationFlags", moderationFlags)
        o.string("order", order)
        o.time("paidAt", paidAt)
        o.time("placedAt", placedAt)
        o.object("price") { price in
            price.int("amount", priceAmount)
            price.string("currency", currency)
        }
        o.int("refundedAmount", refundedAmount)
        o.time("refundedAt", refundedAt)
        o.int("revision", revision)
        o.string("seller", seller)
        o.string("state", status.rawValue)
        if includeInternal { o.int("supportNotes", supportNotes) }
        o.time("updatedAt", updatedAt)
        return o.finish()
    }
}

extension DisputeState {
    func write(into o: inout CanonicalObject, includeInternal: Bool) {
        if let amount { o.int("amount", amount) }
        o.time("closedAt", closedAt)
        o.string("description", description)
        o.time("escalatedAt", escalatedAt)
        if includeInternal { o.time("lastSellerActivityAt", lastSellerActivityAt) }
        o.objects("offers", offers) { offer, w in offer.write(into: &w) }
        o.time("openedAt", openedAt)
        o.string("openedBy", openedBy.rawValue)
        o.string("reason", reason)
        o.string("requestedOutcome", requestedOutcome)
        if let resolution {
            o.object("resolution") { resolution.write(into: &$0) }
        } else {
            o.null("resolution")
        }
        o.string("status", status.rawValue)
        if let withdrawn { o.bool("withdrawn", withdrawn) }
    }
}

extension DisputeOffer {
    func write(into o: inout CanonicalObject) {
        if let amount { o.int("amount", amount) }
        o.time("at", at)
        o.string("by", by.rawValue)
        if let note { o.string("note", note) }
        o.string("outcome", outcome)
        o.int("revision", revision)
        o.string("status", status.rawValue)
    }
}

extension DisputeResolution {
    func write(into o: inout CanonicalObject) {
        if let amount { o.int("amount", amount) }
        o.time("at", at)
        o.string("by", by)
        if let note { o.string("note", note) }
        o.string("outcome", outcome)
    }
}

extension EvidenceItem {
    func write(into o: inout CanonicalObject) {
        o.time("at", at)
        o.string("by", by.rawValue)
        o.string("byId", byId)
        o.string("channel", channel)
        if let description { o.string("description", description) }
        o.string("filename", filename)
        o.string("mediaType", mediaType)
        o.int("position", position)
        o.string("sha256", sha256)
        o.int("size", size)
    }
}

extension ModeratedMessage {
    /// The stored form (``OrderState/storageBytes``'s `moderated`).
    func write(into o: inout CanonicalObject) {
        if let appeal {
            o.object("appeal") { a in
                a.time("appealedAt", appeal.appealedAt)
                a.int("position", appeal.position)
                if let reviewPosition = appeal.reviewPosition { a.int("reviewPosition", reviewPosition) }
                if let reviewedAt = appeal.reviewedAt { a.time("reviewedAt", reviewedAt) }
                a.string("status", appeal.status.rawValue)
            }
        }
        o.time("at", at)
        o.object("author") { a in
            a.string("id", author.id)
            a.string("role", author.role.rawValue)
        }
        o.int("position", position)
        o.strings("rules", rules)
        o.string("verdict", verdict.rawValue)
    }

    /// The order view's `appeals` entry of an appealed message.
    func writeAppeal(into o: inout CanonicalObject) {
        guard let appeal else { return }
        o.int("appealPosition", appeal.position)
        o.time("appealedAt", appeal.appealedAt)
        o.int("position", position)
        if let reviewedAt = appeal.reviewedAt { o.time("reviewedAt", reviewedAt) }
        o.string("status", appeal.status.rawValue)
    }
}

extension ParticipantFigures {
    /// The stored row: `CanonicalJSON.encode(storageJSON)` without a ``JSONValue`` tree.
    public var storageBytes: [UInt8] {
        var o = CanonicalObject(capacity: 192)
        o.int("disputesOpened", disputesOpened)
        o.int("disputesReceived", disputesReceived)
        o.int("filteredMessages", filteredMessages)
        o.int("ordersAsBuyer", ordersAsBuyer)
        o.int("ordersAsSeller", ordersAsSeller)
        o.int("replies", replies)
        o.string("user", user)
        return o.finish()
    }
}
