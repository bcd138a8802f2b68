import TimelineModel

/// How durable a commit is.
public enum Durability: String, Sendable, Codable {
    /// fsync on every commit: an acknowledged append survives power loss.
    case strict
    /// No fsync on commit: a machine crash may lose the last commits, never corrupt the store.
    case relaxed
}

/// Store-level settings: the config `store` section under the same names, plus
/// the top-level `dataDirectory` (``path``), `durability` and `timers` hours.
/// The one place their defaults are defined.
public struct StoreConfiguration: Sendable {
    /// The LMDB directory (created if missing).
    public var path: String
    /// The map size the store starts with.
    public var initialMapSizeBytes: Int = 64 << 20
    /// How much the map grows each time it nears full.
    public var mapGrowthBytes: Int = 256 << 20
    /// The map never grows past this; beyond it appends get `storage_full`.
    public var maxMapSizeBytes: Int = 1 << 40
    /// Grow when the used part passes this fraction of the map.
    public var growthThreshold: Double = 0.75
    /// How durable a commit is (config `durability`).
    public var durability: Durability = .strict
    /// LMDB reader slots (concurrent read transactions of every process on the store).
    public var maxReaders: Int = 510
    /// How often the daemon clears reader slots left by dead processes.
    public var readerCheckSeconds: Double = 10
    /// With `relaxed` durability, how often the daemon flushes the log to disk.
    public var relaxedSyncSeconds: Double = 1
    /// Open read-only (the audit tool beside a live daemon, or a copy).
    public var readOnly = false
    /// Timer hours; they shape the timer table and `slaBreached`.
    public var timers = TimerSettings()
    /// Log records per views transaction when views/ is rebuilt into a fresh
    /// environment at start (not a config-file key; tests make it small).
    public var rebuildChunkRecords = 250_000
    /// The daemon's clock; tests inject their own.
    public var clock: @Sendable () -> Timestamp = { Timestamp.now() }

    /// Settings for the store at `path`, every other value at its default.
    public init(path: String) { self.path = path }
}
