import LMDB
import TimelineModel

// MARK: - Raw, read-only access for the audit (TimelineAudit)

/// One consistent read snapshot of every table the audit checks, with the key
/// encodings decoded: views/ read first, then the log (which therefore holds
/// at least every record views/ reflects, and perhaps more after kill -9).
/// Buffers handed to the closures are valid only inside them.
///
/// ```swift
/// try store.withAuditSnapshot { snap in
///     try snap.forEachLogEntry { key, bytes in print(key, bytes.count); return true }
/// }
/// ```
public struct AuditSnapshot {
    /// The views/ read transaction.
    let txn: ReadTransaction
    /// The log/ read transaction.
    let logTxn: ReadTransaction
    let tables: ViewTables
    let log: LogTables

    /// The chain head the log's `meta` table records.
    public func head() throws -> ChainHead { try TimelineStore.head(in: logTxn, log: log) }

    /// The last log record views/ reflects (position and hash; no time).
    public func applied() throws -> ChainHead { try TimelineStore.applied(in: txn, tables: tables) }

    /// Which committed state this snapshot reads: two snapshots with the same id see the same data.
    public var snapshotID: Int { txn.snapshotID &* 1_000_003 &+ logTxn.snapshotID }

    /// The number of entries in the log table.
    public func logCount() throws -> Int { try logTxn.count(log.records) }

    /// Every log entry from key `from` on, in key order: the key as a position
    /// and the stored bytes. `body` returns `false` to stop.
    public func forEachLogEntry(from: UInt64 = 1, _ body: (UInt64, UnsafeBufferPointer<UInt8>) throws -> Bool) throws {
        try logTxn.withCursor(log.records) { cursor in
            var entry = try cursor.seek(atLeast: Keys.position(from))
            while let e = entry {
                let key = e.key.count == 8 ? Keys.readUInt64(e.key) : 0
                if try !body(key, e.value.assumingMemoryBound(to: UInt8.self)) { return }
                entry = try cursor.next()
            }
        }
    }

    /// Every `orderEvents` index entry: order, revision and the position it names.
    public func forEachOrderEvent(_ body: (String, UInt64, UInt64) throws -> Void) throws {
        try txn.withCursor(tables.orderEvents) { cursor in
            var entry = try cursor.first()
            while let e = entry {
                if let nul = e.key.firstIndex(of: 0), e.key.count == nul + 9, e.value.count == 8 {
                    let order = String(decoding: UnsafeRawBufferPointer(rebasing: e.key[..<nul]), as: UTF8.self)
                    try body(order, Keys.readUInt64(e.key, at: nul + 1), Keys.readUInt64(e.value))
                } else {
                    try body("", UInt64.max, 0)
                }
                entry = try cursor.next()
            }
        }
    }

    /// Every `eventIds` index entry: the raw eventId bytes and the position it names.
    public func forEachEventId(_ body: (UnsafeRawBufferPointer, UInt64) throws -> Void) throws {
        try txn.withCursor(tables.eventIds) { cursor in
            var entry = try cursor.first()
            while let e = entry {
                try body(e.key, e.value.count == 8 ? Keys.readUInt64(e.value) : 0)
                entry = try cursor.next()
            }
        }
    }

    /// The evidence bytes stored under the raw 32-byte SHA-256 `key`, or `nil`.
    public func blob(rawKey key: [UInt8]) throws -> UnsafeRawBufferPointer? { try logTxn.get(log.blobs, key: key) }

    /// Every stored blob: its key (hex) and its bytes.
    public func forEachBlob(_ body: (String, UnsafeRawBufferPointer) throws -> Void) throws {
        try logTxn.withCursor(log.blobs) { cursor in
            var entry = try cursor.first()
            while let e = entry {
                try body(Hashing.hex(e.key), e.value)
                entry = try cursor.next()
            }
        }
    }

    /// Every stored order view (the `views` projection): order id and stored bytes.
    public func forEachStoredView(_ body: (String, UnsafeRawBufferPointer) throws -> Void) throws {
        try txn.withCursor(tables.views) { cursor in
            var entry = try cursor.first()
            while let e = entry {
                try body(String(decoding: e.key, as: UTF8.self), e.value)
                entry = try cursor.next()
            }
        }
    }

    /// Every `byState` entry as (state, order).
    public func forEachStateIndex(_ body: (String, String) throws -> Void) throws {
        try forEachNulPair(tables.byState, body)
    }

    /// Every `byParticipant` entry as (user, order).
    public func forEachParticipantIndex(_ body: (String, String) throws -> Void) throws {
        try forEachNulPair(tables.byParticipant, body)
    }

    /// Every `disputeQueue` entry as (status, openedAt, order).
    public func forEachDisputeEntry(_ body: (String, Timestamp, String) throws -> Void) throws {
        try txn.withCursor(tables.disputeQueue) { cursor in
            var entry = try cursor.first()
            while let e = entry {
                let nul = e.key.firstIndex(of: 0) ?? e.key.count
                let status = String(decoding: UnsafeRawBufferPointer(rebasing: e.key[..<nul]), as: UTF8.self)
                let timeAt = nul + 1
                if timeAt + 8 <= e.key.count {
                    try body(status, Keys.readTime(e.key, at: timeAt), Keys.suffix(e.key, after: timeAt + 8))
                } else {
                    try body(status, Timestamp(microseconds: 0), "")
                }
                entry = try cursor.next()
            }
        }
    }

    /// Every `appeals` entry as (status, appeal position, order).
    public func forEachAppealEntry(_ body: (String, UInt64, String) throws -> Void) throws {
        try txn.withCursor(tables.appeals) { cursor in
            var entry = try cursor.first()
            while let e = entry {
                let nul = e.key.firstIndex(of: 0) ?? e.key.count
                let status = String(decoding: UnsafeRawBufferPointer(rebasing: e.key[..<nul]), as: UTF8.self)
                let position = nul + 9 == e.key.count ? Keys.readUInt64(e.key, at: nul + 1) : 0
                try body(status, position, String(decoding: e.value, as: UTF8.self))
                entry = try cursor.next()
            }
        }
    }

    /// Every `blobRefs` entry as (hex SHA-256, position); a malformed key gives ("", 0).
    public func forEachBlobRef(_ body: (String, UInt64) throws -> Void) throws {
        try txn.withCursor(tables.blobRefs) { cursor in
            var entry = try cursor.first()
            while let e = entry {
                if e.key.count == 40 {
                    try body(Hashing.hex(Array(e.key[..<32])), Keys.readUInt64(e.key, at: 32))
                } else {
                    try body("", 0)
                }
                entry = try cursor.next()
            }
        }
    }

    /// Every stored participant figure: user and stored bytes.
    public func forEachParticipant(_ body: (String, UnsafeRawBufferPointer) throws -> Void) throws {
        try txn.withCursor(tables.participants) { cursor in
            var entry = try cursor.first()
            while let e = entry {
                try body(String(decoding: e.key, as: UTF8.self), e.value)
                entry = try cursor.next()
            }
        }
    }

    /// The projection version the store's projections were written with, if recorded.
    public func projectionVersion() throws -> UInt64? {
        try txn.get(tables.meta, key: ViewStateKey.projectionVersion).flatMap { $0.count == 8 ? Keys.readUInt64($0) : nil }
    }

    /// Every `merkle` row as (level, index, hash) in key order; a key that does not decode gives level `nil`.
    public func forEachMerkleNode(_ body: (Int?, UInt64, UnsafeRawBufferPointer) throws -> Void) throws {
        try txn.withCursor(tables.merkle) { cursor in
            var entry = try cursor.first()
            while let e = entry {
                if e.key.count == 9 {
                    try body(Int(e.key[0]), Keys.readUInt64(e.key, at: 1), e.value)
                } else {
                    try body(nil, 0, e.value)
                }
                entry = try cursor.next()
            }
        }
    }

    /// The timer settings the timer table was derived with, if the store records them.
    public func timerSettings() throws -> TimerSettings? {
        try txn.get(tables.meta, key: ViewStateKey.timerSettings).flatMap(TimelineStore.decodeTimerSettings)
    }

    /// Every `timers` row as (due, kind, order); a row that does not decode gives kind `nil`.
    public func forEachTimer(_ body: (Timestamp, TimerKind?, String) throws -> Void) throws {
        try txn.withCursor(tables.timers) { cursor in
            var entry = try cursor.first()
            while let e = entry {
                let rest = e.key.count > 8 ? UnsafeRawBufferPointer(rebasing: e.key[8...]) : UnsafeRawBufferPointer(start: nil, count: 0)
                if e.key.count > 8, let nul = rest.firstIndex(of: 0) {
                    let kind = TimerKind(rawValue: String(decoding: UnsafeRawBufferPointer(rebasing: rest[..<nul]), as: UTF8.self))
                    try body(Keys.readTime(e.key, at: 0), kind, String(decoding: UnsafeRawBufferPointer(rebasing: rest[(nul + 1)...]), as: UTF8.self))
                } else {
                    try body(Timestamp(microseconds: 0), nil, "")
                }
                entry = try cursor.next()
            }
        }
    }

    /// Every `replyTimes` row as (user, reply number, reply time in microseconds).
    public func forEachReplyTime(_ body: (String, UInt64, Int64) throws -> Void) throws {
        try txn.withCursor(tables.replyTimes) { cursor in
            var entry = try cursor.first()
            while let e = entry {
                let nul = e.key.firstIndex(of: 0) ?? e.key.count
                let user = String(decoding: UnsafeRawBufferPointer(rebasing: e.key[..<nul]), as: UTF8.self)
                let number = nul + 9 == e.key.count ? Keys.readUInt64(e.key, at: nul + 1) : 0
                let micros = e.value.count == 8 ? Int64(bitPattern: Keys.readUInt64(e.value)) : .min
                try body(user, number, micros)
                entry = try cursor.next()
            }
        }
    }

    private func forEachNulPair(_ table: Database, _ body: (String, String) throws -> Void) throws {
        try txn.withCursor(table) { cursor in
            var entry = try cursor.first()
            while let e = entry {
                let nul = e.key.firstIndex(of: 0) ?? e.key.count
                let first = String(decoding: UnsafeRawBufferPointer(rebasing: e.key[..<nul]), as: UTF8.self)
                try body(first, nul < e.key.count ? Keys.suffix(e.key, after: nul + 1) : "")
                entry = try cursor.next()
            }
        }
    }
}

extension TimelineStore {
    /// Runs `body` on one read snapshot of the raw tables (never blocks the writer).
    public func withAuditSnapshot<T>(_ body: (AuditSnapshot) throws -> T) throws -> T {
        try viewsEnv.read { views in
            try logEnv.read { logTxn in try body(AuditSnapshot(txn: views, logTxn: logTxn, tables: viewTables, log: log)) }
        }
    }

    /// The path of the store's directory.
    public var path: String { configuration.path }
}
