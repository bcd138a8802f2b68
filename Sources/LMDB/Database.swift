import CLMDB

/// A named database (a B+tree) inside an ``Environment``. A plain handle:
/// valid for the environment's lifetime and usable from any transaction.
public struct Database: Sendable, Hashable {
    let dbi: MDB_dbi

    init(transaction: OpaquePointer, name: String, create: Bool) throws(LMDBError) {
        var dbi: MDB_dbi = 0
        try LMDBError.check(mdb_dbi_open(transaction, name, create ? UInt32(MDB_CREATE) : 0, &dbi), "mdb_dbi_open(\(name))")
        self.dbi = dbi
    }
}

/// Flags for ``WriteTransaction/put(_:key:value:flags:)``.
public struct PutFlags: OptionSet, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Fail with `keyExists` instead of overwriting.
    public static let noOverwrite = PutFlags(rawValue: UInt32(MDB_NOOVERWRITE))
    /// The key sorts after every key in the database (fast path; `keyExists` otherwise).
    public static let append = PutFlags(rawValue: UInt32(MDB_APPEND))
}
