import LMDB

/// The named databases of a store and what each holds.
struct Tables: Sendable {
    /// position → canonical JSON of the recorded event (the log).
    let log: Database
    /// order NUL revision → position.
    let orderEvents: Database
    /// eventId → position.
    let eventIds: Database
    /// raw SHA-256 → evidence bytes.
    let blobs: Database
    /// settings and the chain head.
    let meta: Database
    /// order → stored order state (projection).
    let views: Database
    /// user NUL order → role (projection).
    let byParticipant: Database
    /// state NUL order → empty (projection).
    let byState: Database
    /// dispute status NUL openedAt order → empty (projection).
    let disputeQueue: Database
    /// user → participant figures (projection).
    let participants: Database
    /// due kind NUL order → empty (projection-derived timer table).
    let timers: Database
    /// user NUL reply number → reply time in microseconds; the latest 1000 per user (projection).
    let replyTimes: Database

    /// The projection tables, cleared by a rebuild.
    var projections: [Database] { [views, byParticipant, byState, disputeQueue, participants, timers, replyTimes] }

    static let count = 12

    init(environment env: Environment, create: Bool) throws {
        log = try env.openDatabase(named: "log", create: create)
        orderEvents = try env.openDatabase(named: "orderEvents", create: create)
        eventIds = try env.openDatabase(named: "eventIds", create: create)
        blobs = try env.openDatabase(named: "blobs", create: create)
        meta = try env.openDatabase(named: "meta", create: create)
        views = try env.openDatabase(named: "views", create: create)
        byParticipant = try env.openDatabase(named: "byParticipant", create: create)
        byState = try env.openDatabase(named: "byState", create: create)
        disputeQueue = try env.openDatabase(named: "disputeQueue", create: create)
        participants = try env.openDatabase(named: "participants", create: create)
        timers = try env.openDatabase(named: "timers", create: create)
        replyTimes = try env.openDatabase(named: "replyTimes", create: create)
    }
}

/// Keys of the `meta` table.
enum MetaKey {
    /// position (8) + hash (32) + recordedAt (8) of the last event.
    static let head: [UInt8] = Array("head".utf8)
    static let projectionVersion: [UInt8] = Array("projectionVersion".utf8)
    static let formatVersion: [UInt8] = Array("formatVersion".utf8)
    /// autoEscalateHours (8) + autoConfirmHours (8): the settings the timer table was derived with.
    static let timerSettings: [UInt8] = Array("timerSettings".utf8)
}
