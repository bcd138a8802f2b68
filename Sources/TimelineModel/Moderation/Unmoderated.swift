// MARK: - No moderation

/// Delivers every message: for stores that never append chat (the audit, the
/// relay, a rebuild, `timelinectl migrate`). The daemon always passes its policy.
public struct Unmoderated: MessageModeration {
    /// The policy that delivers everything.
    public init() {}

    /// Always `delivered`.
    public func moderate(_ text: String, itemTitle: String?) -> ModerationVerdict {
        .delivered
    }

    /// The default appeal window, ``ModerationDefaults/appealWindowDays``.
    public var appealWindowDays: Int { ModerationDefaults.appealWindowDays }

    /// The default, ``ModerationDefaults/flagAfterFiltered``.
    public var flagAfterFiltered: Int { ModerationDefaults.flagAfterFiltered }
}
