import Foundation
import LMDB
import Testing
import TimelineAudit
import TimelineModel
import TimelineStore
import TestSupport

/// views/ is derived: whatever happened to it (a kill -9 before it applied the
/// last batches, an OS crash that may have torn its NOSYNC pages, deletion, a
/// hash that names another log), opening the store brings it back to what the
/// log says, and the answers are the same as before.
@Suite("views recovery: replay, rebuild, and the audit at applied")
struct ViewsRecoveryTests {
    static let orders = ["A-1000", "A-1001", "A-1002"]

    /// Everything a reader can ask of the fixture, as text to compare.
    static func answers(_ store: TimelineStore) throws -> [String] {
        var out = try orders.map { "\(try store.order($0) as Any)" }
        out += try ["u-17", "u-42"].map { "\(try store.participant($0) as Any)" }
        out.append("\(try store.disputes(status: nil, limit: 100, now: Timestamp(microseconds: 0)))")
        out.append("\(try store.counts())")
        out.append("\(store.head)")
        return out
    }

    static func open(_ path: String) throws -> TimelineStore {
        var config = StoreConfiguration(path: path)
        config.durability = .relaxed
        return try TimelineStore(configuration: config, moderation: .builtIn())
    }

    /// A fixture store whose last `unapplied` commits are in log/ but not in views/,
    /// as a kill -9 between the log commit and the views apply leaves it.
    static func storeWithLaggingViews(_ path: String, unapplied: Int) throws -> (answers: [String], head: ChainHead) {
        let store = try Fixture.makeStore(path, orders: 3)
        let requests = (0..<unapplied).map { i in
            AppendRequest(order: "A-1000", events: [Fixture.event("late-\(i)", "chat.message", Fixture.buyer, ["channel": "order", "text": .string("late \(i)")])])
        }
        for r in requests { _ = store.commitLog([r]) }
        #expect(store.head.position + UInt64(unapplied) == store.logHead.position, "views/ lag the log by the unapplied commits")
        return (try answers(store), store.logHead)
    }

    @Test("views that lag the log after a kill -9 are caught up by replaying only the records after applied")
    func replayAfterKill() throws {
        let dir = TempDirectory("replay")
        let (lagging, head) = try Self.storeWithLaggingViews(dir.sub("store"), unapplied: 5)
        let store = try Self.open(dir.sub("store"))
        #expect(store.recovery.action == .replayed)
        #expect(store.recovery.events == 5)
        #expect(store.head == head, "readers see the whole log again")
        let events = try store.orderEvents("A-1000")
        #expect(events.suffix(5).map(\.eventId) == (0..<5).map { "late-\($0)" })
        #expect(try Self.answers(store) != lagging)
        #expect(try Auditor.verify(store: store).isClean)
        // Appends go on after the replayed ones.
        let next = try (store.commit([AppendRequest(order: "A-1001", events: [Fixture.event("after", "support.note", Fixture.staff, ["text": "ok"])])])[0].get())
        #expect(next.events[0].position == head.position + 1)
    }

    @Test("views left unclean under another boot, torn, deleted, of another format or naming another log are rebuilt, and answer as before")
    func rebuildCases() throws {
        let dir = TempDirectory("rebuild")
        let reference: [String]
        do { reference = try Self.answers(try Fixture.makeStore(dir.sub("original"), orders: 3)) }
        let damages: [(name: String, reason: String, damage: (String) throws -> Void)] = [
            ("reboot", "machine restarted", { path in
                try Data(#"{"bootId":"a-boot-before-the-crash","clean":false,"format":5}"#.utf8).write(to: URL(fileURLWithPath: path + "/views/state"))
            }),
            ("torn", "machine restarted", { path in
                try Data(#"{"bootId":"a-boot-before-the-crash","clean":false,"format":5}"#.utf8).write(to: URL(fileURLWithPath: path + "/views/state"))
                let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path + "/views/data.mdb"))
                var generator = SystemRandomNumberGenerator()
                for page in [2, 3, 5, 8] {
                    try file.seek(toOffset: UInt64(page * 4096 + 512))
                    file.write(Data((0..<1024).map { _ in UInt8.random(in: 0...255, using: &generator) }))
                }
                try file.close()
            }),
            ("deleted", "views/ is missing", { path in try FileManager.default.removeItem(atPath: path + "/views") }),
            ("format", "format 2", { path in
                try Data(#"{"bootId":"x","clean":true,"format":2}"#.utf8).write(to: URL(fileURLWithPath: path + "/views/state"))
            }),
            ("foreign", "hash", { path in
                let t = try Tamperer(path)
                try t.put("meta", key: Array("applied".utf8), value: Tamperer.key(30) + [UInt8](repeating: 0xAB, count: 32))
            }),
        ]
        for (name, reason, damage) in damages {
            let path = dir.sub(name)
            try Fixture.copy(dir.sub("original"), to: path)
            try damage(path)
            let store = try Self.open(path)
            #expect(store.recovery.action == .rebuilt, "\(name): \(store.recovery)")
            #expect(store.recovery.reason?.contains(reason) == true, "\(name): \(store.recovery.reason ?? "-")")
            let answers = try Self.answers(store)
            for (a, b) in zip(answers, reference) where a != b { Issue.record("\(name): \(a) ≠ \(b)") }
            #expect(answers == reference, "\(name): the rebuilt views answer as the original")
            let report = try Auditor.verify(store: store)
            #expect(report.isClean, "\(name): \(report.findings)")
            #expect(!FileManager.default.fileExists(atPath: path + "/views.new") && !FileManager.default.fileExists(atPath: path + "/views.old"))
        }
    }

    @Test("a rebuild at start in many small transactions gives the same views as one in a single transaction")
    func chunkedRebuild() throws {
        let dir = TempDirectory("chunks")
        let reference: [String]
        do {
            let store = try Fixture.makeStore(dir.sub("original"), orders: 3)
            _ = try store.rebuildViews()  // in place, one transaction
            reference = try Self.answers(store)
        }
        for chunk in [1, 7, 29, 30, 31] {
            let path = dir.sub("chunk-\(chunk)")
            try Fixture.copy(dir.sub("original"), to: path)
            try FileManager.default.removeItem(atPath: path + "/views")
            var config = StoreConfiguration(path: path)
            config.durability = .relaxed
            config.rebuildChunkRecords = chunk
            let store = try TimelineStore(configuration: config, moderation: .builtIn())
            #expect(store.recovery.action == .rebuilt)
            #expect(store.recovery.events == 30)
            #expect(try Self.answers(store) == reference, "chunks of \(chunk) records")
            let report = try Auditor.verify(store: store)
            #expect(report.isClean, "chunks of \(chunk): \(report.findings)")
        }
    }

    @Test("a clean close is trusted after a reboot; a write after it makes views/ unclean again")
    func cleanMarker() throws {
        let dir = TempDirectory("marker")
        let store = try Fixture.makeStore(dir.sub("store"), orders: 1)
        try store.closeCleanly()
        let state = { try String(decoding: Data(contentsOf: URL(fileURLWithPath: dir.sub("store") + "/views/state")), as: UTF8.self) }
        #expect(try state().contains(#""clean":true"#))
        try Fixture.commit(store, [AppendRequest(order: "A-1000", events: [Fixture.event("n-1", "support.note", Fixture.staff, ["text": "x"])])])
        #expect(try state().contains(#""clean":false"#), "views/ changed after the clean close: not trusted after a crash")
    }

    @Test("verify compares views/ at their applied position when they lag the log, and flags an applied hash of another log")
    func auditAtApplied() throws {
        let dir = TempDirectory("applied")
        let path = dir.sub("store")
        let (_, head) = try Self.storeWithLaggingViews(path, unapplied: 3)
        // The copy still lags (views at head - 3): the auditor opens it read-only, as beside a daemon.
        try Fixture.copy(path, to: dir.sub("copy"))
        let report = try Auditor.verify(dataDirectory: dir.sub("copy"))
        #expect(report.isClean, "\(report.findings)")
        #expect(report.lastPosition == head.position, "the log's checks cover the whole log")

        try Fixture.copy(path, to: dir.sub("foreign"))
        try Tamperer(dir.sub("foreign")).put("meta", key: Array("applied".utf8), value: Tamperer.key(head.position - 3) + [UInt8](repeating: 1, count: 32))
        let foreign = try Auditor.verify(dataDirectory: dir.sub("foreign"))
        #expect(foreign.findings.map(\.code) == [.viewMismatch], "\(foreign.findings)")
        #expect(foreign.findings.first?.position == head.position - 3)
    }
}
