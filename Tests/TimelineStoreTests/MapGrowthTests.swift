import TestSupport
import Testing
import TimelineModel
import TimelineStore

@Suite("Store: map growth and storage_full")
struct MapGrowthTests {
    /// A chat text of about `count` characters.
    static func text(_ count: Int, _ seed: Int) -> String {
        String(repeating: "trade log entry \(seed) ", count: count / 20 + 1).prefix(count).description
    }

    @Test("from a 1 MiB map growing 8 MiB at a time, 100 MiB of events go in without storage_full")
    func growThroughHundredMiB() throws {
        let h = try StoreHarness {
            $0.initialMapSizeBytes = 1 << 20
            $0.mapGrowthBytes = 8 << 20
            $0.durability = .relaxed
        }
        // log/ and views/ each start at the initial size (mapFigures adds the two).
        let startMap = h.store.mapFigures.mapSize
        #expect(startMap == 2 << 20)
        var scripts = (0..<20).map { OrderScript(order: "G-\($0)", buyer: "u-b\($0)", seller: "u-s") }
        for i in scripts.indices { try h.append(scripts[i].order, [scripts[i].placed(), scripts[i].paid()]) }
        var written = 0
        var refusals: [String] = []
        var commits = 0
        while written < 100 << 20 {
            // Four requests of 25 nearly 10 KB messages per commit: about 1 MB a commit.
            let requests = (0..<4).map { r in
                let i = (commits * 4 + r) % scripts.count
                let events = (0..<25).map { k in scripts[i].chat(Self.text(9_900, commits * 100 + k), by: scripts[i].seller) }
                return AppendRequest(order: scripts[i].order, events: events)
            }
            for result in h.store.commit(requests) {
                switch result {
                case .success(let outcome): written += outcome.records.reduce(0) { $0 + $1.canonicalBytes.count }
                case .failure(let error): refusals.append(error.description)
                }
            }
            commits += 1
            if !refusals.isEmpty { break }
        }
        #expect(refusals.isEmpty, "\(refusals.first ?? "")")
        #expect(written >= 100 << 20)
        let figures = h.store.mapFigures
        #expect(figures.mapSize > 100 << 20)
        #expect(figures.used >= 100 << 20)
        #expect(figures.used <= figures.mapSize)
        let expectedEvents = UInt64(40 + commits * 100)
        #expect(h.store.head.position == expectedEvents)
        #expect(try h.store.counts().events == expectedEvents)
        // The last event reads back whole. On reopen LMDB sizes the map to the
        // data it holds (not the grown size), and the next append grows it again.
        let last = try #require(try h.store.event(at: expectedEvents))
        #expect(last.data["text"]?.stringValue?.count == 9_900)
        try h.reopen()
        #expect(h.store.mapFigures.mapSize >= figures.used)
        #expect(h.store.head.position == expectedEvents)
        let after = try h.append(scripts[0].order, (0..<25).map { scripts[0].chat(Self.text(9_900, $0)) })
        #expect(after.events.last?.position == expectedEvents + 25)
    }

    @Test("when the map may not grow enough the batch gets storage_full, nothing is written, and the store stays usable")
    func storageFull() throws {
        let h = try StoreHarness {
            $0.initialMapSizeBytes = 1 << 20
            $0.mapGrowthBytes = 1 << 20
            $0.maxMapSizeBytes = 2 << 20
        }
        var a = OrderScript(order: "F-1")
        var b = OrderScript(order: "F-2", buyer: "u-b2")
        try h.append("F-1", [a.placed(), a.paid()])
        let head = h.store.head
        let view = try h.store.order("F-1")
        // About 3 MB in one request, and a small neighbour in the same commit.
        let big = AppendRequest(order: "F-1", events: (0..<300).map { a.chat(Self.text(9_900, $0)) })
        let small = AppendRequest(order: "F-2", events: [b.placed()])
        let results = h.store.commit([big, small])
        let error = expectRefusal(results[0], .storageFull)
        #expect(error?.message.contains("nothing was written") == true)
        expectRefusal(results[1], .storageFull)
        #expect(h.store.head == head)
        #expect(try h.store.order("F-1") == view)
        #expect(try h.store.order("F-2") == nil)
        #expect(try h.store.event(withId: big.events[0].eventId) == nil)
        #expect(h.store.mapFigures.mapSize <= 2 * (2 << 20), "neither map grew past store.maxMapSizeBytes")
        // Still usable: smaller appends go through, chained after the old head.
        let next = try h.append("F-1", [a.chat("small one")])
        #expect(next.events[0].position == head.position + 1)
        #expect(next.records[0].prevHash == head.hash)
        try h.append("F-2", small.events)
        #expect(try h.store.order("F-2")?.status == .placed)
    }
}
