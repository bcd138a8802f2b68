import CLMDB
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Why a reader process could not take its read transaction.
public struct ReaderProcessError: Error, CustomStringConvertible, Sendable {
    /// LMDB's return code in the child (`MDB_READERS_FULL` when every slot is taken).
    public var code: Int32
    public var description: String

    /// `true` when the child found every reader slot taken.
    public var isReadersFull: Bool { code == MDB_READERS_FULL }
}

/// A separate process holding an LMDB read transaction on a data directory,
/// as an auditor or a backup tool would, until it is killed.
///
/// The test process forks; the child opens the environment read-only, begins
/// a read transaction (taking a reader slot and pinning that snapshot), reports
/// back through a pipe and sleeps. Between fork and exit the child calls only C
/// functions. ``kill()`` sends SIGKILL, so the slot is left behind exactly as a
/// crashed reader leaves it.
///
/// ```swift
/// let reader = try ReaderProcess(dataDirectory: daemon.dataDirectory)
/// reader.kill()        // kill -9: its slot stays taken until a reader check
/// ```
public final class ReaderProcess: @unchecked Sendable {
    /// The child's pid.
    public let pid: pid_t
    private var alive = true

    /// Starts the reader and returns once it holds its read transaction.
    /// - Throws: ``ReaderProcessError`` with LMDB's code when the child could not begin it.
    public init(dataDirectory: String, timeout: Double = 10) throws(ReaderProcessError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw ReaderProcessError(code: errno, description: "pipe failed: errno \(errno)") }
        let readEnd = fds[0]
        let writeEnd = fds[1]
        let child = dataDirectory.withCString { path -> pid_t in
            let child = fork()
            if child == 0 {
                close(readEnd)
                var env: OpaquePointer?
                var txn: OpaquePointer?
                var rc = mdb_env_create(&env)
                if rc == 0 { rc = mdb_env_open(env, path, UInt32(MDB_RDONLY) | UInt32(MDB_NOTLS), 0o640) }
                if rc == 0 { rc = mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn) }
                var code = rc
                _ = write(writeEnd, &code, MemoryLayout<Int32>.size)
                if rc != 0 { _exit(1) }
                while true { pause() }
            }
            return child
        }
        close(writeEnd)
        defer { close(readEnd) }
        guard child > 0 else { throw ReaderProcessError(code: errno, description: "fork failed: errno \(errno)") }
        pid = child
        var poller = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        var code: Int32 = -1
        if poll(&poller, 1, Int32(timeout * 1000)) == 1, read(readEnd, &code, MemoryLayout<Int32>.size) == MemoryLayout<Int32>.size {
            if code == 0 { return }
        }
        kill()
        let text = code == -1 ? "no answer within \(timeout) s" : String(cString: mdb_strerror(code))
        throw ReaderProcessError(code: code, description: "the reader could not begin a read transaction: \(text) (\(code))")
    }

    deinit { kill() }

    /// Kills the reader with SIGKILL (its reader slot stays taken) and reaps it.
    public func kill() {
        guard alive else { return }
        alive = false
        Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }
}
