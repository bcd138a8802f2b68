import Dispatch
import Foundation
import Synchronization
import TimelineStore

/// Reads the log in chunks and scans each chunk (parse + hashes: the work that
/// does not depend on neighbours) on a second thread while this thread replays
/// the previous chunk in order; when this thread is done replaying, it helps
/// scanning the current chunk. Only the calling thread touches the LMDB
/// transaction and cursor; the scanners read record bytes in place.
struct ParallelScan {
    /// Records of the snapshot, in place.
    ///
    /// `@unchecked Sendable`: the buffers point into LMDB's read-only map, which
    /// stays valid and unchanged until the read transaction ends; ``run(_:into:progress:)``
    /// waits for every chunk before it returns, i.e. before the transaction can end.
    struct Chunk: @unchecked Sendable {
        var records: [UnsafeBufferPointer<UInt8>] = []
        var keys: [UInt64] = []
        var count: Int { keys.count }
    }

    /// The scan of one chunk, shared by the worker and the replaying thread.
    ///
    /// `@unchecked Sendable`: each slot of `items` is written by exactly one thread
    /// (the one that claimed its block through `next`); it is read only after every
    /// worker left `done` and the helper finished, which orders the writes before the reads.
    final class Scan: @unchecked Sendable {
        let chunk: Chunk
        let items: UnsafeMutablePointer<ChainReplay.Item?>
        let next = Atomic<Int>(0)
        let done = DispatchGroup()
        static let block = 32

        init(_ chunk: Chunk) {
            self.chunk = chunk
            items = .allocate(capacity: chunk.count)
            items.initialize(repeating: nil, count: chunk.count)
        }

        deinit {
            items.deinitialize(count: chunk.count)
            items.deallocate()
        }

        /// Scans blocks until none is left.
        func work() {
            while true {
                let start = next.add(Self.block, ordering: .relaxed).oldValue
                if start >= chunk.count { return }
                for i in start..<min(start + Self.block, chunk.count) {
                    items[i] = CanonicalRecordScanner.scan(chunk.records[i])
                }
            }
        }
    }

    static let chunkRecords = 4096
    /// Scanning threads besides the replaying one: one per further core.
    static let workers: [DispatchQueue] = (0..<max(1, ProcessInfo.processInfo.activeProcessorCount - 1)).map {
        DispatchQueue(label: "timeline-audit.scan.\($0)", qos: .userInitiated)
    }

    /// Feeds every log entry of `snap` into `replay`, in key order.
    static func run(_ snap: AuditSnapshot, into replay: inout ChainReplay, progress: (UInt64) -> Void) throws {
        var chunk = Chunk()
        var previous: Scan?
        var done: UInt64 = 0

        func replayScan(_ scan: Scan) {
            scan.work()  // help with whatever is left
            scan.done.wait()
            let c = scan.chunk
            for i in 0..<c.count {
                // Moved out (no copy, no retains); the slot is left holding nil for deinit.
                let slot = scan.items + i
                let scanned = slot.move()
                slot.initialize(to: nil)
                if let item = scanned {
                    replay.feed(item, key: c.keys[i])
                } else {
                    replay.feed(c.records[i], key: c.keys[i], line: nil)
                }
            }
            done += UInt64(c.count)
            progress(done)
        }

        func submit(_ c: Chunk) {
            let scan = Scan(c)
            for worker in workers {
                scan.done.enter()
                worker.async {
                    scan.work()
                    scan.done.leave()
                }
            }
            if let previous { replayScan(previous) }
            previous = scan
        }

        try snap.forEachLogEntry { key, bytes in
            chunk.records.append(bytes)
            chunk.keys.append(key)
            if chunk.count == chunkRecords {
                submit(chunk)
                chunk = Chunk()
            }
            return true
        }
        if chunk.count > 0 { submit(chunk) }
        if let previous { replayScan(previous) }
    }
}
