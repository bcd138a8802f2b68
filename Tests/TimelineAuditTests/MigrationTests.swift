import Foundation
import LMDB
import Testing
import TimelineAudit
import TimelineModel
import TimelineStore

/// A data directory of the single-environment layout (before v2) is refused by
/// the store and the auditor with the command that converts it; `timelinectl
/// migrate` converts it byte for byte, and the first open rebuilds views/.
@Suite("migration from the single-environment layout")
struct MigrationTests {
    /// Writes `target` in the old layout: `data.mdb` in the directory itself with
    /// the log (`log`), `blobs` and `meta` (head, format 1, projection version 2)
    /// of the v2 store in `source`, and old projection tables beside them.
    static func writeOldLayout(from source: String, to target: String) throws {
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        let from = try Tamperer(source)
        let old = try Environment(path: target, mapSize: 1 << 28, maxDatabases: 16)
        let tables = try ["log", "blobs", "meta", "orderEvents", "eventIds", "views"].map { try old.openDatabase(named: $0, create: true) }
        try old.write { txn in
            for (name, table) in [("records", tables[0]), ("blobs", tables[1])] {
                try from.read(name) { source, db in
                    try source.withCursor(db) { cursor in
                        var e = try cursor.first()
                        while let entry = e {
                            try txn.put(table, key: entry.key, value: entry.value)
                            e = try cursor.next()
                        }
                    }
                }
            }
            let head = try from.read("logMeta") { source, db in try #require(try source.get(db, key: Array("head".utf8))).map { $0 } }
            try txn.put(tables[2], key: Array("head".utf8), value: head)
            try txn.put(tables[2], key: Array("formatVersion".utf8), value: Tamperer.key(1))
            try txn.put(tables[2], key: Array("projectionVersion".utf8), value: Tamperer.key(2))
            try txn.put(tables[5], key: Array("A-1000".utf8), value: Array("an old projection row".utf8))
        }
    }

    /// Every (key, value) of the log's records table in the store at `path`.
    static func records(_ path: String) throws -> [[UInt8]] { try Tamperer(path).entries("records") }

    @Test("a single-environment directory is refused by the store and the auditor, naming timelinectl migrate")
    func oldLayoutRefused() throws {
        let dir = TempDirectory("old")
        _ = try Fixture.makeStore(dir.sub("v2"), orders: 1)
        try Self.writeOldLayout(from: dir.sub("v2"), to: dir.sub("old"))
        #expect(throws: TimelineError.self) { _ = try ViewsRecoveryTests.open(dir.sub("old")) }
        do {
            _ = try ViewsRecoveryTests.open(dir.sub("old"))
        } catch let error as TimelineError {
            #expect(error.message.contains("timelinectl migrate --data \(dir.sub("old"))"), "\(error)")
        }
        do {
            _ = try Auditor.verify(dataDirectory: dir.sub("old"))
            Issue.record("the auditor read an old-layout directory")
        } catch {
            #expect(error.message.contains("timelinectl migrate"), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.sub("old") + "/log"), "nothing was written into the refused directory")
    }

    @Test("timelinectl migrate copies the log byte for byte, retires data.mdb, and the first open rebuilds views that answer as before")
    func migrateWithTheCLI() throws {
        let dir = TempDirectory("migrate")
        let reference = try ViewsRecoveryTests.answers(try Fixture.makeStore(dir.sub("v2"), orders: 3))
        try Self.writeOldLayout(from: dir.sub("v2"), to: dir.sub("old"))
        let r = try Binaries.run("timelinectl", ["migrate", "--data", dir.sub("old"), "--json"])
        #expect(r.status == 0, "\(r)")
        let result = try JSONParser.parse(Array(r.stdout.utf8))
        #expect(result["records"]?.intValue == 30)
        #expect(result["blobs"]?.intValue == 3)
        #expect(result["head"]?.intValue == 30)
        #expect(try Self.records(dir.sub("old")) == Self.records(dir.sub("v2")), "every record, byte for byte")
        let files = FileManager.default
        #expect(!files.fileExists(atPath: dir.sub("old") + "/data.mdb"))
        #expect(files.fileExists(atPath: dir.sub("old") + "/pre-v2/data.mdb"), "the old file is kept aside until the operator deletes it")
        #expect(!files.fileExists(atPath: dir.sub("old") + "/log.migrating"))

        let store = try ViewsRecoveryTests.open(dir.sub("old"))
        #expect(store.recovery.action == .rebuilt)
        #expect(try ViewsRecoveryTests.answers(store) == reference)
        #expect(try Auditor.verify(store: store).isClean)
    }

    @Test("a migration is refused beside a holder of the lock, completes when run again after an interruption, and has nothing to do on a v2 directory")
    func interruptedAndRefused() throws {
        let dir = TempDirectory("again")
        _ = try Fixture.makeStore(dir.sub("v2"), orders: 2)
        let old = dir.sub("old")
        try Self.writeOldLayout(from: dir.sub("v2"), to: old)
        do {
            let daemon = try DataDirectoryLock(directory: old)
            #expect { _ = try StoreMigration.migrate(dataDirectory: old) } throws: { error in
                (error as? TimelineError)?.message.contains("locked by another running daemon") == true
            }
            withExtendedLifetime(daemon) {}
        }
        #expect(!FileManager.default.fileExists(atPath: old + "/log"))

        // Interrupted after log/ was renamed into place, before data.mdb moved aside.
        let first = try StoreMigration.migrate(dataDirectory: old)
        try FileManager.default.moveItem(atPath: old + "/pre-v2/data.mdb", toPath: old + "/data.mdb")
        try FileManager.default.removeItem(atPath: old + "/pre-v2")
        let second = try StoreMigration.migrate(dataDirectory: old)
        #expect(second.records == 0, "the log was already copied")
        #expect(second.head == first.head)
        #expect(FileManager.default.fileExists(atPath: old + "/pre-v2/data.mdb"))
        #expect(try Self.records(old) == Self.records(dir.sub("v2")))

        #expect { _ = try StoreMigration.migrate(dataDirectory: old) } throws: { error in
            (error as? TimelineError)?.code == .badRequest
        }
    }
}
