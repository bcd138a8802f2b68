import Dispatch
import Foundation
import Synchronization

/// Runs the part of a log replay that does not depend on neighbours (decoding,
/// hashing) on every core, and the part that does (folding, chaining) in log
/// order on the calling thread.
///
/// The log is read in chunks: while the calling thread consumes one chunk,
/// worker threads transform the next; when the caller is done consuming, it
/// helps transforming the chunk it waits for. Only the calling thread touches
/// the LMDB transaction; the workers read record bytes in place.
public enum ParallelLogScan {
    /// One stored log entry as the walk found it.
    public typealias Entry = (key: UInt64, bytes: UnsafeBufferPointer<UInt8>)

    /// Entries of the log, in place.
    ///
    /// `@unchecked Sendable`: the buffers point into LMDB's map, which stays valid
    /// and unchanged until the transaction ends; ``run(entries:transform:consume:)``
    /// waits for every chunk before it returns, i.e. before the transaction can end.
    @usableFromInline
    struct Chunk: @unchecked Sendable {
        @usableFromInline var records: [UnsafeBufferPointer<UInt8>] = []
        @usableFromInline var keys: [UInt64] = []
        @usableFromInline var count: Int { keys.count }

        @usableFromInline init() {}

        /// An empty chunk with room for a whole one.
        @inlinable static func empty() -> Chunk {
            var c = Chunk()
            c.records.reserveCapacity(chunkRecords)
            c.keys.reserveCapacity(chunkRecords)
            return c
        }
    }

    /// The transform of one chunk, shared by the workers and the consuming thread.
    ///
    /// `@unchecked Sendable`: each slot of `items` is written by exactly one thread
    /// (the one that claimed its block through `next`); it is read only after every
    /// worker counted itself out of `busy` (releasing) and the caller saw it at zero (acquiring),
    /// which orders the writes before the reads.
    @usableFromInline
    final class Scan<Item: Sendable>: @unchecked Sendable {
        @usableFromInline let chunk: Chunk
        @usableFromInline let transform: @Sendable (UnsafeBufferPointer<UInt8>) -> Item?
        @usableFromInline let items: UnsafeMutablePointer<Item?>
        @usableFromInline let next = Atomic<Int>(0)
        /// Workers that have not finished with this chunk yet.
        @usableFromInline let busy = Atomic<Int>(0)
        @usableFromInline static var block: Int { 16 }

        @inlinable init(_ chunk: Chunk, _ transform: @escaping @Sendable (UnsafeBufferPointer<UInt8>) -> Item?) {
            self.chunk = chunk
            self.transform = transform
            items = .allocate(capacity: chunk.count)
            items.initialize(repeating: nil, count: chunk.count)
        }

        deinit {
            items.deinitialize(count: chunk.count)
            items.deallocate()
        }

        /// Waits until every worker is done with the chunk. After the caller helped, the
        /// wait is short (at most one block of transforms), so it spins, yielding the core,
        /// rather than sleeping: waking a sleeping thread costs more than that in a virtual
        /// machine. (Leaving early on an error, it may wait for a whole chunk: milliseconds.)
        @inlinable func waitForWorkers() {
            while busy.load(ordering: .acquiring) > 0 { sched_yield() }
        }

        /// Transforms blocks until none is left.
        @inlinable func work() {
            while true {
                let start = next.add(Self.block, ordering: .relaxed).oldValue
                if start >= chunk.count { return }
                for i in start..<min(start + Self.block, chunk.count) {
                    items[i] = transform(chunk.records[i])
                }
            }
        }
    }

    /// Records per chunk: small enough that a chunk's transforms are still in a cache
    /// (of this core or the next) when they are consumed (4,096 was 7% slower, docs/benchmarks-history.md, session 6 audit).
    @usableFromInline static let chunkRecords = 512
    /// Transforming threads besides the consuming one: one per further core.
    @usableFromInline static let workers: [DispatchQueue] = (0..<max(1, ProcessInfo.processInfo.activeProcessorCount - 1)).map {
        DispatchQueue(label: "timeline.log-scan.\($0)", qos: .userInitiated)
    }

    /// Walks the entries `entries` yields (it calls its argument once per entry,
    /// which returns `false` to stop), transforms each on any core, and calls
    /// `consume` with every entry and its transform (`nil`: the transform declined)
    /// in the walk's order; `consume` may move the transform out of its slot, and
    /// whatever it leaves is freed on a worker thread. `progress` gets the count consumed after each chunk.
    ///
    /// Inlinable, so that callers get it specialized for their `Item` (generic, every
    /// slot access goes through value witnesses, for every record).
    @inlinable
    public static func run<Item: Sendable>(
        entries: ((Entry) throws -> Bool) throws -> Void,
        transform: @escaping @Sendable (UnsafeBufferPointer<UInt8>) -> Item?,
        consume: (Entry, inout Item?) throws -> Void,
        progress: (UInt64) -> Void = { _ in }
    ) throws {
        // The walk's callback captures both; neither outlives this call.
        try withoutActuallyEscaping(consume) { consume in
            try withoutActuallyEscaping(progress) { progress in
                try walk(entries: entries, transform: transform, consume: consume, progress: progress)
            }
        }
    }

    @inlinable
    static func walk<Item: Sendable>(
        entries: ((Entry) throws -> Bool) throws -> Void,
        transform: @escaping @Sendable (UnsafeBufferPointer<UInt8>) -> Item?,
        consume: @escaping (Entry, inout Item?) throws -> Void,
        progress: @escaping (UInt64) -> Void
    ) throws {
        var chunk = Chunk.empty()
        var previous: Scan<Item>?
        var consumed: UInt64 = 0
        // Never leave while a worker may still read the map.
        defer { previous?.waitForWorkers() }

        func drain(_ scan: Scan<Item>) throws {
            scan.work()  // help with whatever is left
            scan.waitForWorkers()
            let c = scan.chunk
            for i in 0..<c.count {
                // Lent in place by address (no copy, no retains); `consume` may also take it.
                try consume((c.keys[i], c.records[i]), &scan.items[i])
            }
            consumed += UInt64(c.count)
            progress(consumed)
            // The transforms are freed by a worker: most were allocated there, and
            // memory freed by the thread that allocated it goes back without a lock.
            // (The walk drops its references right after this; the worker's block runs
            // behind the work it was given, so it releases the last one.)
            workers[0].async { withExtendedLifetime(scan) {} }
        }

        func submit(_ c: Chunk) throws {
            let scan = Scan(c, transform)
            scan.busy.store(workers.count, ordering: .relaxed)
            for worker in workers {
                worker.async {
                    scan.work()
                    scan.busy.subtract(1, ordering: .releasing)
                }
            }
            let waiting = previous
            previous = scan
            if let waiting { try drain(waiting) }
        }

        try entries { entry in
            chunk.records.append(entry.bytes)
            chunk.keys.append(entry.key)
            if chunk.count == chunkRecords {
                try submit(chunk)
                chunk = Chunk.empty()
            }
            return true
        }
        if chunk.count > 0 { try submit(chunk) }
        if let last = previous {
            previous = nil
            try drain(last)
        }
    }
}
