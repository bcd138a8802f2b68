// MARK: - The order view (DOMAIN.md "The order view") and its stored form

extension OrderState {
    /// The view `order.get` answers with: every field DOMAIN.md lists; unset times are `null`.
    public var viewJSON: JSONValue { json(includeInternal: false) }

    /// The stored projection row: the view plus the bookkeeping the reducers need.
    public var storageJSON: JSONValue { json(includeInternal: true) }

    func json(includeInternal: Bool) -> JSONValue {
        var o: [String: JSONValue] = [
            "order": .string(order),
            "state": .string(status.rawValue),
            "buyer": .string(buyer),
            "seller": .string(seller),
            "item": ["title": .string(itemTitle), "quantity": .int(itemQuantity)],
            "price": ["amount": .int(priceAmount), "currency": .string(currency)],
            "placedAt": .string(placedAt.rfc3339),
            "paidAt": paidAt.json,
            "deliveredAt": deliveredAt.json,
            "completedAt": completedAt.json,
            "cancelledAt": cancelledAt.json,
            "refundedAt": refundedAt.json,
            "deliveredQuantity": .int(deliveredQuantity),
            "refundedAmount": .int(refundedAmount),
            "dispute": dispute.map { $0.json(includeInternal: includeInternal) } ?? .null,
            "disputesOpened": .int(Int64(disputesOpened)),
            "messages": [
                "visible": .int(Int64(messages.visible)), "filtered": .int(Int64(messages.filtered)),
                "hidden": .int(Int64(messages.hidden)), "flagged": .int(Int64(messages.flagged)),
            ],
            "evidence": .array(evidence.map(\.json)),
            "appeals": .array(moderatedMessages.compactMap(\.appealJSON)),
            "awaitingReplyFrom": awaitingReplyFrom.map { .string($0.rawValue) } ?? .null,
            "awaitingSince": awaitingSince.json,
            "availability": .object(availability.mapValues { .string($0) }),
            "moderationFlags": .int(Int64(moderationFlags)),
            "revision": .int(Int64(revision)),
            "lastPosition": .int(Int64(lastPosition)),
            "updatedAt": .string(updatedAt.rfc3339),
        ]
        if includeInternal {
            o["filteredByUser"] = .object(filteredByUser.mapValues { .int(Int64($0)) })
            o["supportNotes"] = .int(Int64(supportNotes))
            o["moderated"] = .array(moderatedMessages.map(\.json))
        }
        return .object(o)
    }

    /// Reads a stored projection row back.
    public init(storageJSON json: JSONValue) throws(RecordDecodingError) {
        let r = try FieldReader(json, "order view")
        self.init(
            order: try r.string("order"), buyer: try r.string("buyer"), seller: try r.string("seller"),
            itemTitle: try r.object("item").string("title"), itemQuantity: try r.object("item").int("quantity"),
            priceAmount: try r.object("price").int("amount"), currency: try r.object("price").string("currency"),
            placedAt: try r.time("placedAt")
        )
        guard let status = OrderStatus(rawValue: try r.string("state")) else { throw RecordDecodingError("order view has an unknown state") }
        self.status = status
        paidAt = try r.optionalTime("paidAt")
        deliveredAt = try r.optionalTime("deliveredAt")
        completedAt = try r.optionalTime("completedAt")
        cancelledAt = try r.optionalTime("cancelledAt")
        refundedAt = try r.optionalTime("refundedAt")
        deliveredQuantity = try r.int("deliveredQuantity")
        refundedAmount = try r.int("refundedAmount")
        if let d = json["dispute"], !d.isNull { dispute = try DisputeState(json: d) }
        disputesOpened = Int(try r.int("disputesOpened"))
        let m = try r.object("messages")
        messages.visible = Int(try m.int("visible"))
        messages.filtered = Int(try m.int("filtered"))
        messages.hidden = Int(try m.int("hidden"))
        messages.flagged = Int(try m.int("flagged"))
        evidence = try r.array("evidence").map { (e) throws(RecordDecodingError) in try EvidenceItem(json: e) }
        moderatedMessages = try (json["moderated"]?.arrayValue ?? []).map { (m) throws(RecordDecodingError) in try ModeratedMessage(json: m) }
        if let role = json["awaitingReplyFrom"]?.stringValue { awaitingReplyFrom = ActorRole(rawValue: role) }
        awaitingSince = try r.optionalTime("awaitingSince")
        availability = (json["availability"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        filteredByUser = (json["filteredByUser"]?.objectValue ?? [:]).compactMapValues { $0.intValue.map(Int.init) }
        moderationFlags = Int(json["moderationFlags"]?.intValue ?? 0)
        supportNotes = Int(json["supportNotes"]?.intValue ?? 0)
        revision = UInt64(try r.int("revision"))
        lastPosition = UInt64(try r.int("lastPosition"))
        updatedAt = try r.time("updatedAt")
    }
}

extension DisputeState {
    /// The dispute as the order view shows it.
    public var viewJSON: JSONValue { json(includeInternal: false) }

    func json(includeInternal: Bool) -> JSONValue {
        var o: [String: JSONValue] = [
            "status": .string(status.rawValue),
            "reason": .string(reason),
            "requestedOutcome": .string(requestedOutcome),
            "description": .string(description),
            "openedBy": .string(openedBy.rawValue),
            "openedAt": .string(openedAt.rfc3339),
            "offers": .array(offers.map(\.json)),
            "resolution": resolution?.json ?? .null,
            "escalatedAt": escalatedAt.json,
            "closedAt": closedAt.json,
        ]
        if let amount { o["amount"] = .int(amount) }
        if let withdrawn { o["withdrawn"] = .bool(withdrawn) }
        if includeInternal { o["lastSellerActivityAt"] = .string(lastSellerActivityAt.rfc3339) }
        return .object(o)
    }

    init(json: JSONValue) throws(RecordDecodingError) {
        let r = try FieldReader(json, "dispute")
        guard let status = DisputeStatus(rawValue: try r.string("status")),
              let openedBy = ActorRole(rawValue: try r.string("openedBy"))
        else { throw RecordDecodingError("dispute has an unknown status or role") }
        let lastSeller = try r.optionalTime("lastSellerActivityAt")
        let openedAt = try r.time("openedAt")
        self.init(
            status: status, reason: try r.string("reason"), requestedOutcome: try r.string("requestedOutcome"),
            amount: json["amount"]?.intValue, description: try r.string("description"), openedBy: openedBy,
            openedAt: openedAt,
            offers: try r.array("offers").map { (o) throws(RecordDecodingError) in try DisputeOffer(json: o) },
            resolution: try json["resolution"].flatMap { (v) throws(RecordDecodingError) in v.isNull ? nil : try DisputeResolution(json: v) },
            escalatedAt: try r.optionalTime("escalatedAt"), closedAt: try r.optionalTime("closedAt"),
            withdrawn: json["withdrawn"]?.boolValue,
            lastSellerActivityAt: lastSeller ?? openedAt
        )
    }
}

extension DisputeOffer {
    var json: JSONValue {
        var o: [String: JSONValue] = [
            "revision": .int(Int64(revision)), "by": .string(by.rawValue), "outcome": .string(outcome),
            "at": .string(at.rfc3339), "status": .string(status.rawValue),
        ]
        if let amount { o["amount"] = .int(amount) }
        if let note { o["note"] = .string(note) }
        return .object(o)
    }

    init(json: JSONValue) throws(RecordDecodingError) {
        let r = try FieldReader(json, "offer")
        guard let by = ActorRole(rawValue: try r.string("by")), let status = Status(rawValue: try r.string("status")) else {
            throw RecordDecodingError("offer has an unknown role or status")
        }
        self.init(
            revision: UInt64(try r.int("revision")), by: by, outcome: try r.string("outcome"),
            amount: json["amount"]?.intValue, note: json["note"]?.stringValue, at: try r.time("at"), status: status
        )
    }
}

extension DisputeResolution {
    var json: JSONValue {
        var o: [String: JSONValue] = ["outcome": .string(outcome), "by": .string(by), "at": .string(at.rfc3339)]
        if let amount { o["amount"] = .int(amount) }
        if let note { o["note"] = .string(note) }
        return .object(o)
    }

    init(json: JSONValue) throws(RecordDecodingError) {
        let r = try FieldReader(json, "resolution")
        self.init(
            outcome: try r.string("outcome"), amount: json["amount"]?.intValue, note: json["note"]?.stringValue,
            by: try r.string("by"), at: try r.time("at")
        )
    }
}

extension EvidenceItem {
    var json: JSONValue {
        var o: [String: JSONValue] = [
            "position": .int(Int64(position)), "sha256": .string(sha256), "filename": .string(filename), "mediaType": .string(mediaType),
            "size": .int(size), "by": .string(by.rawValue), "byId": .string(byId), "at": .string(at.rfc3339),
            "channel": .string(channel),
        ]
        if let description { o["description"] = .string(description) }
        return .object(o)
    }

    init(json: JSONValue) throws(RecordDecodingError) {
        let r = try FieldReader(json, "evidence")
        guard let by = ActorRole(rawValue: try r.string("by")) else { throw RecordDecodingError("evidence has an unknown role") }
        self.init(
            position: UInt64(try r.int("position")), sha256: try r.string("sha256"), filename: try r.string("filename"), mediaType: try r.string("mediaType"),
            size: try r.int("size"), by: by, byId: try r.string("byId"), at: try r.time("at"),
            channel: try r.string("channel"), description: json["description"]?.stringValue
        )
    }
}

extension ModeratedMessage {
    /// The stored form (``OrderState/storageJSON``'s `moderated`).
    var json: JSONValue {
        var o: [String: JSONValue] = [
            "position": .int(Int64(position)), "verdict": .string(verdict.rawValue), "rules": .array(rules.map { .string($0) }),
            "author": author.json, "at": .string(at.rfc3339),
        ]
        if let appeal {
            var a: [String: JSONValue] = [
                "position": .int(Int64(appeal.position)), "appealedAt": .string(appeal.appealedAt.rfc3339), "status": .string(appeal.status.rawValue),
            ]
            if let p = appeal.reviewPosition { a["reviewPosition"] = .int(Int64(p)) }
            if let t = appeal.reviewedAt { a["reviewedAt"] = .string(t.rfc3339) }
            o["appeal"] = .object(a)
        }
        return .object(o)
    }

    /// The order view's `appeals` entry, when the message was appealed.
    var appealJSON: JSONValue? {
        guard let appeal else { return nil }
        var o: [String: JSONValue] = [
            "position": .int(Int64(position)), "appealPosition": .int(Int64(appeal.position)),
            "appealedAt": .string(appeal.appealedAt.rfc3339), "status": .string(appeal.status.rawValue),
        ]
        if let t = appeal.reviewedAt { o["reviewedAt"] = .string(t.rfc3339) }
        return .object(o)
    }

    init(json: JSONValue) throws(RecordDecodingError) {
        let r = try FieldReader(json, "moderated message")
        let author = try r.object("author")
        guard let verdict = ModerationVerdictKind(rawValue: try r.string("verdict")),
              let role = ActorRole(rawValue: try author.string("role"))
        else { throw RecordDecodingError("moderated message has an unknown verdict or role") }
        var appeal: Appeal?
        if let a = json["appeal"] {
            let ar = try FieldReader(a, "appeal")
            guard let status = Appeal.Status(rawValue: try ar.string("status")) else { throw RecordDecodingError("appeal has an unknown status") }
            appeal = Appeal(
                position: UInt64(try ar.int("position")), appealedAt: try ar.time("appealedAt"), status: status,
                reviewPosition: a["reviewPosition"]?.intValue.map { UInt64($0) }, reviewedAt: try ar.optionalTime("reviewedAt")
            )
        }
        self.init(
            position: UInt64(try r.int("position")), verdict: verdict, rules: try r.array("rules").compactMap(\.stringValue),
            author: Actor(role: role, id: try author.string("id")), at: try r.time("at"), appeal: appeal
        )
    }
}

extension Optional where Wrapped == Timestamp {
    /// The RFC 3339 text, or `null`.
    var json: JSONValue { map { .string($0.rfc3339) } ?? .null }
}

/// Typed access to the members of a stored object, failing with a clear message.
struct FieldReader {
    let members: [String: JSONValue]
    let what: String

    init(_ value: JSONValue, _ what: String) throws(RecordDecodingError) {
        guard let members = value.objectValue else { throw RecordDecodingError("\(what) is not an object") }
        self.members = members
        self.what = what
    }

    func string(_ key: String) throws(RecordDecodingError) -> String {
        guard let s = members[key]?.stringValue else { throw RecordDecodingError("\(what) lacks the string \(key)") }
        return s
    }

    func int(_ key: String) throws(RecordDecodingError) -> Int64 {
        guard let i = members[key]?.intValue else { throw RecordDecodingError("\(what) lacks the integer \(key)") }
        return i
    }

    func object(_ key: String) throws(RecordDecodingError) -> FieldReader {
        guard let v = members[key] else { throw RecordDecodingError("\(what) lacks the object \(key)") }
        return try FieldReader(v, "\(what).\(key)")
    }

    func array(_ key: String) throws(RecordDecodingError) -> [JSONValue] {
        guard let a = members[key]?.arrayValue else { throw RecordDecodingError("\(what) lacks the array \(key)") }
        return a
    }

    func time(_ key: String) throws(RecordDecodingError) -> Timestamp {
        guard let t = try optionalTime(key) else { throw RecordDecodingError("\(what) lacks the time \(key)") }
        return t
    }

    func optionalTime(_ key: String) throws(RecordDecodingError) -> Timestamp? {
        guard let v = members[key], !v.isNull else { return nil }
        guard let s = v.stringValue, let t = Timestamp(rfc3339: s) else { throw RecordDecodingError("\(what).\(key) is not an RFC 3339 time") }
        return t
    }
}
