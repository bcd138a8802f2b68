import TimelineStore

/// The audit's replay over ``ParallelLogScan``: records are scanned (parsed and
/// their own hashes checked) on every core, and fed to the replay in key order.
enum ParallelScan {
    /// Feeds every log entry of `snap` into `replay`, in key order.
    static func run(_ snap: AuditSnapshot, into replay: inout ChainReplay, progress: (UInt64) -> Void) throws {
        try ParallelLogScan.run(
            entries: { body in try snap.forEachLogEntry { key, bytes in try body((key, bytes)) } },
            transform: { CanonicalRecordScanner.scan($0) },
            consume: { (entry, scanned: borrowing ChainReplay.Item?) in
                switch scanned {
                case .some(let item): replay.feed(item, key: entry.key)
                case .none: replay.feed(entry.bytes, key: entry.key, line: nil)
                }
            },
            progress: progress
        )
    }
}
