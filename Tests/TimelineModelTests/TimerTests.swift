import TestSupport
import Testing
import TimelineModel

@Suite("Timers derived from the order state")
struct TimerTests {
    let settings = TimerSettings()

    func timers(_ r: Replay, _ settings: TimerSettings = TimerSettings()) -> [String] {
        (r.state?.timers(settings) ?? []).map { "\($0.kind.rawValue)@\($0.due.rfc3339)" }
    }

    @Test("placed and paid orders have no timers")
    func none() throws {
        #expect(timers(try Replay.placed()).isEmpty)
        #expect(timers(try Replay.paid()).isEmpty)
    }

    @Test("a delivered order without a dispute auto-confirms 96 hours after delivery")
    func autoConfirm() throws {
        let r = try Replay.delivered()
        #expect(timers(r) == ["auto_confirm@2026-11-30T15:03:00.000000Z"])
        #expect(timers(r, TimerSettings(autoEscalateHours: 1, autoConfirmHours: 2)) == ["auto_confirm@2026-11-26T17:03:00.000000Z"])
    }

    @Test("an open dispute auto-escalates 24 hours after it opened, and blocks auto-confirm")
    func autoEscalate() throws {
        let r = try Replay.disputed()
        #expect(timers(r) == ["auto_escalate@2026-11-27T15:04:00.000000Z"])
    }

    @Test("a message or an offer from the seller resets the escalation timer; the buyer's and support's do not")
    func sellerActivityResets() throws {
        var r = try Replay.disputed()
        try r.append(r.script.chat("hello?", by: r.script.buyer), advance: 3600)
        try r.append(r.script.chat("we are on it", by: r.script.support), advance: 3600)
        #expect(timers(r) == ["auto_escalate@2026-11-27T15:04:00.000000Z"])
        let message = try r.append(r.script.chat("checking", by: r.script.seller), advance: 3600)
        #expect(timers(r) == ["auto_escalate@\(message.recordedAt.adding(hours: 24).rfc3339)"])
        let offer = try r.append(r.script.offer(by: r.script.seller, outcome: "deliver_missing"), advance: 7200)
        #expect(timers(r) == ["auto_escalate@\(offer.recordedAt.adding(hours: 24).rfc3339)"])
    }

    @Test("the seller declining the buyer's offer is neither a message nor an offer: the escalation timer keeps running")
    func sellerDeclineDoesNotReset() throws {
        var r = try Replay.disputed()
        let offer = try r.append(r.script.offer(by: r.script.buyer, outcome: "full_refund"), advance: 3600)
        try r.append(r.script.decline(by: r.script.seller, offerRevision: offer.revision), advance: 3600)
        #expect(r.state?.dispute?.offers.last?.status == .declined)
        #expect(timers(r) == ["auto_escalate@2026-11-27T15:04:00.000000Z"])
    }

    @Test("timer and flag eventIds stay valid eventIds for 128-character order ids and non-ASCII user ids, and are deterministic")
    func daemonEventIdsStayValid() throws {
        #expect(Identifiers.daemonEventId(prefix: "timer:auto_confirm:", "A-1", "7") == "timer:auto_confirm:A-1:7")
        let longOrder = String(repeating: "L", count: 128)
        let long = Identifiers.daemonEventId(prefix: "timer:auto_confirm:", longOrder, "12")
        #expect(Identifiers.isValidEventId(long))
        #expect(long.hasPrefix("timer:auto_confirm:") && long.count == 19 + 64)
        #expect(long == Identifiers.daemonEventId(prefix: "timer:auto_confirm:", longOrder, "12"))
        #expect(long != Identifiers.daemonEventId(prefix: "timer:auto_confirm:", longOrder, "13"))
        let accented = Identifiers.daemonEventId(prefix: "moderation.flagged:", "A-1", "sé", "3")
        #expect(Identifiers.isValidEventId(accented))
        #expect(accented.hasPrefix("moderation.flagged:"))

        var r = Replay(OrderScript(order: longOrder))
        try r.append(r.script.placed())
        try r.append(r.script.paid())
        try r.append(r.script.delivered())
        let event = try #require(r.state).timerEvent(.autoConfirm)
        #expect(Identifiers.isValidEventId(event.eventId))
        try r.append(event, origin: .daemon)
        #expect(r.state?.status == .completed)
    }

    @Test("an escalated dispute has no escalation timer and still blocks auto-confirm")
    func escalatedNoTimer() throws {
        var r = try Replay.disputed()
        try r.append(r.script.escalated())
        #expect(timers(r).isEmpty)
    }

    @Test("after a dispute is resolved or closed, auto-confirm counts from that moment")
    func afterDispute() throws {
        var r = try Replay.disputed()
        let resolved = try r.append(r.script.resolved(outcome: "deliver_missing"), advance: 3600)
        #expect(timers(r) == ["auto_confirm@\(resolved.recordedAt.adding(hours: 96).rfc3339)"])
        let closed = try r.append(r.script.disputeClosed(by: r.script.support), advance: 3600)
        #expect(timers(r) == ["auto_confirm@\(closed.recordedAt.adding(hours: 96).rfc3339)"])
    }

    @Test("completed, cancelled and refunded orders have no timers")
    func finished() throws {
        var completed = try Replay.delivered()
        try completed.append(completed.script.confirmed())
        #expect(timers(completed).isEmpty)
        var refunded = try Replay.delivered()
        try refunded.append(refunded.script.refund(10_000))
        #expect(timers(refunded).isEmpty)
    }

    @Test("the timer event names its rule, is valid from the daemon, and does what the rule says")
    func timerEvents() throws {
        var disputed = try Replay.disputed()
        let escalate = try #require(disputed.state).timerEvent(.autoEscalate)
        #expect(escalate.type == "dispute.escalated")
        #expect(escalate.actor == .daemon)
        #expect(escalate.data == ["rule": "auto_escalate"])
        #expect(escalate.eventId == "timer:auto_escalate:A-1:3")
        try disputed.append(escalate, origin: .daemon)
        #expect(disputed.state?.dispute?.status == .escalated)

        var delivered = try Replay.delivered()
        let confirm = try #require(delivered.state).timerEvent(.autoConfirm)
        #expect(confirm.type == "order.completed")
        #expect(confirm.data == ["rule": "auto_confirm"])
        #expect(confirm.eventId == "timer:auto_confirm:A-1:2")
        try delivered.append(confirm, origin: .daemon)
        #expect(delivered.state?.status == .completed)
    }
}

@Suite("Participant figures")
struct ParticipantFiguresTests {
    @Test("effects of an order's events land on the right users")
    func effects() throws {
        var r = try Replay.paid()
        try r.append(r.script.chat("hi"), advance: 10)
        try r.append(r.script.chat("hello", by: r.script.seller), advance: 30)
        try r.append(r.script.chat("psst", by: r.script.seller), moderation: ModerationVerdict(verdict: .filtered, rules: ["x"]))
        try r.append(r.script.disputeOpened(reason: "not_delivered", outcome: "full_refund"))
        var figures: [String: ParticipantFigures] = [:]
        for effect in r.effects {
            let user = ParticipantFigures.user(of: effect)
            figures[user, default: ParticipantFigures(user: user)].apply(effect)
        }
        let buyer = try #require(figures["u-buyer"])
        let seller = try #require(figures["u-seller"])
        #expect((buyer.ordersAsBuyer, buyer.ordersAsSeller, buyer.disputesOpened, buyer.disputesReceived) == (1, 0, 1, 0))
        #expect((seller.ordersAsBuyer, seller.ordersAsSeller, seller.disputesOpened, seller.disputesReceived) == (0, 1, 0, 1))
        #expect(seller.filteredMessages == 1)
        #expect(buyer.filteredMessages == 0)
        #expect(seller.replies == 1)
        #expect(buyer.replies == 0)
        // The reply time travels in the effect; the store keeps the times in their own table.
        #expect(r.effects.contains(.reply(user: "u-seller", microseconds: 30_000_000)))
    }

    @Test("the median reply time is the middle of the recent times, even or odd, and nil before any")
    func median() {
        var f = ParticipantFigures(user: "u")
        #expect(f.medianReplySeconds == nil)
        f.recentReplyMicroseconds = [10_000_000, 30_000_000, 20_000_000]
        #expect(f.medianReplySeconds == 20)
        f.recentReplyMicroseconds.append(40_000_000)
        #expect(f.medianReplySeconds == 25)
        f.apply(.reply(user: "u", microseconds: 5))
        #expect(f.replies == 1)
    }

    @Test("the stored form reads back equal")
    func storage() throws {
        var f = ParticipantFigures(user: "u-1")
        f.apply(.orderAsBuyer(user: "u-1"))
        f.apply(.filteredMessage(user: "u-1"))
        f.apply(.reply(user: "u-1", microseconds: 5))
        let back = try ParticipantFigures(storageJSON: JSONParser.parse(CanonicalJSON.encode(f.storageJSON)))
        #expect(back == f)
        #expect(f.viewJSON["recentReplyMicroseconds"] == nil)
    }
}
