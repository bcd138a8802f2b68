import Testing
import TimelineAudit
import TimelineModel
import TimelineStore

/// Appeals and reviews in a real store: the views, the staff queue and a
/// rebuild agree, and the audit replays them as legal.
@Suite("appeals in a store: views, queue, rebuild and audit agree")
struct AppealStoreTests {
    @Test("an appealed and overturned message, an upheld one and a pending one: appeals queue by status, audit clean, rebuild equal")
    func appealsAgree() throws {
        let dir = TempDirectory("appeals")
        let store = try Fixture.makeStore(dir.sub("store"), orders: 1)
        let o = "A-1000"
        func message(_ id: String, _ text: String) throws -> UInt64 {
            try Fixture.commit(store, [AppendRequest(order: o, events: [Fixture.event(id, "chat.message", Fixture.buyer, ["channel": "order", "text": .string(text)])])])
            return try #require(try store.event(withId: id)).position
        }
        let filtered = [try message("m-1", "add me on d i s c o r d"), try message("m-2", "you idiot"), try message("m-3", "mail me: a.b@gmail.com")]
        for (i, p) in filtered.enumerated() {
            try Fixture.commit(store, [AppendRequest(order: o, events: [Fixture.event("ap-\(i)", "moderation.appealed", Fixture.buyer, ["position": .int(Int64(p)), "text": "please look again"])])])
        }
        try Fixture.commit(store, [
            AppendRequest(order: o, events: [Fixture.event("rv-0", "moderation.reviewed", Fixture.staff, ["position": .int(Int64(filtered[0])), "decision": "overturned", "note": "a game name"])]),
            AppendRequest(order: o, events: [Fixture.event("rv-1", "moderation.reviewed", Fixture.staff, ["position": .int(Int64(filtered[1])), "decision": "upheld", "note": "an insult"])]),
        ])
        #expect(try store.appeals(status: .pending, limit: 10).map(\.position) == [filtered[2]])
        #expect(try store.appeals(status: .overturned, limit: 10).map(\.position) == [filtered[0]])
        #expect(try store.appeals(status: nil, limit: 10).map(\.position) == filtered, "oldest appeal first")
        #expect(try store.appeals(status: nil, limit: 2).count == 2)
        let view = try #require(try store.order(o))
        #expect(view.messages.filtered == 2)
        #expect(try store.moderatedMessage(at: filtered[1]).appeal?.status == .upheld)
        #expect(try Auditor.verify(store: store).findings == [])
        _ = try store.rebuildViews()
        #expect(try store.order(o) == view)
        #expect(try store.appeals(status: nil, limit: 10).map(\.appeal.status) == [.overturned, .upheld, .pending])
        #expect(try Auditor.verify(store: store).findings == [])
    }

    @Test("a row removed from the appeals queue or from blobRefs, or one added, is index_mismatch")
    func tamperedIndexes() throws {
        let dir = TempDirectory("appeal-tamper")
        let store = try Fixture.makeStore(dir.sub("store"), orders: 1)
        try Fixture.commit(store, [AppendRequest(order: "A-1000", events: [Fixture.event("m-1", "chat.message", Fixture.buyer, ["channel": "order", "text": "you idiot"])])])
        let message = try #require(try store.event(withId: "m-1")).position
        try Fixture.commit(store, [AppendRequest(order: "A-1000", events: [Fixture.event("ap", "moderation.appealed", Fixture.buyer, ["position": .int(Int64(message)), "text": "sorry"])])])
        #expect(try Auditor.verify(store: store).findings == [])
        try store.closeCleanly()
        let cases: [(String, (Tamperer) throws -> Void)] = [
            ("appeal-removed", { t in for row in try t.entries("appeals") { try t.delete("appeals", key: Array(row.prefix(row.count - 6))) } }),
            ("appeal-added", { t in try t.put("appeals", key: Array("upheld".utf8) + [0] + Tamperer.key(3), value: Array("A-1000".utf8)) }),
            ("ref-removed", { t in for row in try t.entries("blobRefs") { try t.delete("blobRefs", key: row) } }),
            ("ref-added", { t in try t.put("blobRefs", key: [UInt8](repeating: 7, count: 32) + Tamperer.key(2), value: []) }),
        ]
        for (name, damage) in cases {
            let copy = dir.sub(name)
            try Fixture.copy(dir.sub("store"), to: copy)
            do { try damage(try Tamperer(copy)) }
            let report = try Auditor.verify(dataDirectory: copy)
            #expect(report.findings.map(\.code) == [.indexMismatch], "\(name): \(report.findings)")
        }
    }
}
