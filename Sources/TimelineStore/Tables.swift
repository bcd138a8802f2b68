import LMDB

/// The named databases of `log/`, the durable environment: the truth.
struct LogTables: Sendable {
    /// position → canonical JSON of the recorded event.
    let records: Database
    /// raw SHA-256 → evidence bytes (written before the event that names them).
    let blobs: Database
    /// the chain head and the log's format version.
    let meta: Database

    static let count = 3

    init(environment env: Environment, create: Bool) throws {
        records = try env.openDatabase(named: "records", create: create)
        blobs = try env.openDatabase(named: "blobs", create: create)
        meta = try env.openDatabase(named: "meta", create: create)
    }
}

/// The named databases of `views/`, the derived environment: everything in it
/// is rebuilt from the log when it is missing, torn or of another format.
struct ViewTables: Sendable {
    /// order NUL revision → position.
    let orderEvents: Database
    /// eventId → position.
    let eventIds: Database
    /// order → stored order state.
    let views: Database
    /// user NUL order → role.
    let byParticipant: Database
    /// state NUL order → empty.
    let byState: Database
    /// dispute status NUL openedAt order → empty.
    let disputeQueue: Database
    /// user → participant figures.
    let participants: Database
    /// due kind NUL order → empty (the timer table).
    let timers: Database
    /// user NUL reply number → reply time in microseconds; the latest 1000 per user.
    let replyTimes: Database
    /// level (1) + index (8) → the hash of a complete Merkle subtree (``MerkleNodes``).
    let merkle: Database
    /// appeal status NUL appeal position → order: the staff queue of `appeals.list`.
    let appeals: Database
    /// raw SHA-256 (32) + position → empty: the evidence events (with data) naming each blob,
    /// so a redaction deletes a blob only when no other event names it.
    let blobRefs: Database
    /// `applied` (the last log record reflected here), the projection version, the timer settings.
    let meta: Database

    /// Every table a rebuild clears.
    var all: [Database] { [orderEvents, eventIds, views, byParticipant, byState, disputeQueue, participants, timers, replyTimes, merkle, appeals, blobRefs, meta] }

    static let count = 13

    init(environment env: Environment, create: Bool) throws {
        orderEvents = try env.openDatabase(named: "orderEvents", create: create)
        eventIds = try env.openDatabase(named: "eventIds", create: create)
        views = try env.openDatabase(named: "views", create: create)
        byParticipant = try env.openDatabase(named: "byParticipant", create: create)
        byState = try env.openDatabase(named: "byState", create: create)
        disputeQueue = try env.openDatabase(named: "disputeQueue", create: create)
        participants = try env.openDatabase(named: "participants", create: create)
        timers = try env.openDatabase(named: "timers", create: create)
        replyTimes = try env.openDatabase(named: "replyTimes", create: create)
        merkle = try env.openDatabase(named: "merkle", create: create)
        appeals = try env.openDatabase(named: "appeals", create: create)
        blobRefs = try env.openDatabase(named: "blobRefs", create: create)
        meta = try env.openDatabase(named: "meta", create: create)
    }
}

/// Keys of the log's `meta` table.
enum LogMetaKey {
    /// position (8) + hash (32) + recordedAt (8) of the last record.
    static let head: [UInt8] = Array("head".utf8)
    /// The log's format version (8).
    static let formatVersion: [UInt8] = Array("formatVersion".utf8)
    /// The store's id: 32 hex digits, made once per data directory.
    static let storeId: [UInt8] = Array("storeId".utf8)
}

/// Keys of the views' `meta` table.
enum ViewStateKey {
    /// position (8) + hash (32) + recordedAt (8) of the last log record reflected
    /// in views/, written in the same transaction as the changes it covers.
    static let applied: [UInt8] = Array("applied".utf8)
    static let projectionVersion: [UInt8] = Array("projectionVersion".utf8)
    /// autoEscalateHours (8) + autoConfirmHours (8): the settings the timer table was derived with.
    static let timerSettings: [UInt8] = Array("timerSettings".utf8)
}
