import LMDB
import TimelineModel

// MARK: - Reads of the log and its indexes (any thread)

extension TimelineStore {
    /// The stored bytes of one record: canonical JSON, ready to send.
    public typealias RecordBytes = [UInt8]

    /// Decodes the record at `position` inside `txn`.
    func record(at position: UInt64, in txn: some TransactionReading) throws -> RecordedEvent {
        guard let raw = try txn.get(log.records, key: Keys.position(position)) else {
            throw TimelineError(.internal, "the log has no event at position \(position) although an index names it")
        }
        return try RecordedEvent(bytes: raw.assumingMemoryBound(to: UInt8.self))
    }

    /// The stored order state inside `txn`, or `nil`.
    func orderState(_ order: String, in txn: some TransactionReading) throws -> OrderState? {
        guard let raw = try txn.get(viewTables.views, key: Array(order.utf8)) else { return nil }
        return try OrderState(storageJSON: JSONParser.parse(buffer: raw.assumingMemoryBound(to: UInt8.self)))
    }

    static func participant(_ user: String, in txn: some TransactionReading, tables: ViewTables) throws -> ParticipantFigures? {
        guard let raw = try txn.get(tables.participants, key: Array(user.utf8)) else { return nil }
        return try ParticipantFigures(storageJSON: JSONParser.parse(buffer: raw.assumingMemoryBound(to: UInt8.self)))
    }

    /// The recorded event at `position`, or `nil` past the head.
    public func event(at position: UInt64) throws(TimelineError) -> RecordedEvent? {
        guard position <= head.position else { return nil }
        return try reading { s in
            guard try s.log.get(self.log.records, key: Keys.position(position)) != nil else { return nil }
            return try self.record(at: position, in: s.log)
        }
    }

    /// The recorded event with `eventId`, or `nil`.
    public func event(withId eventId: String) throws(TimelineError) -> RecordedEvent? {
        try reading { s in
            guard let raw = try s.views.get(self.viewTables.eventIds, key: Array(eventId.utf8)) else { return nil }
            return try self.record(at: Keys.readUInt64(raw), in: s.log)
        }
    }

    /// Up to `limit` records from `fromPosition` on, as stored bytes, and the
    /// position to continue from (`nil` at the head). Records past the applied
    /// head (durable, not yet visible) are not returned.
    public func logBytes(from fromPosition: UInt64, limit: Int) throws(TimelineError) -> (records: [RecordBytes], next: UInt64?) {
        let visible = head.position
        return try reading { s in
            var records: [RecordBytes] = []
            var next: UInt64?
            try s.log.withCursor(self.log.records) { cursor in
                var entry = try cursor.seek(atLeast: Keys.position(max(fromPosition, 1)))
                while let e = entry, Keys.readUInt64(e.key) <= visible {
                    if records.count == limit { next = Keys.readUInt64(e.key); break }
                    records.append(Array(e.value))
                    entry = try cursor.next()
                }
            }
            return (records, next)
        }
    }

    /// The log's durable head as log/ holds it now, read from log/ alone: what a reader
    /// beside a running daemon (the relay) sees grow, where ``head`` is this process's own.
    public func durableHead() throws(TimelineError) -> ChainHead { try Self.readHead(logEnv, log) }

    /// Up to `limit` records from `fromPosition` on, as stored bytes, read from log/
    /// alone in one snapshot (never views/): every durable record, whether or not
    /// views/ applied it. The relay ships these.
    public func durableRecords(from fromPosition: UInt64, limit: Int) throws(TimelineError) -> [RecordBytes] {
        do {
            return try logEnv.read { txn in
                try txn.withCursor(log.records) { cursor in
                    var records: [RecordBytes] = []
                    var entry = try cursor.seek(atLeast: Keys.position(max(fromPosition, 1)))
                    while let e = entry, records.count < limit {
                        records.append(Array(e.value))
                        entry = try cursor.next()
                    }
                    return records
                }
            }
        } catch {
            throw StoreErrors.map(error)
        }
    }

    /// Up to `limit` decoded records from `fromPosition` on.
    public func events(from fromPosition: UInt64, limit: Int) throws(TimelineError) -> [RecordedEvent] {
        let (records, _) = try logBytes(from: fromPosition, limit: limit)
        do {
            return try records.map { bytes in try bytes.withUnsafeBufferPointer { try RecordedEvent(bytes: $0) } }
        } catch {
            throw StoreErrors.map(error)
        }
    }

    /// An order's records from `fromRevision`, forward or backward, as stored
    /// bytes, with the revision to continue from. `nil` when the order does not exist.
    public func orderEventBytes(
        _ order: String, fromRevision: UInt64, limit: Int, backward: Bool
    ) throws(TimelineError) -> (records: [RecordBytes], next: UInt64?)? {
        try reading { s in
            let prefix = Keys.text(order)
            guard try s.views.get(self.viewTables.views, key: Array(order.utf8)) != nil else { return nil }
            var records: [RecordBytes] = []
            var next: UInt64?
            try s.views.withCursor(self.viewTables.orderEvents) { cursor in
                let start = Keys.orderRevision(order, fromRevision)
                var entry = backward ? try cursor.seek(atMost: start) : try cursor.seek(atLeast: start)
                while let e = entry, Keys.hasPrefix(e.key, prefix) {
                    let revision = Keys.readUInt64(e.key, at: prefix.count)
                    if records.count == limit { next = revision; break }
                    guard let raw = try s.log.get(self.log.records, key: e.value) else { break }
                    records.append(Array(raw))
                    entry = backward ? try cursor.previous() : try cursor.next()
                }
            }
            return (records, next)
        }
    }

    /// An order's decoded records with positions up to `position` (all when `nil`).
    public func orderEvents(_ order: String, upTo position: UInt64? = nil) throws(TimelineError) -> [RecordedEvent] {
        try reading { s in
            var result: [RecordedEvent] = []
            let prefix = Keys.text(order)
            try s.views.withCursor(self.viewTables.orderEvents) { cursor in
                var entry = try cursor.seek(atLeast: prefix)
                while let e = entry, Keys.hasPrefix(e.key, prefix) {
                    let p = Keys.readUInt64(e.value)
                    if let position, p > position { break }
                    result.append(try self.record(at: p, in: s.log))
                    entry = try cursor.next()
                }
            }
            return result
        }
    }

    /// The stored bytes of evidence with this SHA-256 (hex), or `nil`.
    public func blob(sha256 hex: String) throws(TimelineError) -> [UInt8]? {
        guard let key = Hashing.bytes(fromHex: hex), key.count == 32 else { return nil }
        return try reading { s in try s.log.get(self.log.blobs, key: key).map { Array($0) } }
    }
}
