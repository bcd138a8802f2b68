// MARK: - What the store asks of a moderation policy

/// The part of a moderation policy the store calls: a verdict per chat message
/// and the two numbers its rules need. `TimelineModeration.ModerationPolicy` is
/// the implementation; the store sees only this, so it does not link the
/// engine's tables, and a store opened to read, audit or rebuild uses
/// ``Unmoderated``.
public protocol MessageModeration: Sendable {
    /// The verdict for a chat message's text; `itemTitle`, the order's item, is
    /// context (words of the title do not count against the message).
    func moderate(_ text: String, itemTitle: String?) -> ModerationVerdict
    /// Days after a withholding verdict during which its author may appeal it.
    var appealWindowDays: Int { get }
    /// Filtered messages from one user on one order before `moderation.flagged` is appended.
    var flagAfterFiltered: Int { get }
}
