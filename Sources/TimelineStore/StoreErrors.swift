import LMDB
import TimelineModel

/// How LMDB failures surface as wire errors.
enum StoreErrors {
    static func map(_ error: any Error) -> TimelineError {
        if let error = error as? TimelineError { return error }
        if let error = error as? LMDBError {
            switch error.code {
            case .mapFull, .noSpace:
                return TimelineError(.storageFull, "the store cannot grow (\(error.message)); nothing was written. Free disk space or raise store.maxMapSizeBytes")
            default:
                return TimelineError(.internal, "the store failed: \(error.description)")
            }
        }
        if let error = error as? RecordDecodingError {
            return TimelineError(.internal, "a stored record could not be read: \(error.message)")
        }
        return TimelineError(.internal, "the store failed: \(error)")
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
