/// A chat message that moderation kept from the other party (`filtered` or
/// `hidden`), with its appeal if its author made one (DOMAIN.md
/// `moderation.appealed` / `moderation.reviewed`). The order state keeps one per
/// such message: what an appeal, a review and a statement of reasons refer to.
public struct ModeratedMessage: Sendable, Hashable {
    /// The message's global position.
    public var position: UInt64
    /// `filtered` or `hidden`, as recorded.
    public var verdict: ModerationVerdictKind
    /// The rules that fired, as recorded.
    public var rules: [String]
    /// Who wrote it (a buyer or a seller: support is exempt from moderation).
    public var author: Actor
    /// When it was recorded: the appeal window runs from here.
    public var at: Timestamp
    /// The author's appeal, once made.
    public var appeal: Appeal?

    /// A message moderation kept from the other party, not appealed yet.
    public init(position: UInt64, verdict: ModerationVerdictKind, rules: [String], author: Actor, at: Timestamp, appeal: Appeal? = nil) {
        self.position = position
        self.verdict = verdict
        self.rules = rules
        self.author = author
        self.at = at
        self.appeal = appeal
    }

    /// Whether a verdict keeps a message from the other party (and so may be appealed).
    public static func isWithheld(_ verdict: ModerationVerdictKind) -> Bool { verdict == .filtered || verdict == .hidden }
}

/// An author's appeal against a moderation verdict (EU DSA Art. 20), decided by support staff.
public struct Appeal: Sendable, Hashable {
    /// Where an appeal stands: `pending` until support reviews it.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case pending, upheld, overturned
    }

    /// The position of the `moderation.appealed` event.
    public var position: UInt64
    public var appealedAt: Timestamp
    public var status: Status
    /// The position of the `moderation.reviewed` event, once reviewed.
    public var reviewPosition: UInt64?
    public var reviewedAt: Timestamp?

    /// A pending appeal.
    public init(position: UInt64, appealedAt: Timestamp, status: Status = .pending, reviewPosition: UInt64? = nil, reviewedAt: Timestamp? = nil) {
        self.position = position
        self.appealedAt = appealedAt
        self.status = status
        self.reviewPosition = reviewPosition
        self.reviewedAt = reviewedAt
    }
}

extension OrderState {
    /// The index in ``moderatedMessages`` of the message at `position`.
    public func moderatedIndex(ofPosition position: UInt64) -> Int? {
        moderatedMessages.firstIndex { $0.position == position }
    }

    /// Folds a message the other party can see, from `author` at `at`: who owes
    /// a reply, and the reply time when the author was the one owing it. A
    /// delivered message does this when recorded, an overturned one when reviewed.
    mutating func noteVisibleMessage(from author: Actor, at: Timestamp, effects: inout [ParticipantEffect]) {
        let role = author.role
        guard role == .buyer || role == .seller else { return }
        let other: ActorRole = role == .buyer ? .seller : .buyer
        if awaitingReplyFrom == role, let since = awaitingSince {
            effects.append(.reply(user: author.id, microseconds: at.microseconds - since.microseconds))
        }
        if awaitingReplyFrom != other {
            awaitingReplyFrom = other
            awaitingSince = at
        }
    }
}
