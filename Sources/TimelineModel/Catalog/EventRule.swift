/// One row of the event catalog: who may append a type, its data schema, when
/// it is allowed and what it does to the order. ``Catalog`` holds the table.
public final class EventRule: Sendable {
    /// What the `allowed` check sees.
    public struct Context {
        public var state: OrderState?
        public var actor: Actor
        public var data: [String: JSONValue]
        public var recordedAt: Timestamp
    }

    public let type: String
    /// The roles that may append this type.
    public let roles: Set<ActorRole>
    public let schema: DataSchema
    /// Who may append it: most types come from clients; some only through
    /// `evidence.put` or from the daemon itself.
    public let origins: Set<AppendOrigin>
    /// Checks across fields that the schema cannot express; returns (field, message).
    let refine: @Sendable ([String: JSONValue]) -> (field: String, message: String)?
    /// Returns a reason a person understands when the event is illegal in this state.
    let allowed: @Sendable (Context) -> String?
    /// Folds the recorded event into the order state.
    let apply: @Sendable (inout OrderState?, RecordedEvent, inout [ParticipantEffect]) -> Void

    init(
        _ type: String, roles: Set<ActorRole>, schema: DataSchema = .empty,
        origins: Set<AppendOrigin> = [.client, .daemon],
        refine: @escaping @Sendable ([String: JSONValue]) -> (field: String, message: String)? = { _ in nil },
        allowed: @escaping @Sendable (Context) -> String?,
        apply: @escaping @Sendable (inout OrderState?, RecordedEvent, inout [ParticipantEffect]) -> Void
    ) {
        self.type = type
        self.roles = roles
        self.schema = schema
        self.origins = origins
        self.refine = refine
        self.allowed = allowed
        self.apply = apply
    }
}
