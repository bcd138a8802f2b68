/// Who may act on an order (DOMAIN.md "Roles").
public enum ActorRole: String, Sendable, Hashable, CaseIterable, Codable {
    case buyer, seller, support, system
}

/// The author of an event: a role and the user id behind it.
public struct Actor: Sendable, Hashable {
    /// The role the author acts in.
    public var role: ActorRole
    /// The author's user id (for `system`, the component, e.g. `timelined`).
    public var id: String

    /// An actor with `role` and `id`.
    public init(role: ActorRole, id: String) {
        self.role = role
        self.id = id
    }

    /// The wire form `{"role": …, "id": …}`.
    public var json: JSONValue { .object(["role": .string(role.rawValue), "id": .string(id)]) }

    /// The daemon's own identity for timer and moderation events.
    public static let daemon = Actor(role: .system, id: "timelined")
}
