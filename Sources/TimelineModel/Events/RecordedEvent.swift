/// One event as the log holds it: the client's request stamped with its place
/// in the log, the daemon's clock and the hash chain (PROTOCOL.md "Recorded event").
public struct RecordedEvent: Sendable, Hashable {
    public var position: UInt64
    public var order: String
    public var revision: UInt64
    public var eventId: String
    public var type: String
    public var actor: Actor
    public var recordedAt: Timestamp
    /// Client-supplied RFC 3339 text, kept as sent.
    public var occurredAt: String?
    /// An object (`{}` when empty), or `.null` once the event is redacted
    /// (``isRedacted``): the record then has no `data` member, and its
    /// `dataHash`, `hash` and chain stay as they were.
    public var data: JSONValue
    public var dataHash: String
    /// Present on `chat.message` only.
    public var moderation: ModerationVerdict?
    public var prevHash: String
    public var hash: String

    /// A recorded event with every field given; ``seal(prevHash:)`` fills the hashes.
    public init(
        position: UInt64, order: String, revision: UInt64, eventId: String, type: String, actor: Actor,
        recordedAt: Timestamp, occurredAt: String? = nil, data: JSONValue, moderation: ModerationVerdict? = nil,
        dataHash: String = "", prevHash: String = "", hash: String = ""
    ) {
        self.position = position
        self.order = order
        self.revision = revision
        self.eventId = eventId
        self.type = type
        self.actor = actor
        self.recordedAt = recordedAt
        self.occurredAt = occurredAt
        self.data = data
        self.moderation = moderation
        self.dataHash = dataHash
        self.prevHash = prevHash
        self.hash = hash
    }

    /// Whether `redaction.applied` removed this event's `data` (DOMAIN.md "Audit rules": Redaction).
    public var isRedacted: Bool { data.isNull }

    /// This event as a redaction leaves it: the same fields and hashes, no `data`.
    public var redacted: RecordedEvent {
        var copy = self
        copy.data = .null
        return copy
    }

    // MARK: - Hash chain (DOMAIN.md "Audit rules")

    /// `dataHash` as the audit rules define it: SHA-256 of canonical(data).
    public var computedDataHash: String { Hashing.sha256Hex(CanonicalJSON.encode(data)) }

    /// `hash` as the audit rules define it: SHA-256 of canonical(event without `hash` and `data`),
    /// using the `dataHash` and `prevHash` this event carries.
    public var computedHash: String { Hashing.sha256Hex(canonical(data: nil, includeHash: false)) }

    /// Fills `dataHash`, `prevHash` and `hash` so this event chains after
    /// `prevHash`, and returns the canonical bytes of the whole record (what the
    /// log stores). `data` is encoded once, for its hash and for the record.
    /// `encodedData` and `dataHash`, when given, must be `canonical(data)` and its
    /// hash, computed earlier (off the writer thread).
    @discardableResult
    public mutating func seal(prevHash: String, encodedData: [UInt8]? = nil, dataHash knownDataHash: String? = nil) -> [UInt8] {
        self.prevHash = prevHash
        let dataBytes = encodedData ?? CanonicalJSON.encode(data)
        dataHash = knownDataHash ?? Hashing.sha256Hex(dataBytes)
        hash = Hashing.sha256Hex(canonical(data: nil, includeHash: false))
        return canonical(data: dataBytes, includeHash: true)
    }

    // MARK: - JSON form

    /// The recorded event as a JSON object; absent optional fields are omitted.
    public func json(includeData: Bool = true, includeHash: Bool = true) -> JSONValue {
        var o: [String: JSONValue] = [
            "position": .int(Int64(position)),
            "order": .string(order),
            "revision": .int(Int64(revision)),
            "eventId": .string(eventId),
            "type": .string(type),
            "actor": actor.json,
            "recordedAt": .string(recordedAt.rfc3339),
            "dataHash": .string(dataHash),
            "prevHash": .string(prevHash),
        ]
        if let occurredAt { o["occurredAt"] = .string(occurredAt) }
        if let moderation { o["moderation"] = moderation.json }
        if includeData && !isRedacted { o["data"] = data }
        if includeHash { o["hash"] = .string(hash) }
        return .object(o)
    }

    /// The canonical bytes of the whole record: what the log stores and exports.
    public var canonicalBytes: [UInt8] { canonical(data: isRedacted ? nil : CanonicalJSON.encode(data), includeHash: true) }

    /// Canonical JSON written field by field in code-point key order (the hot
    /// path of every append); equal to `CanonicalJSON.encode(json(…))`.
    /// `data` is given already encoded; `nil` leaves it out (the hash input).
    func canonical(data encodedData: [UInt8]?, includeHash: Bool) -> [UInt8] {
        var o = CanonicalObject(capacity: 320 + (encodedData?.count ?? 0))
        o.object("actor") { a in
            a.string("id", actor.id)
            a.string("role", actor.role.rawValue)
        }
        if let encodedData { o.canonical("data", encodedData) }
        o.string("dataHash", dataHash)
        o.string("eventId", eventId)
        if includeHash { o.string("hash", hash) }
        if let moderation {
            o.object("moderation") { m in
                m.strings("rules", moderation.rules)
                m.string("verdict", moderation.verdict.rawValue)
            }
        }
        if let occurredAt { o.string("occurredAt", occurredAt) }
        o.string("order", order)
        o.int("position", position)
        o.string("prevHash", prevHash)
        o.time("recordedAt", recordedAt)
        o.int("revision", revision)
        o.string("type", type)
        return o.finish()
    }

    /// Reads a record from its JSON form, as the log stores or an export carries it.
    public init(json: JSONValue) throws(RecordDecodingError) {
        guard case .object(let o) = json else { throw RecordDecodingError("a record must be a JSON object") }
        func string(_ key: String) throws(RecordDecodingError) -> String {
            guard let s = o[key]?.stringValue else { throw RecordDecodingError("field \(key) is missing or not a string") }
            return s
        }
        func count(_ key: String) throws(RecordDecodingError) -> UInt64 {
            guard let i = o[key]?.intValue, i >= 0 else { throw RecordDecodingError("field \(key) is missing or not a non-negative integer") }
            return UInt64(i)
        }
        guard let actorObject = o["actor"], let roleText = actorObject["role"]?.stringValue,
              let role = ActorRole(rawValue: roleText), let actorId = actorObject["id"]?.stringValue
        else { throw RecordDecodingError("field actor is missing or malformed") }
        let recordedText = try string("recordedAt")
        guard let recordedAt = Timestamp(rfc3339: recordedText) else { throw RecordDecodingError("field recordedAt is not RFC 3339") }
        // A record without `data` is a redacted one (``isRedacted``).
        let data = o["data"] ?? .null
        guard data.isNull || data.objectValue != nil else { throw RecordDecodingError("field data is not an object") }
        var moderation: ModerationVerdict?
        if let m = o["moderation"] {
            guard let v = m["verdict"]?.stringValue, let kind = ModerationVerdictKind(rawValue: v),
                  let rules = m["rules"]?.arrayValue?.compactMap({ $0.stringValue })
            else { throw RecordDecodingError("field moderation is malformed") }
            moderation = ModerationVerdict(verdict: kind, rules: rules)
        }
        self.init(
            position: try count("position"), order: try string("order"), revision: try count("revision"),
            eventId: try string("eventId"), type: try string("type"), actor: Actor(role: role, id: actorId),
            recordedAt: recordedAt, occurredAt: o["occurredAt"]?.stringValue, data: data, moderation: moderation,
            dataHash: try string("dataHash"), prevHash: try string("prevHash"), hash: try string("hash")
        )
    }

    /// Reads a record from its stored bytes.
    public init(bytes: UnsafeBufferPointer<UInt8>) throws(RecordDecodingError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(buffer: bytes)
        } catch {
            throw RecordDecodingError("the record is not valid JSON: \(error.message)")
        }
        try self.init(json: value)
    }
}

/// A stored or exported record that cannot be read back.
public struct RecordDecodingError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, as a sentence.
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension ModerationVerdict {
    /// The wire form `{"verdict": …, "rules": […]}`.
    public var json: JSONValue {
        .object(["verdict": .string(verdict.rawValue), "rules": .array(rules.map { .string($0) })])
    }
}
