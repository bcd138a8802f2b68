import TestSupport
import Testing
import TimelineModel
import TimelineStore

@Suite("Store: timers and evidence blobs")
struct TimerBlobTests {
    /// Fires every timer due at the harness's clock the way the daemon does; returns what was recorded.
    @discardableResult
    func fireDue(_ h: StoreHarness) throws -> [AppendOutcome] {
        var fired: [AppendOutcome] = []
        for timer in try h.store.dueTimers(now: h.clock.now) {
            let state = try #require(try h.store.order(timer.order))
            fired.append(try h.append(timer.order, [state.timerEvent(timer.kind)], origin: .daemon))
        }
        return fired
    }

    @Test("changed timer settings apply to existing orders when the store is reopened with them")
    func changedTimerSettings() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        try h.append("A-1", [a.placed(), a.paid(), a.delivered()])
        let delivered = h.clock.now
        #expect(try h.store.dueTimers(now: delivered.adding(hours: 1000)).map(\.due) == [delivered.adding(hours: 96)])
        h.configuration.timers = TimerSettings(autoEscalateHours: 24, autoConfirmHours: 2)
        try h.reopen()
        #expect(try h.store.dueTimers(now: delivered.adding(hours: 1000)).map(\.due) == [delivered.adding(hours: 2)])
        try h.reopen()
        #expect(try h.store.dueTimers(now: delivered.adding(hours: 3)).map(\.order) == ["A-1"], "kept across a reopen with the same settings")
    }

    @Test("auto_confirm falls due 96 hours after delivery by the injected clock, fires once, and completes the order")
    func autoConfirm() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        try h.append("A-1", [a.placed(), a.paid(), a.delivered()])
        let delivered = h.clock.now
        h.clock.advance(hours: 95)
        #expect(try h.store.dueTimers(now: h.clock.now).isEmpty)
        h.clock.advance(hours: 1)
        let due = try h.store.dueTimers(now: h.clock.now)
        #expect(due.map(\.order) == ["A-1"])
        #expect(due.map(\.kind) == [.autoConfirm])
        #expect(due.first?.due == delivered.adding(hours: 96))

        let state = try #require(try h.store.order("A-1"))
        let timerEvent = state.timerEvent(.autoConfirm)
        let outcome = try h.append("A-1", [timerEvent], origin: .daemon)
        #expect(outcome.events[0].status == .recorded)
        #expect(outcome.records[0].actor == .daemon)
        #expect(outcome.records[0].data["rule"] == "auto_confirm")
        #expect(try h.store.order("A-1")?.status == .completed)
        #expect(try h.store.dueTimers(now: h.clock.now.adding(hours: 1000)).isEmpty)

        // A second attempt with the same timer event is a duplicate: it fires at most once.
        let head = h.store.head
        let again = try h.append("A-1", [timerEvent], origin: .daemon)
        #expect(again.events[0].status == .duplicate)
        #expect(h.store.head == head)
    }

    @Test("a timer event computed before the order moved on is refused")
    func timerEventRules() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        try h.append("A-1", [a.placed(), a.paid(), a.delivered()])
        let state = try #require(try h.store.order("A-1"))
        // The buyer confirms before the timer fires: the timer's event is now illegal.
        try h.append("A-1", [a.confirmed()])
        expectRefusal(h.store.commit([AppendRequest(order: "A-1", events: [state.timerEvent(.autoConfirm)], origin: .daemon)])[0], .invalidTransition)
    }

    @Test("a client cannot take the eventId a timer will use and so keep it from firing")
    func timerIdsAreReserved() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        try h.append("A-1", [a.placed(), a.paid(), a.delivered()])
        var flagSquat = a.chat("first")
        flagSquat.eventId = "moderation.flagged:A-1:u-buyer:3"
        #expect(h.refusal("A-1", [flagSquat])?.details["field"] == "eventId")
        // The squatting message takes the next revision: the one the auto_confirm event's id names after it.
        let next = try #require(try h.store.order("A-1")).revision + 1
        var squat = a.chat("mine now")
        squat.eventId = "timer:auto_confirm:A-1:\(next)"
        let refusal = h.refusal("A-1", [squat])
        #expect(refusal?.code == .invalidEvent)
        #expect(refusal?.details["field"] == "eventId")
        h.clock.advance(hours: 97)
        let fired = try fireDue(h)
        #expect(fired.count == 1)
        #expect(try h.store.order("A-1")?.status == .completed)
    }

    @Test("auto_escalate is reset by seller activity, fires after 24 quiet hours, and escalates the dispute")
    func autoEscalate() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "D-1")
        try h.append("D-1", [a.placed(), a.paid(), a.delivered()])
        h.clock.advance(hours: 2)
        try h.append("D-1", [a.disputeOpened()])
        let opened = h.clock.now
        h.clock.advance(hours: 20)
        try h.append("D-1", [a.chat("still waiting", by: a.buyer, channel: "dispute")])
        h.clock.advance(hours: 3)
        try h.append("D-1", [a.chat("looking into it", by: a.seller, channel: "dispute")])
        let sellerSpoke = h.clock.now
        #expect(try h.store.dueTimers(now: opened.adding(hours: 24)).isEmpty)
        h.clock.advance(hours: 23)
        #expect(try fireDue(h).isEmpty)
        h.clock.advance(hours: 1)
        let due = try h.store.dueTimers(now: h.clock.now)
        #expect(due.map(\.kind) == [.autoEscalate])
        #expect(due.first?.due == sellerSpoke.adding(hours: 24))
        let fired = try fireDue(h)
        #expect(fired.count == 1)
        #expect(fired.first?.records.first?.type == "dispute.escalated")
        #expect(fired.first?.records.first?.data == ["rule": "auto_escalate"])
        #expect(try h.store.order("D-1")?.dispute?.status == .escalated)
        #expect(try h.store.dueTimers(now: h.clock.now.adding(hours: 1000)).isEmpty)
    }

    @Test("timers survive a restart and a rebuild, and fire afterwards")
    func timersSurviveRestart() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "A-1")
        var b = OrderScript(order: "B-1", buyer: "u-b")
        try h.append("A-1", [a.placed(), a.paid(), a.delivered()])
        try h.append("B-1", [b.placed(), b.paid(), b.disputeOpened(reason: "not_delivered", outcome: "full_refund")])
        let far = h.clock.now.adding(hours: 500)
        let before = try h.store.dueTimers(now: far).map { "\($0.order):\($0.kind):\($0.due)" }
        #expect(before.count == 2)
        try h.reopen()
        #expect(try h.store.dueTimers(now: far).map { "\($0.order):\($0.kind):\($0.due)" } == before)
        _ = try h.store.rebuildViews()
        #expect(try h.store.dueTimers(now: far).map { "\($0.order):\($0.kind):\($0.due)" } == before)
        h.clock.advance(hours: 100)
        let fired = try fireDue(h)
        #expect(fired.count == 2)
        #expect(try h.store.order("A-1")?.status == .completed)
        #expect(try h.store.order("B-1")?.dispute?.status == .escalated)
    }

    @Test("dueTimers lists the earliest first and honours its limit")
    func dueOrder() throws {
        let h = try StoreHarness()
        for id in ["Z", "Y", "X"] {
            var s = OrderScript(order: id, buyer: "u-\(id)")
            try h.append(id, [s.placed(), s.paid(), s.delivered()])
            h.clock.advance(hours: 1)
        }
        let due = try h.store.dueTimers(now: h.clock.now.adding(hours: 200))
        #expect(due.map(\.order) == ["Z", "Y", "X"])
        #expect(try h.store.dueTimers(now: h.clock.now.adding(hours: 200), limit: 2).map(\.order) == ["Z", "Y"])
        #expect(try h.store.counts().timers == 3)
    }

    // MARK: - Blobs

    @Test("an evidence.put-style request stores the blob and the evidence.attached event; blob(sha256:) returns the bytes")
    func evidenceBlob() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "E-1")
        try h.append("E-1", [a.placed(), a.paid()])
        let bytes: [UInt8] = Array("PNG pretend bytes \u{0}\u{1}\u{2}".utf8) + (0..<4096).map { UInt8($0 % 256) }
        let sha = Hashing.sha256Hex(bytes)
        let outcome = try h.append("E-1", [a.evidence(sha256: sha, size: bytes.count, by: a.seller)], origin: .evidencePut, blobs: [bytes])
        #expect(outcome.events[0].status == .recorded)
        #expect(try h.store.blob(sha256: sha) == bytes)
        #expect(try h.store.blob(sha256: sha.uppercased()) == bytes)
        #expect(try h.store.blob(sha256: String(repeating: "0", count: 64)) == nil)
        #expect(try h.store.blob(sha256: "not hex") == nil)
        #expect(try h.store.blob(sha256: "abcd") == nil)
        let item = try #require(try h.store.order("E-1")?.evidence.first)
        #expect(item.sha256 == sha)
        #expect(item.size == Int64(bytes.count))
        #expect(item.by == .seller)
        #expect(item.byId == "u-seller")
        // The same bytes attached again are stored once.
        try h.append("E-1", [a.evidence(sha256: sha, size: bytes.count, by: a.buyer)], origin: .evidencePut, blobs: [bytes])
        #expect(try h.store.counts().blobs == 1)
        #expect(try h.store.order("E-1")?.evidence.count == 2)
        try h.reopen()
        #expect(try h.store.blob(sha256: sha) == bytes)
    }

    @Test("a refused evidence request stores no blob")
    func refusedEvidenceStoresNothing() throws {
        let h = try StoreHarness()
        var a = OrderScript(order: "E-1")
        try h.append("E-1", [a.placed()])
        let bytes: [UInt8] = Array("secret".utf8)
        let sha = Hashing.sha256Hex(bytes)
        let viaAppend = AppendRequest(order: "E-1", events: [a.evidence(sha256: sha, size: bytes.count)], origin: .client, blobs: [EvidenceBlob(bytes)])
        let error = expectRefusal(h.store.commit([viaAppend])[0], .invalidEvent)
        #expect(error?.details["field"] == "type")
        let wrongChannel = AppendRequest(order: "E-1", events: [a.evidence(sha256: sha, size: bytes.count, channel: "dispute")], origin: .evidencePut, blobs: [EvidenceBlob(bytes)])
        expectRefusal(h.store.commit([wrongChannel])[0], .invalidTransition)
        #expect(try h.store.blob(sha256: sha) == nil)
        #expect(try h.store.counts().blobs == 0)
    }
}
