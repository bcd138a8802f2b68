import TimelineModel
import TimelineStore

/// A role on the socket; roles are cumulative: admin ⊃ writer ⊃ reader.
public enum PeerRole: String, Sendable, Comparable, CaseIterable {
    case reader, writer, admin

    var rank: Int {
        switch self {
        case .reader: return 0
        case .writer: return 1
        case .admin: return 2
        }
    }

    public static func < (a: PeerRole, b: PeerRole) -> Bool { a.rank < b.rank }
}

/// One `access` rule: peers with this uid (or primary gid) get `role`.
public struct AccessRule: Sendable, Hashable {
    public var uid: UInt32?
    public var gid: UInt32?
    public var role: PeerRole

    public init(uid: UInt32? = nil, gid: UInt32? = nil, role: PeerRole) {
        self.uid = uid
        self.gid = gid
        self.role = role
    }
}

/// Limits of PROTOCOL.md plus the daemon's own (config `limits`).
public struct ServerLimits: Sendable, Hashable {
    public var maxFrameBytes = 16 << 20
    public var maxBatchEvents = 1000
    public var maxEvidenceBytes = 10 << 20
    public var subscriberBufferEvents = 10_000
    public var maxConnections = 4096
    /// Appends waiting for the writer beyond this get `busy`.
    public var maxQueuedAppends = 20_000
    /// Requests of one connection being processed at once (pipelining window).
    public var maxInFlightPerConnection = 1024
    public init() {}
}

/// Everything `timelined` reads from config/timelined.json (DOCS: docs/CONFIG.md).
public struct ServerConfiguration: Sendable {
    public var socketPath = "var/timelined.sock"
    public var socketMode: UInt32 = 0o660
    /// Group name or numeric gid for the socket file; `nil` keeps the daemon's.
    public var socketGroup: String?
    /// The store's settings, each under its config name: `store.*`, and the
    /// top-level `dataDirectory`, `durability` and `timers` hours, which are
    /// views of it. Their defaults are defined once, in ``StoreConfiguration``.
    public var store = StoreConfiguration(path: "var/data")
    /// The data directory (config `dataDirectory`): ``StoreConfiguration/path``.
    public var dataDirectory: String {
        get { store.path }
        set { store.path = newValue }
    }
    public var moderationPath = "config/moderation.json"
    public var limits = ServerLimits()
    /// `nil` = no `access` section: the daemon's own uid is admin, others refused.
    public var access: [AccessRule]?
    /// The timer hours (config `timers.autoEscalateHours`, `timers.autoConfirmHours`):
    /// ``StoreConfiguration/timers``.
    public var timers: TimerSettings {
        get { store.timers }
        set { store.timers = newValue }
    }
    /// How often due timers are looked for (config `timers.checkIntervalSeconds`).
    public var timersCheckIntervalSeconds: Double = 1
    public var logLevel = "info"
    /// The shards orders are spread over and this daemon's (config `cluster`:
    /// `shards`, `shardId`; default one shard, 0): orders of other shards get
    /// `wrong_shard`; the shard id prefixes statement `puid`s and the default checkpoint origin.
    public var cluster = ShardMap.single
    /// The origin line of checkpoint notes (config `checkpoint.origin`, default
    /// `ordertimeline/<shardId>`; DOMAIN.md "Merkle tree").
    public var checkpointOrigin = "ordertimeline/0"
    /// Where Prometheus figures are served (config `metrics`; off by default).
    public var metrics = MetricsSettings()
    /// What statements of reasons say beyond the record (config `dsa`; docs/MODERATION.md).
    public var dsa = DSASettings.defaults
    /// How durable a commit is (config `durability`): ``StoreConfiguration/durability``.
    public var durability: Durability {
        get { store.durability }
        set { store.durability = newValue }
    }

    /// Every setting at its default.
    public init() {}

    /// The store's settings with the daemon's clock.
    public func storeConfiguration(clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }) -> StoreConfiguration {
        var c = store
        c.clock = clock
        return c
    }
}
