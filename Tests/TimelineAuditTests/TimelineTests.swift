import Foundation
import Testing
import TimelineAudit
import TimelineModel
import TimelineStore

/// Timelines and replays, from a store and from an export.
@Suite("timelines and replay")
struct TimelineTests {
    let dir = TempDirectory("timeline")
    let store: TimelineStore

    init() throws {
        store = try Fixture.makeStore(dir.sub("store"), orders: 2)
    }

    @Test("a timeline has every event of the order with its sentence, verdict and the state after it")
    func timeline() throws {
        let t = try OrderTimeline.load(order: "A-1001", store: store)
        #expect(t.entries.map(\.record.position) == Array(11...20))
        #expect(t.entries.allSatisfy { $0.illegal == nil })
        #expect(t.entries[0].summary.contains("placed the order: AK-47 Redline FT × 2 for 25.00 EUR"))
        #expect(t.entries[4].text == "got 1 of 2, where is the rest?" && t.entries[4].verdict?.verdict == .delivered)
        #expect(t.entries[5].blob == .present)
        #expect(t.entries[6].stateAfter == "delivered; dispute open")
        #expect(t.entries[8].stateAfter == "delivered; dispute resolved")
        #expect(t.text.contains("#19 rev 8"))
        let html = t.html
        for e in t.entries { #expect(html.contains("id=\"p\(e.record.position)\"")) }
    }

    @Test("a timeline stops at a position, and reads the same from an export")
    func timelineAtPosition() throws {
        let upTo = try OrderTimeline.load(order: "A-1001", store: store, atPosition: 14)
        #expect(upTo.entries.count == 4 && upTo.finalState?.status == .delivered)
        let export = dir.sub("log.jsonl")
        _ = try Exporter.export(store: store, to: export)
        let fromExport = try OrderTimeline.load(order: "A-1001", exportFile: export, atPosition: 14)
        #expect(fromExport.entries.map(\.record) == upTo.entries.map(\.record))
        #expect(fromExport.entries.allSatisfy { $0.blob == nil || $0.blob == .unknown })
    }

    @Test("replay gives the view as it stood at a position or a time")
    func replay() throws {
        let events = try store.orderEvents("A-1000")
        #expect(OrderReplay.state(events: events, at: .position(2))?.status == .paid)
        #expect(OrderReplay.state(events: events, at: .position(0)) == nil)
        let opened = events[6].recordedAt
        let atTime = try #require(OrderReplay.state(events: events, at: .time(opened)))
        #expect(atTime.dispute?.status == .open)
        #expect(atTime.lastPosition == 7)
        #expect(OrderReplay.Point("2026-11-26T15:00:00Z") != nil && OrderReplay.Point("12") != nil && OrderReplay.Point("soon") == nil)
    }

    @Test("an unknown order is an error that says so")
    func unknownOrder() throws {
        #expect(throws: AuditError.self) { try OrderTimeline.load(order: "NOPE", store: store) }
    }
}
