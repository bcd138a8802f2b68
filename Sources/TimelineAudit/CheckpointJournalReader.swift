import Foundation
import TimelineModel

/// The checkpoints a daemon signed, as it keeps them in its data directory
/// (`checkpoints.jsonl`, one signed checkpoint per line, appended by every
/// `admin.checkpoint`), read for `verify --data`, which checks each one against
/// the log (position, hash, time, Merkle root, note) with `checkpoint.pub`.
struct CheckpointJournalReader {
    /// The journal's file name inside a data directory.
    static let fileName = "checkpoints.jsonl"

    var checkpoints: [Checkpoint] = []
    /// Lines that are not checkpoints.
    var findings: [Finding] = []
    /// The data directory's `checkpoint.pub`, when readable.
    var publicKey: [UInt8]?

    init(directory: String) {
        guard let bytes = FileManager.default.contents(atPath: directory + "/" + Self.fileName) else { return }
        publicKey = try? Checkpoint.publicKey(fromFile: directory + "/checkpoint.pub")
        for (n, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: true).enumerated() {
            do {
                checkpoints.append(try Checkpoint(bytes: Array(line)))
            } catch {
                findings.append(Finding(.checkpointMismatch, "line \(n + 1) of \(Self.fileName) is not a signed checkpoint: \(error.message)"))
            }
        }
    }
}
