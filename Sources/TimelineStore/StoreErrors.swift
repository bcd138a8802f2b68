import LMDB
import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

/// How LMDB failures surface as wire errors.
enum StoreErrors {
    static func map(_ error: any Error) -> TimelineError {
        if let error = error as? TimelineError { return error }
        if let error = error as? LMDBError {
            switch error.code {
            case .mapFull, .noSpace, .quotaExceeded:
                return TimelineError(.storageFull, "the store cannot grow (\(error.message)); nothing was written. Free disk space or raise store.maxMapSizeBytes; appends resume without a restart")
            default:
                return TimelineError(.internal, "the store failed: \(error.description)")
            }
        }
        if let error = error as? RecordDecodingError {
            return TimelineError(.internal, "a stored record could not be read: \(error.message)")
        }
        return TimelineError(.internal, "the store failed: \(error)")
    }

    /// A failed commit. LMDB reports a short page write as EIO, not ENOSPC (its
    /// `mdb_page_flush` cannot tell why the write stopped), and a filesystem that
    /// fills up mid-commit writes short. So EIO while the filesystem holding the
    /// store has less room than the commit needed is a full disk: `storage_full`,
    /// which clients may retry once space returns. Any other EIO stays `internal`.
    static func commitFailure(_ error: any Error, path: String, bytesNeeded: Int) -> TimelineError {
        if let lmdb = error as? LMDBError, lmdb.code == .ioError, let free = availableBytes(path), free < max(bytesNeeded, 1 << 20) {
            return TimelineError(
                .storageFull,
                "the disk holding the store is full (\(free) bytes left; \(lmdb.description)); nothing was written. Free disk space; appends resume without a restart"
            )
        }
        return map(error)
    }

    /// Bytes an unprivileged writer may still use on the filesystem holding `path`.
    static func availableBytes(_ path: String) -> Int? {
        var fs = statvfs()
        guard statvfs(path, &fs) == 0 else { return nil }
        return Int(fs.f_bavail) * Int(fs.f_frsize)
    }

    static func open(_ error: LMDBError, path: String) -> TimelineError {
        switch error.code {
        case .noEntry:
            return TimelineError(.notFound, "no store at \(path): \(error.message)")
        case .accessDenied:
            return TimelineError(.internal, "the store at \(path) is not accessible: \(error.message)")
        default:
            return TimelineError(.internal, "cannot open the store at \(path): \(error.description)")
        }
    }
}
