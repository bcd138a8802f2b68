/// One row of the event catalog: who may append a type, its data schema, when
/// it is allowed and what it does to the order. ``Catalog`` holds the table.
public final class EventRule: Sendable {
    /// What the `allowed` check sees beside the order state (which it is lent, not
    /// given a copy of: an `OrderState` copy retains every string and collection in it).
    public struct Context {
        public var actor: Actor
        public var data: [String: JSONValue]
        public var recordedAt: Timestamp
        /// How many days after a verdict its author may appeal it (`moderation.appealWindowDays`);
        /// `nil` when the caller does not know the configuration (the audit), which leaves the window unchecked.
        public var appealWindowDays: Int?
    }

    public let type: String
    /// The roles that may append this type.
    public let roles: Set<ActorRole>
    public let schema: DataSchema
    /// Who may append it: most types come from clients; some only through
    /// `evidence.put` or from the daemon itself.
    public let origins: Set<AppendOrigin>
    /// ``roles`` and ``origins`` as bit sets: the check every append and audit step makes, without hashing.
    private let roleBits: UInt8
    private let originBits: UInt8
    /// Checks across fields that the schema cannot express; returns (field, message).
    let refine: @Sendable ([String: JSONValue]) -> (field: String, message: String)?
    /// Returns a reason a person understands when the event is illegal in this state (the order exists: `order.placed` is checked apart).
    ///
    /// The state is `inout` only so that it is lent by address: passed by value, the
    /// 544-byte struct is copied on every check. No check changes it.
    let allowed: @Sendable (inout OrderState, Context) -> String?
    /// For types whose author depends on the order (an appeal comes from the
    /// message's own author): a reason when `actor` may not append it here,
    /// refused as `invalid_event` on `actor.id`.
    let author: (@Sendable (inout OrderState, Context) -> String?)?
    /// Folds the recorded event into the order state.
    let apply: @Sendable (inout OrderState?, RecordedEvent, inout [ParticipantEffect]) -> Void

    init(
        _ type: String, roles: Set<ActorRole>, schema: DataSchema = .empty,
        origins: Set<AppendOrigin> = [.client, .daemon],
        refine: @escaping @Sendable ([String: JSONValue]) -> (field: String, message: String)? = { _ in nil },
        author: (@Sendable (inout OrderState, Context) -> String?)? = nil,
        allowed: @escaping @Sendable (inout OrderState, Context) -> String?,
        apply: @escaping @Sendable (inout OrderState?, RecordedEvent, inout [ParticipantEffect]) -> Void
    ) {
        self.type = type
        self.roles = roles
        self.schema = schema
        self.origins = origins
        roleBits = roles.reduce(0) { $0 | Self.bit($1) }
        originBits = origins.reduce(0) { $0 | Self.bit($1) }
        self.refine = refine
        self.author = author
        self.allowed = allowed
        self.apply = apply
    }

    /// Whether `role` may append this type (``roles`` contains it).
    public func allows(_ role: ActorRole) -> Bool { roleBits & Self.bit(role) != 0 }

    /// Whether this type may come this way (``origins`` contains it).
    public func allows(_ origin: AppendOrigin) -> Bool { originBits & Self.bit(origin) != 0 }

    private static func bit(_ role: ActorRole) -> UInt8 {
        switch role {
        case .buyer: 1
        case .seller: 2
        case .support: 4
        case .system: 8
        }
    }

    private static func bit(_ origin: AppendOrigin) -> UInt8 {
        switch origin {
        case .client: 1
        case .evidencePut: 2
        case .daemon: 4
        }
    }
}
