/// The members of a recorded event (PROTOCOL.md "Recorded event"), declared in
/// canonical (code-point) key order: the one list that the writer
/// (``RecordedEvent/seal(prevHash:encodedData:dataHash:)``), the JSON form and its
/// decoder, ``CanonicalRecordReader`` and the audit's known-field check read.
///
/// The raw value is the member's place in canonical order; ``name`` is its key.
public enum RecordField: Int, CaseIterable, Sendable {
    case actor, data, dataHash, eventId, hash, moderation, occurredAt, order, position, prevHash, recordedAt, revision, type

    /// The member's key in the record, e.g. `"dataHash"` (static, for the canonical writer).
    public var key: StaticString {
        switch self {
        case .actor: "actor"
        case .data: "data"
        case .dataHash: "dataHash"
        case .eventId: "eventId"
        case .hash: "hash"
        case .moderation: "moderation"
        case .occurredAt: "occurredAt"
        case .order: "order"
        case .position: "position"
        case .prevHash: "prevHash"
        case .recordedAt: "recordedAt"
        case .revision: "revision"
        case .type: "type"
        }
    }

    /// The member's key as a string.
    public var name: String { Self.names[rawValue] }

    /// The field whose key is `name`, or nil for a key a recorded event does not have.
    public init?(name: String) {
        guard let field = Self.byName[name] else { return nil }
        self = field
    }

    /// Whether the record's `hash` covers this member: `hash` is SHA-256 of
    /// canonical(the record without `hash` and `data`) (DOMAIN.md "Audit rules");
    /// `data` is covered through `dataHash`, which is why a redaction can remove it
    /// and leave the chain intact. The one definition of the hash input.
    public var isHashed: Bool { self != .hash && self != .data }

    /// Whether a record may leave it out: `occurredAt` when the client sent none,
    /// `moderation` on events other than `chat.message`, `data` once redacted.
    public var isOptional: Bool { self == .occurredAt || self == .moderation || self == .data }

    /// Every field, in canonical order: `allCases` built once (the synthesized
    /// `allCases` builds a new array on each use; this is read on every append).
    public static let canonicalOrder: [RecordField] = allCases

    /// Every key, indexed by raw value.
    public static let names: [String] = allCases.map { $0.key.description }

    /// Every key as UTF-8 bytes, indexed by raw value.
    public static let utf8Names: [[UInt8]] = names.map { Array($0.utf8) }

    private static let byName: [String: RecordField] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })
}
