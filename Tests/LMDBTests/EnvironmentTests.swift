import CLMDB
import Foundation
import LMDB
import TestScratch
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("LMDB environment: read-only, map size, copies, readers")
struct EnvironmentTests {
    // MARK: - Read-only

    @Test("a read-only environment reads what a writer stored and refuses to write")
    func readOnly() throws {
        let dir = try TempDirectory(prefix: "lmdb")
        do {
            let env = try Environment(path: dir.path, mapSize: 1 << 20)
            let main = try env.openDatabase(named: "main")
            let other = try env.openDatabase(named: "other")
            try env.write { txn in
                try txn.put(main, key: b("k"), value: b("stored"))
                try txn.put(other, key: b("k"), value: b("elsewhere"))
            }
        }
        let env = try Environment(path: dir.path, flags: .readOnly, mapSize: 1 << 20)
        #expect(env.isReadOnly)
        let main = try env.openDatabase(named: "main")
        let other = try env.openDatabase(named: "other")
        #expect(try env.read { txn in text(try txn.get(main, key: b("k"))) } == "stored")
        #expect(try env.read { txn in text(try txn.get(other, key: b("k"))) } == "elsewhere")
        var caught: (any Error)?
        do {
            try env.write { txn in try txn.put(main, key: b("k"), value: b("changed")) }
        } catch { caught = error }
        #expect(caught.flatMap(lmdbCode) == .accessDenied)
        #expect(try env.read { txn in text(try txn.get(main, key: b("k"))) } == "stored")
    }

    @Test("opening a database that does not exist without create fails with notFound")
    func missingDatabase() throws {
        let s = try Scratch()
        var caught: (any Error)?
        do { _ = try s.env.openDatabase(named: "nope", create: false) } catch { caught = error }
        #expect(caught.flatMap(lmdbCode) == .notFound)
    }

    @Test("opening an existing database without create gives a handle that keeps working")
    func openExistingWithoutCreate() throws {
        let s = try Scratch()
        try s.put([("k", "v")])
        let again = try s.env.openDatabase(named: "main", create: false)
        #expect(try s.env.read { txn in text(try txn.get(again, key: b("k"))) } == "v")
        #expect(try s.env.read { txn in try txn.count(again) } == 1)
    }

    // MARK: - Map size

    @Test("a write that does not fit a tiny map fails with mapFull and writes nothing")
    func mapFull() throws {
        let s = try Scratch(mapSize: 64 << 10)
        try s.put([("small", "ok")])
        var caught: (any Error)?
        do {
            try s.env.write { txn in
                for i in 0..<64 { try txn.put(s.db, key: b("big\(i)"), value: [UInt8](repeating: 7, count: 4096)) }
            }
        } catch { caught = error }
        #expect(caught.flatMap(lmdbCode) == .mapFull)
        #expect(try s.value("small") == "ok")
        #expect(try s.value("big0") == nil)
    }

    @Test("setMapSize grows the map so a write that hit mapFull then succeeds")
    func growTheMap() throws {
        let s = try Scratch(mapSize: 64 << 10)
        let before = s.env.info.mapSize
        let write = {
            try s.env.write { txn in
                for i in 0..<64 { try txn.put(s.db, key: b("big\(i)"), value: [UInt8](repeating: 7, count: 4096)) }
            }
        }
        #expect(throws: LMDBError.self) { try write() }
        try s.env.setMapSize(8 << 20)
        #expect(s.env.info.mapSize == 8 << 20)
        #expect(s.env.info.mapSize > before)
        try write()
        #expect(try s.env.read { try $0.count(s.db) } == 64)
        #expect(s.env.info.usedBytes > 64 * 4096)
        #expect(s.env.info.usedBytes <= s.env.info.mapSize)
    }

    @Test("the map only grows: a smaller setMapSize, also from threads racing, never shrinks it")
    func mapNeverShrinks() throws {
        let s = try Scratch(mapSize: 1 << 20)
        try s.env.setMapSize(32 << 20)
        try s.env.setMapSize(4 << 20)
        #expect(s.env.info.mapSize == 32 << 20)
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            try? s.env.setMapSize((33 + (i % 8)) << 20)
        }
        #expect(s.env.info.mapSize == 40 << 20, "the largest size asked for wins")
        #expect(!s.env.isCopying)
    }

    @Test("info, reads and writes on other threads are safe while one thread keeps growing the map")
    func infoWhileGrowing() throws {
        let s = try Scratch(mapSize: 1 << 20)
        try s.env.write { txn in try txn.put(s.db, key: b("k"), value: [UInt8](repeating: 1, count: 8192)) }
        let env = s.env, db = s.db
        let done = DispatchGroup()
        let failures = Atomic<Int>(0)
        for worker in 0..<2 {
            DispatchQueue.global().async(group: done) {
                for i in 0..<20_000 {
                    let info = env.info
                    if info.usedBytes > info.mapSize { failures.add(1, ordering: .relaxed) }
                    if i % 100 == 0 {
                        let ok = (try? env.read { try $0.get(db, key: b("k"))?.count }) == 8192
                        if !ok { failures.add(1, ordering: .relaxed) }
                        if worker == 0 { try? env.write { txn in try txn.put(db, key: b("w\(i)"), value: b("v")) } }
                    }
                }
            }
        }
        // The map moves (mdb_env_set_mapsize remaps it) hundreds of times meanwhile.
        for step in 1...400 { try env.setMapSize((1 << 20) + step * (64 << 10)) }
        done.wait()
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(env.info.mapSize == (1 << 20) + 400 * (64 << 10))
    }

    @Test("a grown map is adopted when the environment is opened again with a smaller size")
    func grownMapPersists() throws {
        let dir = try TempDirectory(prefix: "lmdb")
        do {
            let env = try Environment(path: dir.path, mapSize: 64 << 10)
            let db = try env.openDatabase(named: "main")
            try env.setMapSize(4 << 20)
            try env.write { txn in
                for i in 0..<200 { try txn.put(db, key: b("k\(i)"), value: [UInt8](repeating: 1, count: 4096)) }
            }
        }
        let env = try Environment(path: dir.path, mapSize: 64 << 10)
        let db = try env.openDatabase(named: "main")
        #expect(env.info.mapSize >= 200 * 4096)
        #expect(try env.read { try $0.count(db) } == 200)
    }

    @Test("setMapSize waits until a read transaction on another thread ends")
    func growWaitsForReaders() throws {
        let s = try Scratch()
        let events = EventLog()
        let started = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let env = s.env
        Thread.detachNewThread {
            try? env.read { _ in
                started.signal()
                usleep(200_000)
                events.add("reader done")
            }
            done.signal()
        }
        started.wait()
        try s.env.setMapSize(32 << 20)
        events.add("grown")
        done.wait()
        #expect(events.entries == ["reader done", "grown"])
        #expect(s.env.info.mapSize == 32 << 20)
    }

    @Test("info reports the page size, reader slots and a used size within the map")
    func info() throws {
        let s = try Scratch(mapSize: 4 << 20)
        let info = s.env.info
        #expect(info.pageSize >= 4096)
        #expect(info.mapSize == 4 << 20)
        #expect(info.maxReaders == 256)
        #expect(info.usedBytes > 0 && info.usedBytes < info.mapSize)
    }

    // MARK: - Copies

    @Test("a compacted copy is readable, holds the same data and drops freed pages")
    func compactedCopy() throws {
        let s = try Scratch(mapSize: 64 << 20)
        try s.env.write { txn in
            for i in 0..<2000 { try txn.put(s.db, key: b(String(format: "k%05d", i)), value: [UInt8](repeating: UInt8(i % 251), count: 1000)) }
        }
        try s.env.write { txn in
            for i in 0..<2000 where i % 10 != 0 { try txn.delete(s.db, key: b(String(format: "k%05d", i))) }
        }
        let plainDir = try TempDirectory(prefix: "lmdb-copy")
        let compactDir = try TempDirectory(prefix: "lmdb-compact")
        try s.env.copy(to: plainDir.path, compact: false)
        try s.env.copy(to: compactDir.path, compact: true)
        let plainSize = try #require(plainDir.fileSize("data.mdb"))
        let compactSize = try #require(compactDir.fileSize("data.mdb"))
        #expect(compactSize < plainSize / 2)

        let copy = try Environment(path: compactDir.path, flags: .readOnly, mapSize: 64 << 20)
        let db = try copy.openDatabase(named: "main", create: false)
        try copy.read { txn throws in
            #expect(try txn.count(db) == 200)
            #expect(try txn.get(db, key: b("k00010")).map { Array($0) } == [UInt8](repeating: 10, count: 1000))
            #expect(try txn.get(db, key: b("k00011")) == nil)
        }
    }

    @Test("copying into a directory that does not exist fails")
    func copyToMissingDirectory() throws {
        let s = try Scratch()
        let dir = try TempDirectory(prefix: "lmdb")
        #expect(throws: LMDBError.self) { try s.env.copy(to: dir.path + "/missing", compact: true) }
    }

    // MARK: - Readers

    @Test("readerCheck finds nothing to clear when every reader is alive")
    func readerCheckClean() throws {
        let s = try Scratch()
        _ = try s.value("k")
        #expect(try s.env.readerCheck() == 0)
    }

    @Test("readerCheck clears the reader slot a dead process left behind")
    func readerCheckClearsDeadReader() throws {
        let s = try Scratch()
        try s.put([("k", "v")])
        let path = s.directory.path
        // The child opens its own environment, starts a read and dies
        // without ending it. Only C calls between fork and _exit.
        let pid = path.withCString { cPath -> pid_t in
            let child = fork()
            if child == 0 {
                var env: OpaquePointer?
                var txn: OpaquePointer?
                guard mdb_env_create(&env) == 0,
                      mdb_env_set_mapsize(env, 16 << 20) == 0,
                      mdb_env_set_maxdbs(env, 4) == 0,
                      mdb_env_open(env, cPath, UInt32(MDB_NOTLS), 0o640) == 0,
                      mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn) == 0
                else { _exit(1) }
                _exit(0)
            }
            return child
        }
        #expect(pid > 0)
        var status: Int32 = 0
        var waited: pid_t = 0
        for _ in 0..<1000 {
            waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { break }
            usleep(10_000)
        }
        if waited != pid { kill(pid, SIGKILL); _ = waitpid(pid, &status, 0) }
        try #require(waited == pid)
        #expect(status == 0)
        #expect(try s.env.readerCheck() == 1)
        #expect(try s.env.readerCheck() == 0)
        #expect(try s.value("k") == "v")
    }

    @Test("a read that finds every reader slot taken by killed processes clears them and goes on")
    func readClearsDeadReadersWhenSlotsRunOut() throws {
        let dir = try TempDirectory(prefix: "lmdb")
        let env = try Environment(path: dir.path, mapSize: 16 << 20, maxReaders: 4)
        let db = try env.openDatabase(named: "main")
        try env.write { txn in try txn.put(db, key: b("k"), value: b("v")) }
        #expect(env.info.maxReaders == 4)
        var readers: [ReaderProcess] = []
        for _ in 0..<4 { readers.append(try ReaderProcess(dataDirectory: dir.path)) }
        _ = #expect(throws: ReaderProcessError.self, "a fifth reader finds no slot") { try ReaderProcess(dataDirectory: dir.path) }
        let refused = #expect(throws: LMDBError.self, "while the readers live, a read here finds no slot either") { try env.read { _ in } }
        #expect(refused?.code == .readersFull)
        for reader in readers { reader.kill() }
        #expect(try env.read { txn in text(try txn.get(db, key: b("k"))) } == "v")
        #expect(env.staleReadersCleared == 4)
        #expect(try env.readerCheck() == 0)
    }

    @Test("the lock file's blocks are allocated at open, so writing a reader slot never faults on a full disk")
    func lockFileAllocated() throws {
        let s = try Scratch()
        var st = stat()
        try #require(stat(s.directory.path + "/lock.mdb", &st) == 0)
        #expect(st.st_size > 4096, "256 reader slots span several pages")
        #expect(Int(st.st_blocks) * 512 >= Int(st.st_size), "\(st.st_blocks) blocks of 512 bytes for \(st.st_size) bytes")
    }

    @Test("sync flushes without error, also with noSync")
    func sync() throws {
        let dir = try TempDirectory(prefix: "lmdb")
        let env = try Environment(path: dir.path, flags: .noSync, mapSize: 1 << 20)
        let db = try env.openDatabase(named: "main")
        try env.write { txn in try txn.put(db, key: b("k"), value: b("v")) }
        try env.sync(force: true)
        #expect(try env.read { txn in text(try txn.get(db, key: b("k"))) } == "v")
    }
}

/// A thread-safe list of what happened, in order.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ entry: String) { lock.lock(); list.append(entry); lock.unlock() }
    var entries: [String] { lock.lock(); defer { lock.unlock() }; return list }
}
