import TimelineModel

/// The part of recording an event that does not depend on the log: the
/// canonical bytes of `data`, their SHA-256, and the moderation verdict.
///
/// ``TimelineStore/prepare(_:)`` computes it on the caller's thread (the
/// daemon's connection threads) so the one writer thread only does what needs
/// the log: checks against the order, positions, the chain and the projections.
/// A request without it is prepared by the writer itself, with the same result.
public struct PreparedEvent: Sendable {
    /// `canonical(data)`: what `dataHash` covers and what the record embeds.
    public var encodedData: [UInt8]
    /// Hex SHA-256 of ``encodedData``.
    public var dataHash: String
    /// The verdict for a buyer's or seller's `chat.message`; `delivered` for
    /// other authors; `nil` for every other type.
    public var moderation: ModerationVerdict?

    /// Prepares `input` under `policy`.
    public init(_ input: EventInput, policy: any MessageModeration) {
        encodedData = CanonicalJSON.encode(input.data)
        dataHash = Hashing.sha256Hex(encodedData)
        moderation = Self.verdict(for: input, policy: policy)
    }

    /// Buyer and seller messages are moderated; support's and the system's are delivered as sent.
    static func verdict(for input: EventInput, policy: any MessageModeration) -> ModerationVerdict? {
        guard input.type == "chat.message" else { return nil }
        guard input.actor.role == .buyer || input.actor.role == .seller, let text = input.data["text"]?.stringValue else {
            return .delivered
        }
        return policy.moderate(text, itemTitle: nil)
    }

    /// The verdict once the order is known: a message the connection thread
    /// judged `filtered`, `hidden` or `flagged` is judged again with the order's
    /// item title (see ``MessageModeration/moderate(_:itemTitle:)``) by the writer,
    /// which holds the order. Delivered messages, the vast majority, cost nothing more.
    static func verdict(_ prepared: ModerationVerdict?, for input: EventInput, itemTitle: String?,
                        policy: any MessageModeration) -> ModerationVerdict? {
        guard let prepared, prepared.verdict != .delivered, let itemTitle, !itemTitle.isEmpty,
              input.actor.role == .buyer || input.actor.role == .seller,
              let text = input.data["text"]?.stringValue else { return prepared }
        return policy.moderate(text, itemTitle: itemTitle)
    }
}

extension TimelineStore {
    /// `request` with every event prepared (see ``PreparedEvent``) under the
    /// moderation rules in force now. Any thread; the result commits exactly as
    /// `request` would, except that a rules reload between the two is not seen.
    public func prepare(_ request: AppendRequest) -> AppendRequest {
        var prepared = request
        let policy = moderation.policy
        prepared.prepared = request.events.map { PreparedEvent($0, policy: policy) }
        return prepared
    }
}
