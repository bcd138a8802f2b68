import TimelineStore

/// The audit's replay over ``ParallelLogScan``: records are scanned (parsed and
/// their own hashes checked) on every core, and fed to the replay in key order.
enum ParallelScan {
    /// Feeds every log entry of `snap` into `replay`, in key order.
    static func run(_ snap: AuditSnapshot, into replay: inout ChainReplay, progress: (UInt64) -> Void) throws {
        try ParallelLogScan.run(
            entries: { body in try snap.forEachLogEntry { key, bytes in try body((key, bytes)) } },
            transform: { CanonicalRecordScanner.scan($0) },
            consume: { entry, scanned in replay.feed(&scanned, entry.bytes, key: entry.key) },
            progress: progress
        )
    }
}
