import TestSupport
import Testing
import TimelineModel
import TimelineStore

@Suite("Store: idempotent retries and group commit")
struct IdempotencyTests {
    @Test("a retried batch returns the original positions with status duplicate and writes nothing")
    func retry() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        let batch = [a.placed(), a.paid()]
        let first = try h.append("A-1", batch)
        try h.append("A-1", [a.chat("after")])
        let head = h.store.head
        h.clock.advance(hours: 1)
        let again = try h.append("A-1", batch)
        #expect(again.events.map(\.position) == first.events.map(\.position))
        #expect(again.events.map(\.revision) == [0, 1])
        #expect(again.events.allSatisfy { $0.status == .duplicate })
        #expect(again.records.isEmpty)
        #expect(h.store.head == head)
        #expect(try h.wholeLog().count == 3)
    }

    @Test("the idempotency check comes before expectedRevision, so a retry after a lost reply succeeds")
    func retryWithStaleRevision() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        let batch = [a.placed()]
        try h.append("A-1", batch, expectedRevision: -1)
        try h.append("A-1", [a.paid()])
        let again = try h.append("A-1", batch, expectedRevision: -1)
        #expect(again.events.map(\.status) == [.duplicate])
    }

    @Test("a chat retry returns its original moderation verdict")
    func retryKeepsVerdict() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        try h.append("A-1", [a.placed()])
        let chat = a.chat("hello")
        let first = try h.append("A-1", [chat])
        let again = try h.append("A-1", [chat])
        #expect(again.events[0].moderation == first.events[0].moderation)
        #expect(again.events[0].moderation != nil)
    }

    @Test("a retry whose text differs only in Unicode normalisation is a conflict, not a duplicate")
    func normalisationIsContent() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        try h.append("A-1", [a.placed()])
        let composed = a.chat("caf\u{E9}")
        try h.append("A-1", [composed])
        var decomposed = composed
        decomposed.data = ["channel": "order", "text": "cafe\u{301}"]
        // Different bytes, so a different dataHash: not the event that was recorded.
        #expect(CanonicalJSON.encode(decomposed.data) != CanonicalJSON.encode(composed.data))
        let head = h.store.head
        expectRefusal(h.store.commit([AppendRequest(order: "A-1", events: [decomposed])])[0], .idempotencyConflict)
        #expect(h.store.head == head)
    }

    @Test("a batch mixing recorded and new eventIds is idempotency_conflict and writes nothing")
    func partlyRecorded() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        let placed = a.placed()
        try h.append("A-1", [placed])
        let head = h.store.head
        let error = expectRefusal(h.store.commit([AppendRequest(order: "A-1", events: [placed, a.paid()])])[0], .idempotencyConflict)
        #expect(error?.message.contains("mixes") == true)
        #expect(h.store.head == head)
        #expect(try h.store.order("A-1")?.status == .placed)
        // The new event was not recorded under its id either.
        #expect(try h.store.event(withId: "A-1/2") == nil)
    }

    @Test("a recorded eventId sent with different content is idempotency_conflict and writes nothing", arguments: ["data", "type", "actor", "order"])
    func differentContent(change: String) throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        var b = OrderScript(order: "B-1")
        try h.append("A-1", [a.placed()])
        try h.append("B-1", [b.placed()])
        var chat = a.chat("original")
        try h.append("A-1", [chat])
        let head = h.store.head
        var order = "A-1"
        switch change {
        case "data": chat.data = ["channel": "order", "text": "edited"]
        case "type": chat.type = "support.note"
        case "actor": chat.actor = a.seller
        default: order = "B-1"
        }
        let error = expectRefusal(h.store.commit([AppendRequest(order: order, events: [chat])])[0], .idempotencyConflict)
        #expect(error?.details["eventId"] == .string(chat.eventId))
        #expect(h.store.head == head)
        #expect(try h.store.event(withId: chat.eventId)?.data["text"] == "original")
    }

    @Test("several requests in one commit: a failing one leaves no trace and its neighbours are recorded gap-free")
    func groupCommit() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        var b = OrderScript(order: "B-1", buyer: "u-b")
        var c = OrderScript(order: "C-1", buyer: "u-c")
        try h.append("A-1", [a.placed(), a.paid()])
        let requests = [
            AppendRequest(order: "B-1", events: [b.placed(), b.paid()]),
            AppendRequest(order: "A-1", events: [a.chat("in the same commit"), a.confirmed()]),  // refused: not delivered
            AppendRequest(order: "A-1", events: [a.delivered()], expectedRevision: 1),
            AppendRequest(order: "C-1", events: [c.placed()], expectedRevision: 5),  // refused: wrong revision
            AppendRequest(order: "C-1", events: [c.placed()]),
            AppendRequest(order: "B-1", events: [b.chat("sees B placed earlier in this commit")], expectedRevision: 1),
        ]
        let results = h.store.commit(requests)
        #expect(results.count == 6)
        let positions = results.map { (try? $0.get())?.events.map(\.position) }
        #expect(positions == [[3, 4], nil, [5], nil, [6], [7]])
        expectRefusal(results[1], .invalidTransition)
        expectRefusal(results[3], .wrongExpectedRevision)
        #expect(h.store.head.position == 7)
        let log = try h.wholeLog()
        #expect(log.map(\.position) == Array(1...7))
        #expect(!log.contains { $0.eventId == "A-1/3" || $0.eventId == "A-1/4" })
        #expect(try h.store.orderEvents("A-1").map(\.revision) == [0, 1, 2])
        #expect(try h.store.order("A-1")?.messages.visible == 0)
        #expect(try h.store.order("A-1")?.status == .delivered)
        #expect(try h.store.order("C-1")?.revision == 0)
        #expect(try h.store.order("B-1")?.revision == 2)
        // The refused events' ids are still free.
        #expect(try h.store.event(withId: "A-1/3") == nil)
    }

    @Test("the same eventId twice in one commit, in separate requests, is recorded once and then a duplicate")
    func duplicateInsideCommit() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        let placed = a.placed()
        let results = h.store.commit([AppendRequest(order: "A-1", events: [placed]), AppendRequest(order: "A-1", events: [placed])])
        #expect(try results[0].get().events[0].status == .recorded)
        #expect(try results[1].get().events[0].status == .duplicate)
        #expect(try results[1].get().events[0].position == 1)
        #expect(h.store.head.position == 1)
    }

    @Test("data survives dropping the store and opening it again")
    func reopen() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        try h.append("A-1", [a.placed(), a.paid(), a.delivered()])
        try h.append("A-1", [a.disputeOpened()])
        let head = h.store.head
        let view = try h.store.order("A-1")
        let log = try h.wholeLog()
        try h.reopen()
        #expect(h.store.head == head)
        #expect(try h.store.order("A-1") == view)
        #expect(try h.wholeLog() == log)
        h.clock.advance(seconds: 1)
        let next = try h.append("A-1", [a.chat("after the restart", channel: "dispute")])
        #expect(next.events[0].position == head.position + 1)
        #expect(next.records[0].prevHash == head.hash)
        #expect(next.events[0].revision == 4)
    }

    @Test("a read-only store opened beside the data reads it and refuses to write")
    func readOnly() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        try h.append("A-1", [a.placed(), a.paid()])
        let path = h.configuration.path
        var config = StoreConfiguration(path: path)
        config.readOnly = true
        let view = try h.store.order("A-1")
        let head = h.store.head
        // One environment per file and process: close the writer first.
        h.close()
        let reader = try TimelineStore(configuration: config, moderation: .builtIn())
        #expect(try reader.order("A-1") == view)
        #expect(reader.head == head)
        #expect(try reader.events(from: 1, limit: 10).count == 2)
        let refused = reader.commit([AppendRequest(order: "A-1", events: [a.chat("x")])])
        expectRefusal(refused[0], .internal)
    }

    @Test("a backup is a compacted, consistent copy that opens read-only with the same log and views")
    func backup() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        try h.append("A-1", [a.placed(), a.paid(), a.delivered()])
        let target = try h.directory.subdirectory("backup")
        let (bytes, head) = try h.store.backup(to: target)
        #expect(bytes > 0)
        #expect(head == h.store.head)
        var config = StoreConfiguration(path: target)
        config.readOnly = true
        let copy = try TimelineStore(configuration: config, moderation: .builtIn())
        #expect(copy.head == head)
        #expect(try copy.order("A-1") == h.store.order("A-1"))
        #expect(try copy.events(from: 1, limit: 10) == h.store.events(from: 1, limit: 10))
    }
}
