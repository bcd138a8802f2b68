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
    public var computedHash: String { Hashing.sha256Hex(canonical(data: nil, hashInputOnly: true)) }

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
        hash = Hashing.sha256Hex(canonical(data: nil, hashInputOnly: true))
        return canonical(data: dataBytes, hashInputOnly: false)
    }

    // MARK: - JSON form

    /// The recorded event as a JSON object; absent optional fields are omitted.
    public func json(includeData: Bool = true, includeHash: Bool = true) -> JSONValue {
        var o: [String: JSONValue] = [:]
        for field in RecordField.canonicalOrder {
            if (field == .data && !includeData) || (field == .hash && !includeHash) { continue }
            if let value = json(field) { o[field.name] = value }
        }
        return .object(o)
    }

    /// The member `field` as JSON; nil when the record leaves it out.
    public func json(_ field: RecordField) -> JSONValue? {
        switch field {
        case .actor: return actor.json
        case .data:
            // (Not `isRedacted ? nil : data`: that nil would be JSONValue's null literal.)
            if isRedacted { return Optional.none }
            return data
        case .dataHash: return .string(dataHash)
        case .eventId: return .string(eventId)
        case .hash: return .string(hash)
        case .moderation: return moderation?.json
        case .occurredAt: return occurredAt.map { .string($0) }
        case .order: return .string(order)
        case .position: return .int(Int64(position))
        case .prevHash: return .string(prevHash)
        case .recordedAt: return .string(recordedAt.rfc3339)
        case .revision: return .int(Int64(revision))
        case .type: return .string(type)
        }
    }

    /// The canonical bytes of the whole record: what the log stores and exports.
    public var canonicalBytes: [UInt8] { canonical(data: isRedacted ? nil : CanonicalJSON.encode(data), hashInputOnly: false) }

    /// Canonical JSON written member by member in ``RecordField`` order (the hot
    /// path of every append); equal to `CanonicalJSON.encode(json(…))`.
    /// `data` is given already encoded (`nil`: left out). With `hashInputOnly`,
    /// only the members ``RecordField/isHashed`` names: what `hash` covers.
    func canonical(data encodedData: [UInt8]?, hashInputOnly: Bool) -> [UInt8] {
        var o = CanonicalObject(capacity: 320 + (encodedData?.count ?? 0))
        for field in RecordField.canonicalOrder where field.isHashed || !hashInputOnly {
            let key = field.key
            switch field {
            case .actor:
                o.object(key) { a in
                    a.string("id", actor.id)
                    a.string("role", actor.role.rawValue)
                }
            case .data: if let encodedData { o.canonical(key, encodedData) }
            case .dataHash: o.string(key, dataHash)
            case .eventId: o.string(key, eventId)
            case .hash: o.string(key, hash)
            case .moderation:
                if let moderation {
                    o.object(key) { m in
                        m.strings("rules", moderation.rules)
                        m.string("verdict", moderation.verdict.rawValue)
                    }
                }
            case .occurredAt: if let occurredAt { o.string(key, occurredAt) }
            case .order: o.string(key, order)
            case .position: o.int(key, position)
            case .prevHash: o.string(key, prevHash)
            case .recordedAt: o.time(key, recordedAt)
            case .revision: o.int(key, revision)
            case .type: o.string(key, type)
            }
        }
        return o.finish()
    }

    /// Reads a record from its JSON form, as the log stores or an export carries it.
    public init(json: JSONValue) throws(RecordDecodingError) {
        guard case .object(let o) = json else { throw RecordDecodingError("a record must be a JSON object") }
        func member(_ field: RecordField) -> JSONValue? { o[field.name] }
        func string(_ field: RecordField) throws(RecordDecodingError) -> String {
            guard let s = member(field)?.stringValue else { throw RecordDecodingError("field \(field.name) is missing or not a string") }
            return s
        }
        func count(_ field: RecordField) throws(RecordDecodingError) -> UInt64 {
            guard let i = member(field)?.intValue, i >= 0 else { throw RecordDecodingError("field \(field.name) is missing or not a non-negative integer") }
            return UInt64(i)
        }
        guard let actorObject = member(.actor), let roleText = actorObject["role"]?.stringValue,
              let role = ActorRole(rawValue: roleText), let actorId = actorObject["id"]?.stringValue
        else { throw RecordDecodingError("field actor is missing or malformed") }
        let recordedText = try string(.recordedAt)
        guard let recordedAt = Timestamp(rfc3339: recordedText) else { throw RecordDecodingError("field recordedAt is not RFC 3339") }
        // A record without `data` is a redacted one (``isRedacted``).
        let data = member(.data) ?? .null
        guard data.isNull || data.objectValue != nil else { throw RecordDecodingError("field data is not an object") }
        var moderation: ModerationVerdict?
        if let m = member(.moderation) {
            guard let v = m["verdict"]?.stringValue, let kind = ModerationVerdictKind(rawValue: v),
                  let rules = m["rules"]?.arrayValue?.compactMap({ $0.stringValue })
            else { throw RecordDecodingError("field moderation is malformed") }
            moderation = ModerationVerdict(verdict: kind, rules: rules)
        }
        self.init(
            position: try count(.position), order: try string(.order), revision: try count(.revision),
            eventId: try string(.eventId), type: try string(.type), actor: Actor(role: role, id: actorId),
            recordedAt: recordedAt, occurredAt: member(.occurredAt)?.stringValue, data: data, moderation: moderation,
            dataHash: try string(.dataHash), prevHash: try string(.prevHash), hash: try string(.hash)
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
