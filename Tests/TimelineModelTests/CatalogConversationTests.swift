import TestSupport
import Testing
import TimelineModel

/// DOMAIN.md's catalog, the conversation rows, plus the checks every row shares.
@Suite("Catalog: conversation rows and shared checks")
struct CatalogConversationTests {
    // MARK: chat.message — buyer, seller, support; order exists; dispute channel needs a dispute

    @Test("chat.message from buyer, seller and support is accepted on the order channel and counted visible")
    func chat() throws {
        var r = try Replay.placed()
        expectAccepted(&r, r.script.chat("hello", by: r.script.buyer))
        expectAccepted(&r, r.script.chat("hi, paying?", by: r.script.seller))
        expectAccepted(&r, r.script.chat("support here", by: r.script.support))
        #expect(r.state?.messages.visible == 3)
    }

    @Test("chat.message on an order that does not exist is invalid_transition in state none")
    func chatNoOrder() {
        var r = Replay()
        expectInvalidTransition(r.refusal(r.script.chat("hello?")), state: "none", reason: "does not exist yet")
    }

    @Test("the dispute channel needs a dispute that is not closed")
    func disputeChannel() throws {
        var r = try Replay.delivered()
        expectInvalidTransition(r.refusal(r.script.chat("about the dispute", channel: "dispute")), state: "delivered", reason: "needs an open dispute")
        try r.append(r.script.disputeOpened())
        expectAccepted(&r, r.script.chat("about the dispute", channel: "dispute"))
        try r.append(r.script.resolved(outcome: "deliver_missing"))
        expectAccepted(&r, r.script.chat("thanks", by: r.script.seller, channel: "dispute"))
        try r.append(r.script.disputeClosed(withdrawn: false))
        expectInvalidTransition(r.refusal(r.script.chat("one more", channel: "dispute")), state: "delivered", reason: "needs an open dispute")
        expectAccepted(&r, r.script.chat("one more", channel: "order"))
    }

    @Test("chat.message text is 1–10000 characters and the channel one of order, dispute")
    func chatSchema() throws {
        var r = try Replay.placed()
        expectInvalidEvent(r.refusal(r.script.chat("")), field: "data.text")
        expectInvalidEvent(r.refusal(r.script.chat(String(repeating: "a", count: 10_001))), field: "data.text")
        #expect(r.refusal(r.script.chat(String(repeating: "a", count: 10_000))) == nil)
        // Characters, not bytes: 10000 two-byte characters are fine.
        #expect(r.refusal(r.script.chat(String(repeating: "é", count: 10_000))) == nil)
        expectInvalidEvent(r.refusal(r.script.chat("psst", channel: "private")), field: "data.channel")
        expectInvalidEvent(r.refusal(r.script.event("chat.message", by: r.script.buyer, ["channel": "order", "text": 42])), field: "data.text")
    }

    @Test("chat.message by system is invalid_event; by another user in a party role is invalid_event on actor.id")
    func chatWrongActor() throws {
        var r = try Replay.placed()
        expectInvalidEvent(r.refusal(r.script.chat("beep", by: Actor.daemon)), field: "actor.role")
        expectInvalidEvent(r.refusal(r.script.chat("I am the buyer", by: Actor(role: .buyer, id: "u-impostor"))), field: "actor.id")
        expectInvalidEvent(r.refusal(r.script.chat("I am the seller", by: Actor(role: .seller, id: "u-buyer"))), field: "actor.id")
    }

    @Test("a message the other party owes an answer to sets awaitingReplyFrom; the answer flips it")
    func awaitingReply() throws {
        var r = try Replay.paid()
        let ask = try r.append(r.script.chat("when?", by: r.script.buyer))
        #expect(r.state?.awaitingReplyFrom == .seller)
        #expect(r.state?.awaitingSince == ask.recordedAt)
        try r.append(r.script.chat("and?", by: r.script.buyer), advance: 30)
        #expect(r.state?.awaitingSince == ask.recordedAt)
        try r.append(r.script.chat("support sees this", by: r.script.support))
        #expect(r.state?.awaitingReplyFrom == .seller)
        let answer = try r.append(r.script.chat("tonight", by: r.script.seller), advance: 600)
        #expect(r.state?.awaitingReplyFrom == .buyer)
        #expect(r.state?.awaitingSince == answer.recordedAt)
        #expect(r.effects.contains(.reply(user: "u-seller", microseconds: answer.recordedAt.microseconds - ask.recordedAt.microseconds)))
    }

    @Test("filtered and hidden messages are counted apart and do not make anyone owe a reply")
    func verdicts() throws {
        var r = try Replay.paid()
        try r.append(r.script.chat("mail me at x@y.z"), moderation: ModerationVerdict(verdict: .filtered, rules: ["contact.email"]))
        try r.append(r.script.chat(String(repeating: "spam ", count: 400)), moderation: ModerationVerdict(verdict: .hidden, rules: ["length"]))
        #expect(r.state?.awaitingReplyFrom == nil)
        try r.append(r.script.chat("just close the dispute"), moderation: ModerationVerdict(verdict: .flagged, rules: ["pressure"]))
        #expect(r.state?.awaitingReplyFrom == .seller)
        let counts = try #require(r.state?.messages)
        #expect((counts.visible, counts.filtered, counts.hidden, counts.flagged) == (1, 1, 1, 1))
        #expect(r.state?.filteredByUser["u-buyer"] == 1)
        #expect(r.effects.contains(.filteredMessage(user: "u-buyer")))
    }

    // MARK: evidence.attached — buyer, seller, support, only via evidence.put

    @Test("evidence.attached through evidence.put lists the evidence in the view")
    func evidence() throws {
        var r = try Replay.delivered()
        let sha = String(repeating: "ab", count: 32)
        expectAccepted(&r, r.script.evidence(sha256: sha, size: 2048, by: r.script.seller), origin: .evidencePut)
        let item = try #require(r.state?.evidence.first)
        #expect(item.sha256 == sha)
        #expect(item.size == 2048)
        #expect(item.by == .seller)
        #expect(item.channel == "order")
        #expect(r.view["evidence"]?.arrayValue?.first?["filename"] == "screenshot.png")
    }

    @Test("evidence.attached through append is invalid_event naming evidence.put")
    func evidenceViaAppend() throws {
        var r = try Replay.delivered()
        let error = r.refusal(r.script.evidence(sha256: String(repeating: "ab", count: 32), size: 1), origin: .client)
        expectInvalidEvent(error, field: "type")
        #expect(error?.message.contains("evidence.put") == true)
    }

    @Test("evidence.attached data: a lower-case SHA-256, a size, a filename, the dispute channel only with a dispute")
    func evidenceSchema() throws {
        var r = try Replay.delivered()
        let sha = String(repeating: "ab", count: 32)
        expectInvalidEvent(r.refusal(r.script.evidence(sha256: "abc", size: 1), origin: .evidencePut), field: "data.sha256")
        expectInvalidEvent(r.refusal(r.script.evidence(sha256: sha.uppercased(), size: 1), origin: .evidencePut), field: "data.sha256")
        expectInvalidEvent(r.refusal(r.script.evidence(sha256: sha, size: 1, filename: ""), origin: .evidencePut), field: "data.filename")
        expectInvalidEvent(r.refusal(r.script.evidence(sha256: sha, size: 1, by: Actor.daemon), origin: .evidencePut), field: "actor.role")
        expectInvalidTransition(r.refusal(r.script.evidence(sha256: sha, size: 1, channel: "dispute"), origin: .evidencePut), state: "delivered")
    }

    // MARK: participant.availability — buyer, seller, support; order exists

    @Test("participant.availability records until per role")
    func availability() throws {
        var r = try Replay.paid()
        expectAccepted(&r, r.script.availability(by: r.script.seller, until: "2026-11-28T09:00:00Z"))
        expectAccepted(&r, r.script.availability(by: r.script.support, until: "2026-11-27T09:00:00+01:00"))
        #expect(r.state?.availability == ["seller": "2026-11-28T09:00:00Z", "support": "2026-11-27T09:00:00+01:00"])
    }

    @Test("participant.availability needs an RFC 3339 until and a short note; system may not send it")
    func availabilitySchema() throws {
        var r = try Replay.paid()
        expectInvalidEvent(r.refusal(r.script.availability(until: "tomorrow")), field: "data.until")
        expectInvalidEvent(r.refusal(r.script.availability(note: String(repeating: "x", count: 1001))), field: "data.note")
        expectInvalidEvent(r.refusal(r.script.availability(by: Actor.daemon)), field: "actor.role")
        var none = Replay()
        expectInvalidTransition(none.refusal(none.script.availability()), state: "none")
    }

    // MARK: support.note — support; order exists

    @Test("support.note is for support only and never appears in the view")
    func supportNote() throws {
        var r = try Replay.paid()
        expectAccepted(&r, r.script.supportNote("buyer has 3 earlier disputes"))
        #expect(r.state?.supportNotes == 1)
        #expect(!CanonicalJSON.string(r.view).contains("earlier disputes"))
        #expect(r.view["supportNotes"] == nil)
        expectInvalidEvent(r.refusal(r.script.event("support.note", by: r.script.buyer, ["text": "note to self"])), field: "actor.role")
    }

    // MARK: moderation.flagged — system, daemon only

    @Test("moderation.flagged from the daemon is recorded; from a client it is invalid_event")
    func moderationFlagged() throws {
        var r = try Replay.paid()
        let flag = r.script.event("moderation.flagged", by: .daemon, ["rule": "flag_after_filtered", "actorId": "u-buyer", "count": 3])
        let error = r.refusal(flag, origin: .client)
        expectInvalidEvent(error, field: "type")
        #expect(error?.message.contains("daemon") == true)
        expectAccepted(&r, flag, origin: .daemon)
        #expect(r.state?.moderationFlags == 1)
        let bySupport = r.script.event("moderation.flagged", by: r.script.support, ["rule": "x", "actorId": "u-buyer", "count": 1])
        expectInvalidEvent(r.refusal(bySupport, origin: .daemon), field: "actor.role")
    }

    // MARK: - Shared checks

    @Test("an unknown type is invalid_event on type, listing the known types")
    func unknownType() throws {
        var r = try Replay.paid()
        let error = r.refusal(r.script.event("order.teleported", by: r.script.buyer))
        expectInvalidEvent(error, field: "type")
        #expect(error?.message.contains("chat.message") == true)
    }

    @Test("data that is not an object is invalid_event on data")
    func dataNotObject() throws {
        var r = try Replay.paid()
        expectInvalidEvent(r.refusal(r.script.event("order.cancelled", by: r.script.support, ["reason", "x"])), field: "data")
    }

    @Test("an unknown data field is invalid_event naming it")
    func unknownField() throws {
        var r = try Replay.paid()
        let e = r.script.event("chat.message", by: r.script.buyer, ["channel": "order", "text": "hi", "urgent": true])
        let error = r.refusal(e)
        expectInvalidEvent(error, field: "data.urgent")
        #expect(error?.message.contains("allowed: channel, text") == true)
    }

    @Test("fractional numbers are invalid_event wherever an integer is expected", arguments: [
        ("delivery.marked", ["quantity": .double(1.5)]), ("refund.issued", ["amount": .double(10.01)]),
        ("refund.issued", ["amount": .double(100.0)]), ("dispute.offer.accepted", ["offerRevision": .double(3.5)]),
    ] as [(String, JSONValue)])
    func fractional(type: String, data: JSONValue) throws {
        var r = try Replay.paid(quantity: 3)
        let actor = type == "delivery.marked" ? r.script.seller : type == "refund.issued" ? r.script.support : r.script.buyer
        let error = r.refusal(r.script.event(type, by: actor, data))
        expectInvalidEvent(error, field: "data.\(data.objectValue!.keys.first!)")
        #expect(error?.message.contains("must be an integer") == true)
    }

    @Test("null for an optional field counts as absent and is not recorded, for a required field as missing")
    func nulls() throws {
        var r = try Replay.paid()
        #expect(r.refusal(r.script.event("delivery.marked", by: r.script.seller, ["quantity": 1, "note": nil])) == nil)
        let delivered = try r.append(r.script.event("delivery.marked", by: r.script.seller, ["quantity": 1, "note": nil]))
        #expect(delivered.data == ["quantity": 1], "the recorded event omits the null field (DOMAIN.md: never null)")
        let placed = EventInput(eventId: "e", type: "order.placed", actor: r.script.buyer, data: ["item": ["title": "x", "quantity": 1, "note": nil], "list": [nil]])
        #expect(placed.data == ["item": ["title": "x", "quantity": 1], "list": [nil]], "nested object members too; array elements are kept")
        expectInvalidEvent(r.refusal(r.script.event("order.cancelled", by: r.script.support, ["reason": nil])), field: "data.reason")
    }

    @Test("the index detail is the event's place in its batch")
    func index() throws {
        var r = try Replay.paid()
        let error = r.refusal(r.script.event("order.teleported", by: r.script.buyer), index: 7)
        expectInvalidEvent(error, field: "type", index: 7)
        var s = try Replay.placed()
        expectInvalidTransition(s.refusal(s.script.delivered(), index: 4), state: "placed", index: 4)
    }

    @Test("every catalog type has a rule and the table lists the documented types")
    func table() {
        #expect(Catalog.types == [
            "chat.message", "delivery.confirmed", "delivery.marked", "dispute.closed", "dispute.escalated", "dispute.offer",
            "dispute.offer.accepted", "dispute.offer.declined", "dispute.opened", "dispute.resolved", "evidence.attached",
            "moderation.appealed", "moderation.flagged", "moderation.reviewed", "order.cancelled", "order.completed", "order.paid",
            "order.placed", "participant.availability", "redaction.applied", "refund.issued", "support.note",
        ])
    }

    @Test("the wire error object carries code, message and details")
    func errorJSON() throws {
        var r = try Replay.placed()
        let error = try #require(r.refusal(r.script.delivered()))
        let json = error.json
        #expect(json["code"] == "invalid_transition")
        #expect(json["state"] == "placed")
        #expect(json["index"] == 0)
        #expect(json["reason"] == json["message"])
    }
}
