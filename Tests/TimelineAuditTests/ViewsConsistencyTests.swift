import Foundation
import LMDB
import TestSupport
import Testing
import TimelineAudit
import TimelineModel
import TimelineStore

/// views/ never skip a log record, are never marked clean while they lag the
/// log, and a rebuild or migration interrupted at any step ends in a store the
/// auditor finds clean.
@Suite("views consistency: no gaps, honest clean marker, interrupted swaps and migrations")
struct ViewsConsistencyTests {
    static func note(_ id: String, order: String = "A-1000") -> AppendRequest {
        AppendRequest(order: order, events: [Fixture.event(id, "support.note", Fixture.staff, ["text": .string("note \(id)")])])
    }

    /// Text of `length` bytes, different for every `seed`.
    static func text(_ length: Int, _ seed: Int) -> String {
        let base = "message \(seed) "
        return String(String(repeating: base, count: length / base.count + 1).prefix(length))
    }

    /// A one-order fixture store at `path`, closed cleanly and released.
    static func makeClosedStore(_ path: String) throws {
        let store = try Fixture.makeStore(path, orders: 1)
        try store.closeCleanly()
    }

    static func state(_ path: String) throws -> String {
        try String(decoding: Data(contentsOf: URL(fileURLWithPath: path + "/views/state")), as: UTF8.self)
    }

    @Test("a batch that does not follow applied is refused and changes nothing; applied in order it goes in")
    func gapRefused() throws {
        let dir = TempDirectory("gap")
        let store = try Fixture.makeStore(dir.sub("store"), orders: 1)
        let before = store.head
        let (_, first) = store.commitLog([Self.note("gap-1")])
        let (_, second) = store.commitLog([Self.note("gap-2")])
        #expect(throws: TimelineError.self) { try store.apply([second]) }
        do {
            try store.apply([second])
        } catch {
            #expect(error.code == .internal)
            #expect(error.message.contains("through position \(before.position)"), "\(error.message)")
        }
        #expect(store.head == before, "nothing of the refused batch is visible")
        #expect(try store.event(withId: "gap-2") == nil)
        try store.apply([first])
        try store.apply([second])
        #expect(store.head == store.logHead)
        #expect(try store.orderEvents("A-1000").suffix(2).map(\.eventId) == ["gap-1", "gap-2"])
        #expect(try Auditor.verify(store: store).isClean)
    }

    @Test("closing while views/ lag the log leaves them unclean; the next start replays the rest")
    func noCleanMarkerWhileLagging() throws {
        let dir = TempDirectory("lagclose")
        let path = dir.sub("store")
        do {
            let store = try Fixture.makeStore(path, orders: 1)
            _ = store.commitLog([Self.note("late-1")])
            #expect(throws: TimelineError.self, "views/ lag the log: not a clean close") { try store.closeCleanly() }
            #expect(try Self.state(path).contains(#""clean":false"#))
        }
        #expect(try Self.state(path).contains(#""clean":false"#), "nor after the store is released")
        let store = try ViewsRecoveryTests.open(path)
        #expect(store.recovery.action == .replayed)
        #expect(try store.event(withId: "late-1") != nil)
        try store.closeCleanly()
        #expect(try Self.state(path).contains(#""clean":true"#), "caught up: the close is clean")
    }

    @Test("a start marks views/ unclean before it changes them")
    func uncleanBeforeReplay() throws {
        let dir = TempDirectory("unclean")
        let path = dir.sub("store")
        try Self.makeClosedStore(path)
        #expect(try Self.state(path).contains(#""clean":true"#))
        let store = try ViewsRecoveryTests.open(path)
        #expect(store.recovery.action == .none)
        #expect(try Self.state(path).contains(#""clean":false"#), "an open daemon's views/ are not trusted after an OS crash")
    }

    @Test("a crash between the two renames of a swap keeps the finished rebuild, not the views it replaced")
    func interruptedSwap() throws {
        let dir = TempDirectory("swap")
        let path = dir.sub("store")
        try Self.makeClosedStore(path)
        // views.old: views one commit behind; views.new: complete, caught up, marked as a finished build.
        try FileManager.default.copyItem(atPath: path + "/views", toPath: path + "/views.old")
        do {
            let store = try ViewsRecoveryTests.open(path)
            try Fixture.commit(store, [Self.note("after-old")])
            try store.closeCleanly()
        }
        try FileManager.default.moveItem(atPath: path + "/views", toPath: path + "/views.new")
        let store = try ViewsRecoveryTests.open(path)
        #expect(store.recovery.action == .none, "the finished views.new was swapped in and is up to date: \(store.recovery)")
        #expect(try store.event(withId: "after-old") != nil)
        #expect(!FileManager.default.fileExists(atPath: path + "/views.new"))
        #expect(!FileManager.default.fileExists(atPath: path + "/views.old"))
        #expect(try Auditor.verify(store: store).isClean)
    }

    @Test("a partial views.new (no state file) is removed and the old views are used")
    func partialBuildRemoved() throws {
        let dir = TempDirectory("partial")
        let path = dir.sub("store")
        try Self.makeClosedStore(path)
        try FileManager.default.createDirectory(atPath: path + "/views.new", withIntermediateDirectories: true)
        try Data("half a build".utf8).write(to: URL(fileURLWithPath: path + "/views.new/data.mdb"))
        let store = try ViewsRecoveryTests.open(path)
        #expect(store.recovery.action == .none)
        #expect(!FileManager.default.fileExists(atPath: path + "/views.new"))
        #expect(try Auditor.verify(store: store).isClean)
    }

    @Test("a log whose order revisions skip one is rebuilt at start like the in-place rebuild does it")
    func rebuildFollowsRecordedRevisions() throws {
        let dir = TempDirectory("revisions")
        let path = dir.sub("store")
        try Self.makeClosedStore(path)
        // A forger's log: the last record of A-1000 claims a revision one past the next.
        let tamperer = try Tamperer(path)
        let last = try tamperer.positions().last ?? 0
        try tamperer.rechain { r in if r.position == last { r.revision += 1 } }
        let claimed = try tamperer.record(last).revision
        try FileManager.default.removeItem(atPath: path + "/views")
        let store = try ViewsRecoveryTests.open(path)
        #expect(store.recovery.action == .rebuilt)
        let keys = try Tamperer(path).read("orderEvents") { txn, db in try txn.withCursor(db) { cursor in try cursor.last().map { Array($0.key) } } }
        #expect(keys.map { Array($0.suffix(8)) } == Tamperer.key(claimed), "the index names the revision the record carries")
    }

    @Test("commit keeps a batch views/ could not take and applies it before the next one")
    func commitKeepsUnappliedBatch() throws {
        let dir = TempDirectory("viewsfull")
        let path = dir.sub("store")
        var config = StoreConfiguration(path: path)
        config.durability = .relaxed
        config.initialMapSizeBytes = 1 << 20
        config.mapGrowthBytes = 2 << 20
        do {
            let store = try TimelineStore(configuration: config, moderation: .builtIn())
            try Fixture.commit(store, Fixture.script(order: "A-1000"))
            try store.closeCleanly()
        }
        // views/ on a small filesystem of its own; the log stays on the big one.
        let saved = dir.sub("views-saved")
        try FileManager.default.moveItem(atPath: path + "/views", toPath: saved)
        try FileManager.default.createDirectory(atPath: path + "/views", withIntermediateDirectories: true)
        let fs: TmpfsMount
        do {
            fs = try TmpfsMount(at: path + "/views", megabytes: 6)
        } catch {
            try Test.cancel(Comment(rawValue: "skipped, no filesystem to fill: \(error)"))
        }
        defer { fs.unmount() }
        for name in try FileManager.default.contentsOfDirectory(atPath: saved) {
            try FileManager.default.copyItem(atPath: saved + "/" + name, toPath: path + "/views/" + name)
        }
        let store = try TimelineStore(configuration: config, moderation: .builtIn())
        #expect(store.recovery.action == .none)
        let filler = try fs.fill("filler", bytes: max(0, fs.availableBytes - (256 << 10)))
        var refusal: TimelineError?
        var commits = 0
        // Many new orders per commit: their rows and index entries are what views/ hold.
        while refusal == nil && commits < 400 {
            let requests = (0..<100).map { k -> AppendRequest in
                var script = OrderScript(order: "F-\(commits)-\(k)")
                return AppendRequest(order: script.order, events: [script.placed(), script.paid()])
            }
            if case .failure(let error) = store.commit(requests)[0] { refusal = error }
            commits += 1
        }
        let error = try #require(refusal, "views/ filled without a refusal after \(commits) commits")
        #expect(error.message.contains("recorded in the log"), "\(error.code): \(error.message)")
        #expect(store.logHead.position > store.head.position, "the log holds the batch views/ could not take")
        try FileManager.default.removeItem(atPath: filler)
        _ = try store.commit([Self.note("space-is-back")])[0].get()
        #expect(store.head == store.logHead, "the waiting batch and the new one are applied")
        #expect(try store.order("F-\(commits - 1)-99") != nil, "the orders of the refused commit are in views/ now")
        #expect(try store.counts().orders == 1 + 100 * commits)
        let report = try Auditor.verify(store: store)
        #expect(report.isClean, "\(report.findings)")
    }

    @Test("a migration whose copied log differs in any record is refused, however the counts and ends compare")
    func migrationComparesEveryRecord() throws {
        let dir = TempDirectory("migratecmp")
        _ = try Fixture.makeStore(dir.sub("v2"), orders: 2)
        try MigrationTests.writeOldLayout(from: dir.sub("v2"), to: dir.sub("old"))
        let old = dir.sub("old")
        _ = try StoreMigration.migrate(dataDirectory: old)
        // As if the run had stopped after renaming log.migrating: the old files are back beside log/,
        // and one record in the middle of log/ has other bytes.
        for name in ["data.mdb", "lock.mdb"] {
            try FileManager.default.moveItem(atPath: old + "/pre-v2/" + name, toPath: old + "/" + name)
        }
        let tamperer = try Tamperer(old)
        let middle = try tamperer.positions()[5]
        var bytes = try tamperer.logBytes(middle)
        bytes[bytes.count / 2] ^= 0x01
        try tamperer.put("records", key: Tamperer.key(middle), value: bytes)
        #expect(throws: TimelineError.self) { _ = try StoreMigration.migrate(dataDirectory: old) }
        do {
            _ = try StoreMigration.migrate(dataDirectory: old)
        } catch {
            #expect(error.message.contains("the record at key"), "\(error.message)")
        }
        #expect(FileManager.default.fileExists(atPath: old + "/data.mdb"), "the old store stays where it was")
    }
}
