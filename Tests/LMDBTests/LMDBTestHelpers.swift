import LMDB
import TestScratch

/// The bytes of `text`, as keys and values in these tests.
func b(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The text of a buffer LMDB returned.
func text(_ buffer: UnsafeRawBufferPointer?) -> String? {
    buffer.map { String(decoding: $0, as: UTF8.self) }
}

/// A fresh environment with one database in its own temporary directory.
struct Scratch {
    let directory: TempDirectory
    let env: Environment
    let db: Database

    init(mapSize: Int = 16 << 20, name: String = "main") throws {
        directory = try TempDirectory(prefix: "lmdb")
        env = try Environment(path: directory.path, mapSize: mapSize)
        db = try env.openDatabase(named: name)
    }

    /// Stores every pair in one write transaction.
    func put(_ pairs: [(String, String)]) throws {
        try env.write { txn in
            for (k, v) in pairs { try txn.put(db, key: b(k), value: b(v)) }
        }
    }

    /// The value under `key` as text, read in its own snapshot.
    func value(_ key: String) throws -> String? {
        try env.read { txn in text(try txn.get(db, key: b(key))) }
    }
}

/// The LMDB code of `error`, or `nil` when it is not an ``LMDBError``.
func lmdbCode(_ error: any Error) -> LMDBError.Code? { (error as? LMDBError)?.code }
