import TimelineStore

/// The audit's replay over ``ParallelLogScan``: records are scanned (parsed and
/// their own hashes checked) on every core, and fed to the replay in key order.
enum ParallelScan {
    /// Feeds the log entries of `snap` with keys `from...through` into `replay`, in key order.
    static func run(
        _ snap: AuditSnapshot, from: UInt64 = 1, through: UInt64 = .max, into replay: inout ChainReplay, progress: (UInt64) -> Void
    ) throws {
        try ParallelLogScan.run(
            entries: { body in
                try snap.forEachLogEntry(from: from) { key, bytes in key <= through ? try body((key, bytes)) : false }
            },
            transform: { CanonicalRecordScanner.scan($0) },
            consume: { entry, scanned in replay.feed(&scanned, entry.bytes, key: entry.key) },
            progress: progress
        )
    }
}
