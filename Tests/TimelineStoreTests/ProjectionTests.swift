import TestSupport
import Testing
import TimelineModel
import TimelineStore

@Suite("Store: projections, queries, time travel, rebuild")
struct ProjectionTests {
    @Test("the stored order view after a dispute scenario matches the fold of its events")
    func orderView() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1", quantity: 3, price: 9_000)
        try h.append("A-1", [a.placed(), a.paid()])
        h.clock.advance(hours: 1)
        try h.append("A-1", [a.delivered(quantity: 2)])
        h.clock.advance(hours: 1)
        try h.append("A-1", [a.disputeOpened(reason: "incomplete", outcome: "deliver_missing"), a.chat("one is missing", channel: "dispute")])
        h.clock.advance(minutes: 30)
        let offer = try h.append("A-1", [a.offer(by: a.seller, outcome: "deliver_missing")])
        try h.append("A-1", [a.accept(by: a.buyer, offerRevision: offer.events[0].revision), a.delivered(quantity: 1)])
        let state = try #require(try h.store.order("A-1"))
        #expect(state == Catalog.fold(try h.store.orderEvents("A-1")))
        let view = state.viewJSON
        #expect(view["state"] == "delivered")
        #expect(view["deliveredQuantity"] == 3)
        #expect(view["dispute"]?["status"] == "resolved")
        #expect(view["dispute"]?["resolution"]?["by"] == "agreement")
        #expect(view["messages"]?["visible"] == 1)
        #expect(view["awaitingReplyFrom"] == "seller")
        #expect(view["revision"] == 7)
        #expect(view["lastPosition"] == 8)
        #expect(view["placedAt"] == .string(TestClock.defaultStart.rfc3339))
        #expect(try h.store.order("nope") == nil)
    }

    /// Seven orders O-1…O-7 bought by u-a from two sellers; O-2, O-4, O-6 paid.
    func sevenOrders() throws -> StoreHarness {
        let h = try StoreHarness()
        for i in 1...7 {
            var s = OrderScript(order: "O-\(i)", buyer: "u-a", seller: i % 2 == 0 ? "u-even" : "u-odd")
            try h.append(s.order, i % 2 == 0 ? [s.placed(), s.paid()] : [s.placed()])
        }
        var other = OrderScript(order: "X-1", buyer: "u-ab", seller: "u-odd")
        try h.append("X-1", [other.placed()])
        return h
    }

    @Test("orders by participant page through with after, in order-id order")
    func byParticipant() throws {
        let h = try sevenOrders()
        let first = try h.store.orders(participant: "u-a", state: nil, limit: 3, after: nil)
        #expect(first.orders.map(\.order) == ["O-1", "O-2", "O-3"])
        #expect(first.after == "O-3")
        let second = try h.store.orders(participant: "u-a", state: nil, limit: 3, after: first.after)
        #expect(second.orders.map(\.order) == ["O-4", "O-5", "O-6"])
        let third = try h.store.orders(participant: "u-a", state: nil, limit: 3, after: second.after)
        #expect(third.orders.map(\.order) == ["O-7"])
        #expect(third.after == nil)
        // A user id that is a prefix of another does not match the other's orders.
        #expect(try h.store.orders(participant: "u-ab", state: nil, limit: 100, after: nil).orders.map(\.order) == ["X-1"])
        #expect(try h.store.orders(participant: "u-even", state: nil, limit: 100, after: nil).orders.map(\.order) == ["O-2", "O-4", "O-6"])
        #expect(try h.store.orders(participant: "u-odd", state: nil, limit: 100, after: nil).orders.map(\.order) == ["O-1", "O-3", "O-5", "O-7", "X-1"])
        #expect(try h.store.orders(participant: "u-nobody", state: nil, limit: 100, after: nil).orders.isEmpty)
    }

    @Test("orders by state follow state changes, page with after, and combine with a participant")
    func byState() throws {
        let h = try sevenOrders()
        let paid = try h.store.orders(participant: nil, state: .paid, limit: 2, after: nil)
        #expect(paid.orders.map(\.order) == ["O-2", "O-4"])
        #expect(try h.store.orders(participant: nil, state: .paid, limit: 2, after: paid.after).orders.map(\.order) == ["O-6"])
        #expect(try h.store.orders(participant: nil, state: .placed, limit: 100, after: nil).orders.map(\.order) == ["O-1", "O-3", "O-5", "O-7", "X-1"])
        var s = OrderScript(order: "O-1", buyer: "u-a", seller: "u-odd")
        _ = s.placed()
        try h.append("O-1", [s.paid()])
        #expect(try h.store.orders(participant: nil, state: .placed, limit: 100, after: nil).orders.map(\.order) == ["O-3", "O-5", "O-7", "X-1"])
        #expect(try h.store.orders(participant: nil, state: .paid, limit: 100, after: nil).orders.map(\.order) == ["O-1", "O-2", "O-4", "O-6"])
        #expect(try h.store.orders(participant: "u-odd", state: .placed, limit: 100, after: nil).orders.map(\.order) == ["O-3", "O-5", "O-7", "X-1"])
        let all = try h.store.orders(participant: nil, state: nil, limit: 5, after: nil)
        #expect(all.orders.map(\.order) == ["O-1", "O-2", "O-3", "O-4", "O-5"])
        #expect(try h.store.orders(participant: nil, state: nil, limit: 5, after: all.after).orders.map(\.order) == ["O-6", "O-7", "X-1"])
    }

    @Test("the dispute queue lists disputes oldest first with slaBreached from the injected clock")
    func disputeQueue() throws {
        let h = try StoreHarness()
        // Z opens first, then M, then A: the queue must follow time, not ids.
        for id in ["Z-9", "M-5", "A-1"] {
            var s = OrderScript(order: id, buyer: "u-\(id)", seller: "u-s")
            try h.append(id, [s.placed(), s.paid(), s.disputeOpened(reason: "not_delivered", outcome: "full_refund")])
            h.clock.advance(hours: 10)
        }
        // Now 30 h after Z opened, 20 h after M, 10 h after A. Escalate M; resolve A.
        var m = OrderScript(order: "M-5", buyer: "u-M-5", seller: "u-s")
        m.built = 3
        try h.append("M-5", [m.escalated(by: m.seller)])
        var a = OrderScript(order: "A-1", buyer: "u-A-1", seller: "u-s")
        a.built = 3
        try h.append("A-1", [a.resolved(outcome: "full_refund")])
        let now = h.clock.now
        let queue = try h.store.disputes(status: nil, limit: 100, now: now)
        #expect(queue.map(\.order.order) == ["Z-9", "M-5", "A-1"])
        #expect(queue.map(\.slaBreached) == [true, false, false])
        let later = try h.store.disputes(status: nil, limit: 100, now: now.adding(hours: 5))
        #expect(later.map(\.slaBreached) == [true, true, false])
        #expect(try h.store.disputes(status: .open, limit: 100, now: now).map(\.order.order) == ["Z-9"])
        #expect(try h.store.disputes(status: .escalated, limit: 100, now: now).map(\.order.order) == ["M-5"])
        #expect(try h.store.disputes(status: .resolved, limit: 100, now: now).map(\.order.order) == ["A-1"])
        #expect(try h.store.disputes(status: nil, limit: 2, now: now).map(\.order.order) == ["Z-9", "M-5"])
    }

    @Test("participant figures count orders as buyer and seller, disputes opened and received, and replies")
    func participants() throws {
        let h = try StoreHarness()
        var one = OrderScript(order: "P-1", buyer: "u-alice", seller: "u-bob")
        var two = OrderScript(order: "P-2", buyer: "u-carol", seller: "u-alice")
        try h.append("P-1", [one.placed(), one.paid(), one.chat("hi bob", by: one.buyer)])
        h.clock.advance(seconds: 90)
        try h.append("P-1", [one.chat("hi alice", by: one.seller)])
        try h.append("P-2", [two.placed(), two.paid(), two.disputeOpened(reason: "not_delivered", outcome: "full_refund")])
        try h.append("P-1", [one.disputeOpened(reason: "other", outcome: "correct_item")])
        let alice = try #require(try h.store.participant("u-alice"))
        #expect((alice.ordersAsBuyer, alice.ordersAsSeller, alice.disputesOpened, alice.disputesReceived) == (1, 1, 1, 1))
        let bob = try #require(try h.store.participant("u-bob"))
        #expect((bob.ordersAsBuyer, bob.ordersAsSeller, bob.disputesOpened, bob.disputesReceived) == (0, 1, 0, 1))
        #expect(bob.replies == 1)
        #expect(bob.medianReplySeconds == 90)
        #expect(try h.store.participant("u-carol")?.disputesOpened == 1)
        // Two more answers from bob, after 30 s and 10 min: the median of 90, 30 and 600 is 90; a fourth of 60 makes it 75.
        h.clock.advance(seconds: 5)
        try h.append("P-1", [one.chat("?", by: one.buyer, channel: "dispute")])
        h.clock.advance(seconds: 30)
        try h.append("P-1", [one.chat("!", by: one.seller, channel: "dispute")])
        try h.append("P-1", [one.chat("??", by: one.buyer, channel: "dispute")])
        h.clock.advance(seconds: 600)
        try h.append("P-1", [one.chat("!!", by: one.seller, channel: "dispute")])
        #expect(try h.store.participant("u-bob")?.medianReplySeconds == 90)
        try h.append("P-1", [one.chat("???", by: one.buyer, channel: "dispute")])
        h.clock.advance(seconds: 60)
        try h.append("P-1", [one.chat("!!!", by: one.seller, channel: "dispute")])
        #expect(try h.store.participant("u-bob")?.medianReplySeconds == 75)
        #expect(try h.store.participant("u-bob")?.replies == 4)
        #expect(try h.store.participant("u-nobody") == nil)
    }

    /// The moderation engine is still a stub that delivers everything, so no
    /// message is filtered yet; once it lands, a filtered message must raise
    /// `filteredMessages` for its author (the model test covers the effect).
    @Test("with the stub moderation every message is delivered and no one has filtered messages")
    func filteredMessagesWithStub() throws {
        let h = try StoreHarness()
        var s = OrderScript(order: "M-1", buyer: "u-m1", seller: "u-m2")
        try h.append("M-1", [s.placed()])
        let outcome = try h.append("M-1", [s.chat("write me on discord: trader#1234", by: s.seller)])
        #expect(outcome.events[0].moderation?.verdict != nil)
        let verdict = try #require(outcome.events[0].moderation?.verdict)
        let figures = try #require(try h.store.participant("u-m2"))
        let view = try #require(try h.store.order("M-1"))
        if verdict == .filtered {
            #expect(figures.filteredMessages == 1)
            #expect(view.messages.filtered == 1)
        } else {
            #expect(figures.filteredMessages == 0)
            #expect(view.messages.filtered == 0)
        }
        #expect(view.messages.visible + view.messages.filtered + view.messages.hidden == 1)
    }

    @Test("time travel: the order at a position equals the view as it stood then")
    func timeTravel() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "T-1")
        var b = OrderScript(order: "T-2", buyer: "u-t2")
        var seen: [(UInt64, OrderState?)] = [(0, nil)]
        try h.append("T-2", [b.placed()])
        seen.append((1, nil))
        let steps: [[EventInput]] = [[a.placed()], [a.paid()], [a.delivered()], [a.disputeOpened()], [a.chat("x", channel: "dispute")], [a.disputeClosed(withdrawn: true)]]
        for step in steps {
            h.clock.advance(minutes: 7)
            try h.append("T-1", step)
            seen.append((h.store.head.position, try h.store.order("T-1")))
            try h.append("T-2", [b.chat("interleaved")])
            seen.append((h.store.head.position, try h.store.order("T-1")))
        }
        for (position, expected) in seen {
            #expect(try h.store.order("T-1", atPosition: position) == expected, "at \(position)")
        }
        #expect(try h.store.order("T-1", atPosition: h.store.head.position + 100) == h.store.order("T-1"))
    }

    @Test("rebuildProjections derives identical stored views, lists, queue, figures and timers")
    func rebuild() throws {
        let h = try StoreHarness()
        var orders: [String] = []
        for i in 0..<6 {
            var s = OrderScript(order: "R-\(i)", buyer: "u-b\(i % 3)", seller: "u-s\(i % 2)", quantity: 2)
            orders.append(s.order)
            var events = [s.placed(), s.paid(), s.chat("hello", by: s.buyer)]
            if i >= 2 { events.append(s.delivered(quantity: i == 2 ? 1 : 2)) }
            if i >= 3 { events.append(s.disputeOpened()) }
            if i == 4 { events.append(s.escalated()) }
            if i == 5 { events.append(s.resolved(outcome: "correct_item")) }
            try h.append(s.order, events)
            h.clock.advance(hours: 3)
            try h.append(s.order, [s.chat("still there?", by: s.seller)])
        }
        let users = ["u-b0", "u-b1", "u-b2", "u-s0", "u-s1"]
        let before = try ProjectionSnapshot(h.store, orderIds: orders, users: users, now: h.clock.now)
        let summary = try h.store.rebuildViews()
        #expect(summary.events == h.store.head.position)
        #expect(summary.orders == 6)
        let after = try ProjectionSnapshot(h.store, orderIds: orders, users: users, now: h.clock.now)
        #expect(after == before)
        #expect(!before.timers.isEmpty)
        #expect(!before.disputes.isEmpty)
        // Rebuilt projections keep working for new appends.
        var s = OrderScript(order: "R-0", buyer: "u-b0", seller: "u-s0")
        s.built = 10
        try h.append("R-0", [s.chat("after rebuild")])
        #expect(try h.store.order("R-0")?.messages.visible == 3)
    }
}

extension TestClock {
    /// Moves the clock forward by whole minutes.
    func advance(minutes: Int64) { advance(seconds: minutes * 60) }
}
