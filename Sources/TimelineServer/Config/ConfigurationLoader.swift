import TimelineModel
import TimelineStore

/// A config file that cannot be used, with a sentence saying what to fix.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension ServerConfiguration {
    /// Reads config/timelined.json's JSON; absent keys keep their defaults,
    /// unknown keys are refused so typos do not pass silently.
    public init(json bytes: [UInt8]) throws(ConfigurationError) {
        self.init()
        let root: [String: JSONValue]
        do {
            guard let o = try JSONParser.parse(bytes).objectValue else { throw ConfigurationError("the config must be a JSON object") }
            root = o
        } catch let error as JSONParseError {
            throw ConfigurationError("the config is not valid JSON: \(error)")
        } catch {
            throw ConfigurationError("\(error)")
        }
        var r = ConfigReader(root, path: "")
        socketPath = try r.string("socketPath") ?? socketPath
        if let mode = try r.string("socketMode") {
            guard let m = UInt32(mode, radix: 8), m <= 0o777 else { throw ConfigurationError("socketMode must be an octal string such as \"0660\"") }
            socketMode = m
        }
        socketGroup = try r.string("socketGroup")
        dataDirectory = try r.string("dataDirectory") ?? dataDirectory
        moderationPath = try r.string("moderationPath") ?? moderationPath
        logLevel = try r.string("logLevel") ?? logLevel
        if let value = try r.string("durability") {
            guard let d = Durability(rawValue: value) else { throw ConfigurationError("durability must be \"strict\" or \"relaxed\"") }
            durability = d
        }
        if var l = try r.object("limits") {
            limits.maxFrameBytes = try l.int("maxFrameBytes", min: 1024) ?? limits.maxFrameBytes
            limits.maxBatchEvents = try l.int("maxBatchEvents", min: 1) ?? limits.maxBatchEvents
            limits.maxEvidenceBytes = try l.int("maxEvidenceBytes", min: 1) ?? limits.maxEvidenceBytes
            limits.subscriberBufferEvents = try l.int("subscriberBufferEvents", min: 1) ?? limits.subscriberBufferEvents
            limits.maxConnections = try l.int("maxConnections", min: 1) ?? limits.maxConnections
            limits.maxQueuedAppends = try l.int("maxQueuedAppends", min: 1) ?? limits.maxQueuedAppends
            limits.maxInFlightPerConnection = try l.int("maxInFlightPerConnection", min: 1) ?? limits.maxInFlightPerConnection
            try l.finish()
        }
        if var t = try r.object("timers") {
            timers.autoEscalateHours = Int64(try t.int("autoEscalateHours", min: 1) ?? Int(timers.autoEscalateHours))
            timers.autoConfirmHours = Int64(try t.int("autoConfirmHours", min: 1) ?? Int(timers.autoConfirmHours))
            timersCheckIntervalSeconds = try t.double("checkIntervalSeconds") ?? timersCheckIntervalSeconds
            try t.finish()
        }
        if var c = try r.object("cluster") {
            let shards = try c.int("shards", min: 1) ?? 1
            let shardId = try c.int("shardId", min: 0) ?? 0
            guard shardId < shards else { throw ConfigurationError("cluster.shardId must be below cluster.shards (\(shards)): shards are numbered 0 to \(shards - 1)") }
            try c.finish()
            cluster = ShardMap(shards: shards, shardId: shardId)
            checkpointOrigin = "ordertimeline/\(shardId)"
        }
        do {
            dsa = try DSASettings(json: r.take("dsa"))
        } catch {
            throw ConfigurationError(error.message)
        }
        if var m = try r.object("metrics") {
            metrics.listen = try m.string("listen")
            metrics.allowNonLoopback = try m.bool("allowNonLoopback") ?? false
            try m.finish()
            do {
                _ = try metrics.address()
            } catch {
                throw ConfigurationError(error.message)
            }
        }
        if var c = try r.object("checkpoint") {
            if let origin = try c.string("origin") {
                guard !origin.isEmpty, !origin.contains("\n"), !origin.unicodeScalars.contains(where: { $0.properties.isWhitespace }) else {
                    throw ConfigurationError("checkpoint.origin must be one non-empty line without spaces, e.g. \"ordertimeline/0\"")
                }
                checkpointOrigin = origin
            }
            try c.finish()
        }
        if var s = try r.object("store") {
            store.initialMapSizeBytes = try s.int("initialMapSizeBytes", min: 1 << 20) ?? store.initialMapSizeBytes
            store.mapGrowthBytes = try s.int("mapGrowthBytes", min: 1 << 20) ?? store.mapGrowthBytes
            store.maxMapSizeBytes = try s.int("maxMapSizeBytes", min: 1 << 20) ?? store.maxMapSizeBytes
            store.maxReaders = try s.int("maxReaders", min: 4) ?? store.maxReaders
            store.readerCheckSeconds = try s.double("readerCheckSeconds") ?? store.readerCheckSeconds
            store.relaxedSyncSeconds = try s.double("relaxedSyncSeconds") ?? store.relaxedSyncSeconds
            try s.finish()
        }
        if let rules = r.take("access") {
            guard case .array(let items) = rules else { throw ConfigurationError("access must be an array of {uid|gid, role} rules") }
            access = try items.enumerated().map { (i, item) throws(ConfigurationError) in
                var a = try ConfigReader(item, path: "access[\(i)]")
                let uid = try a.int("uid", min: 0).map(UInt32.init)
                let gid = try a.int("gid", min: 0).map(UInt32.init)
                guard let roleText = try a.string("role"), let role = PeerRole(rawValue: roleText) else {
                    throw ConfigurationError("access[\(i)].role must be reader, writer or admin")
                }
                guard uid != nil || gid != nil else { throw ConfigurationError("access[\(i)] needs a uid or a gid") }
                try a.finish()
                return AccessRule(uid: uid, gid: gid, role: role)
            }
        }
        _ = r.take("moderation")  // documented in config/moderation.json's own file
        try r.finish()
    }
}

/// Reads config members one by one and refuses leftovers (typos).
struct ConfigReader {
    var members: [String: JSONValue]
    let path: String

    init(_ members: [String: JSONValue], path: String) {
        self.members = members
        self.path = path
    }

    init(_ value: JSONValue, path: String) throws(ConfigurationError) {
        guard let o = value.objectValue else { throw ConfigurationError("\(path) must be an object") }
        self.init(o, path: path)
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func take(_ key: String) -> JSONValue? { members.removeValue(forKey: key) }

    mutating func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let v = take(key), !v.isNull else { return nil }
        guard let s = v.stringValue else { throw ConfigurationError("\(name(key)) must be a string") }
        return s
    }

    mutating func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let v = take(key), !v.isNull else { return nil }
        guard case .bool(let b) = v else { throw ConfigurationError("\(name(key)) must be true or false") }
        return b
    }

    mutating func int(_ key: String, min: Int) throws(ConfigurationError) -> Int? {
        guard let v = take(key), !v.isNull else { return nil }
        guard let i = v.intValue, i >= min else { throw ConfigurationError("\(name(key)) must be an integer ≥ \(min)") }
        return Int(i)
    }

    mutating func double(_ key: String) throws(ConfigurationError) -> Double? {
        guard let v = take(key), !v.isNull else { return nil }
        switch v {
        case .int(let i) where i > 0: return Double(i)
        case .double(let d) where d > 0: return d
        default: throw ConfigurationError("\(name(key)) must be a positive number")
        }
    }

    mutating func object(_ key: String) throws(ConfigurationError) -> ConfigReader? {
        guard let v = take(key), !v.isNull else { return nil }
        return try ConfigReader(v, path: name(key))
    }

    func finish() throws(ConfigurationError) {
        if let extra = members.keys.sorted().first {
            throw ConfigurationError("unknown config key \(name(extra)); see docs/CONFIG.md for the keys")
        }
    }
}
