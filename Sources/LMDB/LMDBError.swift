import CLMDB

#if canImport(Glibc)
import Glibc
#endif

/// An error reported by LMDB, carrying its code and LMDB's own text.
///
/// Named constants cover the codes callers branch on:
/// ```swift
/// catch let error as LMDBError where error.code == .mapFull { grow() }
/// ```
public struct LMDBError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The numeric result code (an LMDB code or an errno value).
    public struct Code: RawRepresentable, Sendable, Hashable {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let keyExists = Code(rawValue: MDB_KEYEXIST)
        public static let notFound = Code(rawValue: MDB_NOTFOUND)
        public static let mapFull = Code(rawValue: MDB_MAP_FULL)
        public static let readersFull = Code(rawValue: MDB_READERS_FULL)
        public static let mapResized = Code(rawValue: MDB_MAP_RESIZED)
        public static let dbsFull = Code(rawValue: MDB_DBS_FULL)
        public static let txnFull = Code(rawValue: MDB_TXN_FULL)
        public static let corrupted = Code(rawValue: MDB_CORRUPTED)
        public static let invalid = Code(rawValue: MDB_INVALID)
        public static let badValueSize = Code(rawValue: MDB_BAD_VALSIZE)
        /// errno ENOSPC: the disk is full.
        public static let noSpace = Code(rawValue: ENOSPC)
        /// errno EDQUOT: the disk quota is used up.
        public static let quotaExceeded = Code(rawValue: EDQUOT)
        /// errno EIO: an I/O error, or LMDB's report of a short write (which a full disk causes).
        public static let ioError = Code(rawValue: EIO)
        /// errno EAGAIN / EWOULDBLOCK: e.g. a lock held by another process.
        public static let wouldBlock = Code(rawValue: EAGAIN)
        /// errno ENOENT: the path does not exist.
        public static let noEntry = Code(rawValue: ENOENT)
        /// errno EACCES.
        public static let accessDenied = Code(rawValue: EACCES)
    }

    /// The result code.
    public var code: Code
    /// What LMDB (or the C library) says the code means.
    public var message: String
    /// The operation that failed, e.g. `mdb_put`.
    public var operation: String

    /// An error for `code` raised by `operation`.
    public init(code: Int32, operation: String) {
        self.code = Code(rawValue: code)
        self.operation = operation
        if let text = mdb_strerror(code) {
            self.message = String(cString: text)
        } else {
            self.message = "LMDB error \(code)"
        }
    }

    public var description: String { "\(operation): \(message) (\(code.rawValue))" }

    /// Throws an ``LMDBError`` for a non-zero LMDB return code.
    @inline(__always)
    static func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
        if rc != 0 { throw LMDBError(code: rc, operation: operation()) }
    }
}
