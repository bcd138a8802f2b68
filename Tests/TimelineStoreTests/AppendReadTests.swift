import TestSupport
import Testing
import TimelineModel
import TimelineStore

@Suite("Store: append and read back")
struct AppendReadTests {
    /// A-1 placed, paid and delivered in one request; B-1 placed in another.
    func twoOrders() throws -> (StoreHarness, OrderScript, OrderScript) {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        var b = OrderScript(order: "B-1", buyer: "u-b", seller: "u-seller")
        try h.append("A-1", [a.placed(), a.paid(), a.delivered()])
        h.clock.advance(seconds: 5)
        try h.append("B-1", [b.placed()])
        h.clock.advance(seconds: 5)
        try h.append("A-1", [a.chat("thanks")])
        return (h, a, b)
    }

    @Test("an append reports positions, revisions and status recorded for each event")
    func outcome() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        let outcome = try h.append("A-1", [a.placed(), a.paid(), a.chat("hi")])
        #expect(outcome.order == "A-1")
        #expect(outcome.lastRevision == 2)
        #expect(outcome.events.map(\.eventId) == ["A-1/1", "A-1/2", "A-1/3"])
        #expect(outcome.events.map(\.position) == [1, 2, 3])
        #expect(outcome.events.map(\.revision) == [0, 1, 2])
        #expect(outcome.events.allSatisfy { $0.status == .recorded })
        #expect(outcome.events.map(\.moderation) == [nil, nil, ModerationVerdict(verdict: .delivered, rules: [])])
        #expect(outcome.records.map(\.position) == [1, 2, 3])
        #expect(outcome.records.allSatisfy { $0.recordedAt == h.clock.now })
    }

    @Test("the head names the last position and its hash")
    func head() throws {
        let h = try StoreHarness()
        #expect(h.store.head == .empty)
        let (h2, _, _) = try twoOrders()
        let last = try #require(try h2.store.event(at: 5))
        #expect(h2.store.head.position == 5)
        #expect(h2.store.head.hash == last.hash)
        #expect(h2.store.head.recordedAt == last.recordedAt)
        #expect(try h2.store.event(at: 6) == nil)
        #expect(try h2.store.counts().events == 5)
        #expect(try h2.store.counts().orders == 2)
    }

    @Test("an order's events read forward and backward, with paging")
    func byOrder() throws {
        let (h, _, _) = try twoOrders()
        let forward = try #require(try h.store.orderEventBytes("A-1", fromRevision: 0, limit: 100, backward: false))
        #expect(try decode(forward.records).map(\.revision) == [0, 1, 2, 3])
        #expect(try decode(forward.records).map(\.position) == [1, 2, 3, 5])
        #expect(forward.next == nil)
        let page = try #require(try h.store.orderEventBytes("A-1", fromRevision: 1, limit: 2, backward: false))
        #expect(try decode(page.records).map(\.revision) == [1, 2])
        #expect(page.next == 3)
        let backward = try #require(try h.store.orderEventBytes("A-1", fromRevision: 3, limit: 100, backward: true))
        #expect(try decode(backward.records).map(\.revision) == [3, 2, 1, 0])
        let backPage = try #require(try h.store.orderEventBytes("A-1", fromRevision: 2, limit: 2, backward: true))
        #expect(try decode(backPage.records).map(\.revision) == [2, 1])
        #expect(backPage.next == 0)
        // Backward from beyond the last revision starts at the last one.
        let fromTop = try #require(try h.store.orderEventBytes("A-1", fromRevision: 1000, limit: 1, backward: true))
        #expect(try decode(fromTop.records).map(\.revision) == [3])
        #expect(try h.store.orderEventBytes("missing", fromRevision: 0, limit: 10, backward: false) == nil)
        #expect(try h.store.orderEvents("B-1").map(\.eventId) == ["B-1/1"])
    }

    @Test("an order id that is a prefix of another does not leak the other's events")
    func prefixOrders() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A")
        var a1 = OrderScript(order: "A1", buyer: "u-2", seller: "u-3")
        try h.append("A1", [a1.placed(), a1.paid()])
        try h.append("A", [a.placed()])
        #expect(try h.store.orderEvents("A").map(\.eventId) == ["A/1"])
        let back = try #require(try h.store.orderEventBytes("A", fromRevision: 99, limit: 10, backward: true))
        #expect(try decode(back.records).map(\.eventId) == ["A/1"])
    }

    @Test("the log reads by position range with a continuation")
    func byPosition() throws {
        let (h, _, _) = try twoOrders()
        let all = try h.store.logBytes(from: 1, limit: 100)
        #expect(all.records.count == 5)
        #expect(all.next == nil)
        let middle = try h.store.logBytes(from: 2, limit: 2)
        #expect(try decode(middle.records).map(\.position) == [2, 3])
        #expect(middle.next == 4)
        #expect(try h.store.logBytes(from: 0, limit: 1).records.count == 1)
        #expect(try h.store.logBytes(from: 6, limit: 10).records.isEmpty)
        #expect(try h.store.events(from: 4, limit: 10).map(\.order) == ["B-1", "A-1"])
        // Stored bytes are the canonical form of the record.
        let decoded = try decode(all.records)
        #expect(decoded.map(\.canonicalBytes) == all.records)
    }

    @Test("an event reads back by its eventId with every field as sent")
    func byEventId() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        let placedEvent = a.placed()
        var chat = a.chat("hello €")
        chat.occurredAt = "2026-11-26T14:59:59.5+01:00"
        try h.append("A-1", [placedEvent, chat])
        let e = try #require(try h.store.event(withId: chat.eventId))
        #expect(e.type == "chat.message")
        #expect(e.actor == a.buyer)
        #expect(e.data == chat.data)
        #expect(e.occurredAt == "2026-11-26T14:59:59.5+01:00")
        #expect(e.position == 2)
        #expect(e.revision == 1)
        #expect(e.recordedAt == h.clock.now)
        #expect(e.moderation == ModerationVerdict(verdict: .delivered, rules: []))
        #expect(try h.store.event(withId: "nope") == nil)
        let placed = try #require(try h.store.event(withId: "A-1/1"))
        #expect(placed.moderation == nil, "\(placed)")
    }

    @Test("expectedRevision equal to the current revision is accepted")
    func expectedRevisionMatch() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        try h.append("A-1", [a.placed()], expectedRevision: -1)
        try h.append("A-1", [a.paid()], expectedRevision: 0)
        let outcome = try h.append("A-1", [a.chat("x"), a.chat("y")], expectedRevision: 1)
        #expect(outcome.lastRevision == 3)
    }

    @Test("expectedRevision that does not match is wrong_expected_revision with both revisions, and writes nothing")
    func expectedRevisionMismatch() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        try h.append("A-1", [a.placed(), a.paid()])
        let head = h.store.head
        let stale = expectRefusal(h.store.commit([AppendRequest(order: "A-1", events: [a.chat("x")], expectedRevision: 0)])[0], .wrongExpectedRevision)
        #expect(stale?.details["expectedRevision"] == 0)
        #expect(stale?.details["actualRevision"] == 1)
        let existing = expectRefusal(h.store.commit([AppendRequest(order: "A-1", events: [a.chat("x")], expectedRevision: -1)])[0], .wrongExpectedRevision)
        #expect(existing?.details["expectedRevision"] == -1)
        #expect(existing?.details["actualRevision"] == 1)
        var b = OrderScript(order: "B-1")
        let missing = expectRefusal(h.store.commit([AppendRequest(order: "B-1", events: [b.placed()], expectedRevision: 0)])[0], .wrongExpectedRevision)
        #expect(missing?.details["actualRevision"] == -1)
        #expect(h.store.head == head)
        #expect(try h.store.order("B-1") == nil)
    }

    @Test("request-level mistakes are refused before anything is written")
    func requestChecks() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        #expect(h.refusal("A 1", [a.placed()])?.code == .badRequest)
        #expect(h.refusal("A-1", [])?.code == .badRequest)
        let twice = a.placed()
        let dup = h.refusal("A-1", [twice, twice])
        #expect(dup?.code == .invalidEvent)
        #expect(dup?.details["index"] == 1)
        #expect(dup?.details["field"] == "eventId")
        var badId = a.placed()
        badId.eventId = "tab\tid"
        #expect(h.refusal("A-1", [badId])?.details["field"] == "eventId")
        var badTime = a.placed()
        badTime.occurredAt = "yesterday"
        #expect(h.refusal("A-1", [badTime])?.details["field"] == "occurredAt")
        #expect(h.store.head == .empty)
    }

    @Test("validation runs in batch order: a batch may place an order and chat on it; a bad event refuses the whole batch")
    func batchOrder() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        try h.append("A-1", [a.placed(), a.chat("first words")])
        let error = h.refusal("A-1", [a.paid(), a.chat("ok"), a.confirmed()])
        #expect(error?.code == .invalidTransition)
        #expect(error?.details["index"] == 2)
        #expect(error?.details["state"] == "paid")
        #expect(try h.store.order("A-1")?.status == .placed)
        #expect(h.store.head.position == 2)
    }

    @Test("recordedAt never goes backwards, even when the clock does")
    func clockBackwards() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        let first = try h.append("A-1", [a.placed()]).records[0].recordedAt
        h.clock.set(Timestamp(microseconds: first.microseconds - 3_600_000_000))
        let second = try h.append("A-1", [a.paid()]).records[0].recordedAt
        #expect(second == first)
        h.clock.set(Timestamp(microseconds: first.microseconds + 1))
        #expect(try h.append("A-1", [a.chat("x")]).records[0].recordedAt == Timestamp(microseconds: first.microseconds + 1))
    }
}
