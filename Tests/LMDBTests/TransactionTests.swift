import LMDB
import TestScratch
import Testing

@Suite("LMDB transactions: put, get, delete")
struct TransactionTests {
    @Test("a value put in a committed write is read back in a later snapshot")
    func putThenGet() throws {
        let s = try Scratch()
        try s.put([("alpha", "1"), ("beta", "2")])
        #expect(try s.value("alpha") == "1")
        #expect(try s.value("beta") == "2")
        #expect(try s.value("gamma") == nil)
    }

    @Test("putting an existing key overwrites its value")
    func overwrite() throws {
        let s = try Scratch()
        try s.put([("k", "old")])
        try s.put([("k", "new")])
        #expect(try s.value("k") == "new")
        #expect(try s.env.read { try $0.count(s.db) } == 1)
    }

    @Test("delete removes a key and reports whether it was there")
    func delete() throws {
        let s = try Scratch()
        try s.put([("k", "v"), ("other", "x")])
        let first = try s.env.write { txn in try txn.delete(s.db, key: b("k")) }
        let second = try s.env.write { txn in try txn.delete(s.db, key: b("k")) }
        #expect(first == true)
        #expect(second == false)
        #expect(try s.value("k") == nil)
        #expect(try s.value("other") == "x")
    }

    @Test("clear empties a database but keeps it usable")
    func clear() throws {
        let s = try Scratch()
        try s.put((0..<50).map { ("k\($0)", "v") })
        try s.env.write { txn in try txn.clear(s.db) }
        #expect(try s.env.read { try $0.count(s.db) } == 0)
        try s.put([("again", "yes")])
        #expect(try s.value("again") == "yes")
    }

    @Test("a write sees its own uncommitted puts")
    func readYourWrites() throws {
        let s = try Scratch()
        let seen = try s.env.write { txn in
            try txn.put(s.db, key: b("k"), value: b("v"))
            return text(try txn.get(s.db, key: b("k")))
        }
        #expect(seen == "v")
    }

    @Test("a write closure that throws keeps nothing it wrote")
    func throwingWriteAborts() throws {
        struct Boom: Error {}
        let s = try Scratch()
        try s.put([("kept", "1")])
        #expect(throws: Boom.self) {
            try s.env.write { txn in
                try txn.put(s.db, key: b("lost"), value: b("2"))
                try txn.put(s.db, key: b("kept"), value: b("changed"))
                throw Boom()
            }
        }
        #expect(try s.value("lost") == nil)
        #expect(try s.value("kept") == "1")
        // The writer lock was released: the next write goes through.
        try s.put([("after", "3")])
        #expect(try s.value("after") == "3")
    }

    @Test("a read snapshot does not see a write committed after it began")
    func snapshotIsolation() throws {
        let s = try Scratch()
        try s.put([("k", "before")])
        let (inside, count) = try s.env.read { txn throws in
            try s.put([("k", "after"), ("new", "x")])
            return (text(try txn.get(s.db, key: b("k"))), try txn.count(s.db))
        }
        #expect(inside == "before")
        #expect(count == 1)
        #expect(try s.value("k") == "after")
    }

    @Test("noOverwrite refuses an existing key with keyExists and keeps the old value")
    func noOverwrite() throws {
        let s = try Scratch()
        try s.put([("k", "first")])
        var caught: (any Error)?
        do {
            try s.env.write { txn in try txn.put(s.db, key: b("k"), value: b("second"), flags: .noOverwrite) }
        } catch { caught = error }
        #expect(caught.flatMap(lmdbCode) == .keyExists)
        #expect(try s.value("k") == "first")
        // A new key with the same flag is fine.
        try s.env.write { txn in try txn.put(s.db, key: b("k2"), value: b("x"), flags: .noOverwrite) }
        #expect(try s.value("k2") == "x")
    }

    @Test("append accepts increasing keys and refuses a key that does not sort last")
    func appendFlag() throws {
        let s = try Scratch()
        try s.env.write { txn in
            for k in ["a", "b", "c"] { try txn.put(s.db, key: b(k), value: b(k), flags: .append) }
        }
        var caught: (any Error)?
        do {
            try s.env.write { txn in try txn.put(s.db, key: b("B"), value: b("x"), flags: .append) }
        } catch { caught = error }
        #expect(caught.flatMap(lmdbCode) == .keyExists)
        #expect(try s.env.read { try $0.count(s.db) } == 3)
    }

    @Test("an LMDB error carries its code, LMDB's text and the failing operation")
    func errorDescription() throws {
        let s = try Scratch()
        try s.put([("k", "v")])
        var caught: LMDBError?
        do {
            try s.env.write { txn in try txn.put(s.db, key: b("k"), value: b("v"), flags: .noOverwrite) }
        } catch let error as LMDBError { caught = error }
        let error = try #require(caught)
        #expect(error.code == .keyExists)
        #expect(error.operation == "mdb_put")
        #expect(error.message.contains("MDB_KEYEXIST"))
        #expect(error.description.contains("mdb_put"))
        #expect(LMDBError(code: LMDBError.Code.mapFull.rawValue, operation: "x").message.contains("MDB_MAP_FULL"))
    }

    @Test("named databases keep their keys apart")
    func databasesAreSeparate() throws {
        let s = try Scratch()
        let other = try s.env.openDatabase(named: "other")
        try s.env.write { txn in
            try txn.put(s.db, key: b("k"), value: b("main"))
            try txn.put(other, key: b("k"), value: b("other"))
        }
        try s.env.read { txn throws in
            #expect(text(try txn.get(s.db, key: b("k"))) == "main")
            #expect(text(try txn.get(other, key: b("k"))) == "other")
        }
    }

    @Test("an empty value and binary keys round trip exactly")
    func binaryData() throws {
        let s = try Scratch()
        let key: [UInt8] = [0, 255, 0, 1]
        let value: [UInt8] = (0...255).map { UInt8($0) }
        try s.env.write { txn in
            try txn.put(s.db, key: key, value: value)
            try txn.put(s.db, key: [1], value: [])
        }
        try s.env.read { txn throws in
            #expect(try txn.get(s.db, key: key).map { Array($0) } == value)
            #expect(try txn.get(s.db, key: [1]).map { $0.count } == 0)
        }
    }

    @Test("data survives closing and reopening the environment")
    func reopen() throws {
        let dir = try TempDirectory(prefix: "lmdb")
        do {
            let env = try Environment(path: dir.path, mapSize: 1 << 20)
            let db = try env.openDatabase(named: "main")
            try env.write { txn in try txn.put(db, key: b("k"), value: b("durable")) }
        }
        let env = try Environment(path: dir.path, mapSize: 1 << 20)
        let db = try env.openDatabase(named: "main")
        #expect(try env.read { txn in text(try txn.get(db, key: b("k"))) } == "durable")
    }

    @Test("opening a directory that does not exist fails with noEntry")
    func missingDirectory() throws {
        let dir = try TempDirectory(prefix: "lmdb")
        var caught: LMDBError?
        do {
            _ = try Environment(path: dir.path + "/missing", mapSize: 1 << 20)
        } catch { caught = error }
        #expect(caught?.code == .noEntry)
    }
}
