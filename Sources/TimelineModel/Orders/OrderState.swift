/// Where an order stands (DOMAIN.md "Order states").
public enum OrderStatus: String, Sendable, Hashable, CaseIterable {
    case placed, paid, delivered, completed, cancelled, refunded
}

/// Where a dispute stands: `open` → `escalated` → `resolved` → `closed`.
public enum DisputeStatus: String, Sendable, Hashable, CaseIterable {
    case open, escalated, resolved, closed

    /// Open or escalated: the dispute still blocks confirmation and completion.
    public var isActive: Bool { self == .open || self == .escalated }
}

/// A proposal made inside a dispute.
public struct DisputeOffer: Sendable, Hashable {
    /// How an offer ended (or `pending`).
    public enum Status: String, Sendable, Hashable { case pending, accepted, declined, superseded }
    /// The order revision of the `dispute.offer` event; accept/decline name it.
    public var revision: UInt64
    public var by: ActorRole
    public var outcome: String
    public var amount: Int64?
    public var note: String?
    public var at: Timestamp
    public var status: Status
}

/// How a dispute was settled.
public struct DisputeResolution: Sendable, Hashable {
    public var outcome: String
    public var amount: Int64?
    public var note: String?
    /// `support` (a decision) or `agreement` (an accepted offer).
    public var by: String
    public var at: Timestamp
}

/// The dispute of an order (the latest one, when there were several).
public struct DisputeState: Sendable, Hashable {
    public var status: DisputeStatus
    public var reason: String
    public var requestedOutcome: String
    public var amount: Int64?
    public var description: String
    public var openedBy: ActorRole
    public var openedAt: Timestamp
    public var offers: [DisputeOffer] = []
    public var resolution: DisputeResolution?
    public var escalatedAt: Timestamp?
    public var closedAt: Timestamp?
    public var withdrawn: Bool?
    /// The last message or offer from the seller since the dispute opened (drives `auto_escalate`).
    public var lastSellerActivityAt: Timestamp

    /// The offer still waiting for an answer, if any.
    public var pendingOffer: DisputeOffer? { offers.last(where: { $0.status == .pending }) }
}

/// One piece of evidence attached to an order.
public struct EvidenceItem: Sendable, Hashable {
    /// The global position of its `evidence.attached` event (what a redaction names).
    public var position: UInt64
    public var sha256: String
    public var filename: String
    public var mediaType: String
    public var size: Int64
    public var by: ActorRole
    public var byId: String
    public var at: Timestamp
    public var channel: String
    public var description: String?
}

/// How many chat messages got each verdict; `visible` counts delivered and flagged ones.
public struct MessageCounts: Sendable, Hashable {
    public var visible = 0
    public var filtered = 0
    public var hidden = 0
    public var flagged = 0
    public init() {}
}

/// Everything the projections know about one order, folded from its events
/// by ``Catalog/apply(_:to:)``. The wire view (``OrderState/viewJSON``) is derived from it.
public struct OrderState: Sendable, Hashable, InPlace {
    public var order: String
    public var status: OrderStatus
    public var buyer: String
    public var seller: String
    public var itemTitle: String
    public var itemQuantity: Int64
    public var priceAmount: Int64
    public var currency: String
    public var placedAt: Timestamp
    public var paidAt: Timestamp?
    public var deliveredAt: Timestamp?
    public var completedAt: Timestamp?
    public var cancelledAt: Timestamp?
    public var refundedAt: Timestamp?
    public var deliveredQuantity: Int64 = 0
    public var refundedAmount: Int64 = 0
    public var dispute: DisputeState?
    public var disputesOpened = 0
    public var messages = MessageCounts()
    public var evidence: [EvidenceItem] = []
    /// Every message moderation kept from the other party, in position order, with its appeal.
    public var moderatedMessages: [ModeratedMessage] = []
    public var awaitingReplyFrom: ActorRole?
    public var awaitingSince: Timestamp?
    /// role → RFC 3339 `until`.
    public var availability: [String: String] = [:]
    /// user id → filtered messages on this order (drives `moderation.flagged`).
    public var filteredByUser: [String: Int] = [:]
    public var moderationFlags = 0
    public var supportNotes = 0
    public var revision: UInt64 = 0
    public var lastPosition: UInt64 = 0
    public var updatedAt: Timestamp

    /// The state right after `order.placed`.
    public init(
        order: String, buyer: String, seller: String, itemTitle: String, itemQuantity: Int64,
        priceAmount: Int64, currency: String, placedAt: Timestamp
    ) {
        self.order = order
        self.status = .placed
        self.buyer = buyer
        self.seller = seller
        self.itemTitle = itemTitle
        self.itemQuantity = itemQuantity
        self.priceAmount = priceAmount
        self.currency = currency
        self.placedAt = placedAt
        self.updatedAt = placedAt
    }

    /// `true` when a dispute is open or escalated.
    public var hasActiveDispute: Bool { dispute?.status.isActive ?? false }

    /// The user id that plays `role` on this order (`nil` for support and system).
    public func userId(for role: ActorRole) -> String? {
        switch role {
        case .buyer: return buyer
        case .seller: return seller
        case .support, .system: return nil
        }
    }
}
