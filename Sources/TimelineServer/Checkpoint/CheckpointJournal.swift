import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

/// Every checkpoint the daemon signs, kept in its data directory
/// (`checkpoints.jsonl`, one canonical checkpoint per line), so that
/// `timeline-audit verify --data` checks each one against the log later.
struct CheckpointJournal {
    /// The file name inside the data directory (the auditor reads the same name).
    static let fileName = "checkpoints.jsonl"
    let path: String

    init(dataDirectory: String) { path = dataDirectory + "/" + Self.fileName }

    /// Appends `checkpoint` as one line, durably (one write, then fsync).
    func append(_ checkpoint: JSONValue) throws(TimelineError) {
        let line = CanonicalJSON.encode(checkpoint) + [0x0A]
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw TimelineError(.internal, "cannot open \(path) to keep the checkpoint (errno \(errno)); check the data directory's permissions")
        }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count, fsync(fd) == 0 else {
            throw TimelineError(.storageFull, "the checkpoint could not be written to \(path) (errno \(errno)); free disk space and ask again")
        }
    }
}
