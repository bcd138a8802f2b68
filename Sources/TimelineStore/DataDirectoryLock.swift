import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

/// The exclusive lock on a data directory (`timelined.lock`, `flock`): held by
/// the running daemon, and by offline tools that rewrite the directory
/// (`timelinectl migrate`), so the two never work on it at once. The lock ends
/// with the process, however it ends; the file holds the holder's pid.
public final class DataDirectoryLock: Sendable {
    private let fd: Int32

    /// Takes the lock of `directory` or throws at once when another process holds it.
    public init(directory: String) throws(TimelineError) {
        let path = directory + "/timelined.lock"
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw TimelineError(.internal, "cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw TimelineError(.internal, "the data directory \(directory) is locked by another running daemon; stop it first")
        }
        ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(fd, $0, strlen($0)) }
        self.fd = fd
    }

    deinit { close(fd) }
}
