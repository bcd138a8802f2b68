/// The event catalog of DOMAIN.md as one table. The same table drives append
/// validation (``validate(_:state:index:origin:recordedAt:)``), the projections
/// (``apply(_:to:)``) and the audit's replay.
public enum Catalog {
    /// Every event type, by name.
    public static let rules: [String: EventRule] = Dictionary(
        uniqueKeysWithValues: (orderRules + disputeRules + conversationRules + redressRules).map { ($0.type, $0) }
    )

    /// The type names, sorted.
    public static var types: [String] { rules.keys.sorted() }

    /// Checks `event` against its schema, its author and the order's `state`.
    /// `appealWindowDays` is `moderation.appealWindowDays`; `nil` leaves the appeal window unchecked.
    /// - Throws: `invalid_event` (schema, type, role, party) or `invalid_transition` (state).
    public static func validate(
        _ event: EventInput, state: OrderState?, index: Int, origin: AppendOrigin, recordedAt: Timestamp, appealWindowDays: Int? = nil
    ) throws(TimelineError) {
        let rule = try checkShape(type: event.type, actor: event.actor, data: event.data, index: index, origin: origin)
        var state = state
        try checkTransition(rule, actor: event.actor, data: event.data, state: &state, index: index, recordedAt: recordedAt, appealWindowDays: appealWindowDays)
    }

    /// The half of ``validate(_:state:index:origin:recordedAt:)`` that needs no
    /// order state: the type is known, comes the way it may, from a role that may
    /// append it, and its data fits the schema. Returns the type's rule.
    /// - Throws: `invalid_event`.
    @discardableResult
    public static func checkShape(type: String, actor: Actor, data: JSONValue, index: Int, origin: AppendOrigin) throws(TimelineError) -> EventRule {
        guard let rule = rules[type] else {
            throw .invalidEvent("unknown event type \"\(type)\"; known types: \(types.joined(separator: ", "))", index: index, field: "type")
        }
        guard rule.allows(origin) else {
            let how = rule.origins.contains(.evidencePut) ? "through evidence.put" : "by the daemon itself"
            throw .invalidEvent("\(type) events are appended only \(how)", index: index, field: "type")
        }
        guard rule.allows(actor.role) else {
            let roles = rule.roles.map(\.rawValue).sorted().joined(separator: ", ")
            throw .invalidEvent("a \(actor.role.rawValue) may not append \(type); allowed roles: \(roles)", index: index, field: "actor.role")
        }
        guard let members = data.objectValue else {
            throw .invalidEvent("data must be an object", index: index, field: "data")
        }
        if let problem = rule.schema.check(members) ?? rule.refine(members) {
            throw .invalidEvent(problem.message, index: index, field: problem.field)
        }
        return rule
    }

    /// The half of ``validate(_:state:index:origin:recordedAt:)`` that needs the
    /// order: the author is the order's own buyer or seller, and the event is
    /// allowed in `state`. Call it after ``checkShape(type:actor:data:index:origin:)`` passed.
    /// - Throws: `invalid_event` (party) or `invalid_transition`.
    public static func checkTransition(
        _ rule: EventRule, actor: Actor, data: JSONValue, state: inout OrderState?, index: Int, recordedAt: Timestamp, appealWindowDays: Int? = nil
    ) throws(TimelineError) {
        // `state` is `inout` only so that it is lent to the checks by address, never
        // copied (a copy of the 544-byte struct, with a retain of every string and
        // collection in it, on every append and audit step). Nothing here changes it.
        let members = data.objectValue ?? [:]
        try checkParty(actor, state: &state, data: members, index: index)
        if case .none = state {
            if rule.type == "order.placed" { return }
            throw .invalidTransition("the order does not exist yet; its first event must be order.placed", index: index, state: "none")
        }
        let context = EventRule.Context(actor: actor, data: members, recordedAt: recordedAt, appealWindowDays: appealWindowDays)
        if let authorCheck = rule.author, let reason = state?.inPlace({ authorCheck(&$0, context) }) ?? nil {
            throw .invalidEvent(reason, index: index, field: "actor.id")
        }
        if let reason = state?.inPlace({ rule.allowed(&$0, context) }) ?? nil {
            throw .invalidTransition(reason, index: index, state: state?.status.rawValue ?? "none")
        }
    }

    /// A buyer or seller must be the order's own buyer or seller.
    static func checkParty(_ actor: Actor, state: inout OrderState?, data: [String: JSONValue], index: Int) throws(TimelineError) {
        let role = actor.role
        guard role == .buyer || role == .seller else { return }
        let expected: String?
        if case .some = state {
            expected = state?.userId(for: role)
        } else {
            expected = data[role.rawValue]?.stringValue
        }
        if let expected, expected != actor.id {
            throw .invalidEvent("actor \(actor.id) is not this order's \(role.rawValue) (\(expected))", index: index, field: "actor.id")
        }
    }

    /// Folds `event` into `state` and reports what it changes for participants.
    @discardableResult
    public static func apply(_ event: RecordedEvent, to state: inout OrderState?) -> [ParticipantEffect] {
        apply(event, rule: rules[event.type], to: &state)
    }

    /// ``apply(_:to:)`` with the event type's rule already looked up (`nil`: an unknown type, which changes nothing but the counters).
    @discardableResult
    public static func apply(_ event: RecordedEvent, rule: EventRule?, to state: inout OrderState?) -> [ParticipantEffect] {
        var effects: [ParticipantEffect] = []
        rule?.apply(&state, event, &effects)
        state?.inPlace { s in
            s.revision = event.revision
            s.lastPosition = event.position
            s.updatedAt = event.recordedAt
        }
        return effects
    }

    /// The order as it stands after `events` (in revision order), or `nil` when none.
    public static func fold(_ events: some Sequence<RecordedEvent>) -> OrderState? {
        var state: OrderState?
        for event in events { apply(event, to: &state) }
        return state
    }

    // MARK: - Shared schema pieces

    static let outcomes = ["deliver_missing", "correct_item", "partial_refund", "full_refund"]
    static let channel = DataSchema.Kind.oneOf(["order", "dispute"])
    static let shortText = DataSchema.Kind.string(1...1000)
    static let longText = DataSchema.Kind.string(1...10000)
    static let amount = DataSchema.Kind.integer(1...Int64.max)

    /// `amount` is required for `partial_refund` and refused for other outcomes.
    static func amountMatchesOutcome(_ outcomeField: String) -> @Sendable ([String: JSONValue]) -> (field: String, message: String)? {
        { data in
            let outcome = data[outcomeField]?.stringValue
            let hasAmount = data["amount"] != nil && data["amount"] != .null
            if outcome == "partial_refund" && !hasAmount {
                return ("data.amount", "data.amount is required when \(outcomeField) is partial_refund")
            }
            if outcome != "partial_refund" && hasAmount {
                return ("data.amount", "data.amount is allowed only when \(outcomeField) is partial_refund")
            }
            return nil
        }
    }

    /// A refusal when a partial refund asks for more than is left to refund.
    static func refundableCheck(_ s: inout OrderState, _ c: EventRule.Context) -> String? {
        guard let amount = c.data["amount"]?.intValue else { return nil }
        let left = s.priceAmount - s.refundedAmount
        return amount > left ? "the amount \(amount) exceeds what is left to refund (\(left) of \(s.priceAmount) \(s.currency))" : nil
    }
}
