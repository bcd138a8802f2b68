import LMDB
import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

/// What a restore wrote.
public struct RestoreReport: Sendable {
    public var records: Int
    public var blobs: Int
    public var head: ChainHead
}

extension TimelineStore {
    /// Builds the log of a fresh data directory at `root` from `records` (position 1
    /// on, each the canonical bytes as the lost log held them) and `blobs`; the
    /// daemon's first start derives views/ from it. `storeId` keeps the lost store's id.
    /// - Throws: `bad_request` when `root` already holds a store; `internal` when the
    ///   records do not chain (a record that cannot be read, or a position out of order).
    public static func restoreLog(
        into root: String, records: [[UInt8]], blobs: [[UInt8]], storeId: String?
    ) throws(TimelineError) -> RestoreReport {
        let layout = DataLayout(root: root)
        if layout.holdsStore || layout.holdsSingleEnvironmentStore {
            throw TimelineError(.badRequest, "\(root) already holds a store; restore into a new or empty directory")
        }
        FileSystem.makeDirectory(root)
        let building = root + "/log.restoring"
        FileSystem.removeFlatDirectory(building)
        FileSystem.makeDirectory(building)
        var head = ChainHead.empty
        do {
            let bytes = records.reduce(0) { $0 + $1.count } + blobs.reduce(0) { $0 + $1.count }
            let env = try Environment(path: building, mapSize: max(1 << 26, bytes * 3), maxDatabases: LogTables.count + 2)
            let log = try LogTables(environment: env, create: true)
            for start in stride(from: 0, to: records.count, by: 10_000) {
                try env.write { txn in
                    for (offset, record) in records[start..<min(start + 10_000, records.count)].enumerated() {
                        let position = UInt64(start + offset + 1)
                        let event = try record.withUnsafeBufferPointer { try RecordedEvent(bytes: $0) }
                        guard event.position == position else {
                            throw TimelineError(.internal, "record \(position) of the restore says it is position \(event.position); nothing was restored")
                        }
                        try txn.put(log.records, key: Keys.position(position), value: record, flags: .append)
                        head = ChainHead(position: position, hash: event.hash, recordedAt: event.recordedAt)
                    }
                }
            }
            try env.write { txn in
                for blob in blobs { try txn.put(log.blobs, key: Hashing.bytes(fromHex: Hashing.sha256Hex(blob)) ?? [], value: blob) }
                if head.position > 0 { try txn.put(log.meta, key: LogMetaKey.head, value: encodeHead(head)) }
                try txn.put(log.meta, key: LogMetaKey.formatVersion, value: Keys.uint64(logFormatVersion))
                if let storeId { try txn.put(log.meta, key: LogMetaKey.storeId, value: Array(storeId.utf8)) }
            }
            try env.sync(force: true)
        } catch let error as TimelineError {
            throw error
        } catch {
            throw TimelineError(.internal, "restoring into \(root) failed: \(error); nothing usable was written")
        }
        guard rename(building, layout.log) == 0 else {
            throw TimelineError(.internal, "cannot rename \(building) to \(layout.log): \(String(cString: strerror(errno)))")
        }
        FileSystem.syncDirectory(of: layout.log)
        return RestoreReport(records: records.count, blobs: blobs.count, head: head)
    }
}
