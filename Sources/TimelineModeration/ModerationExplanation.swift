import TimelineModel

/// Why a message got its verdict (``ModerationPolicy/explain(_:)``).
public struct ModerationExplanation: Sendable, Equatable {
    /// One matched clause.
    public struct Match: Sendable, Equatable {
        /// The rule's name.
        public var rule: String
        /// The rule's verdict.
        public var verdict: ModerationVerdictKind
        /// The kind of the clause that matched (`phone`, `email`, `messenger`, `phrases`, …).
        public var clause: String
    }

    /// The verdict, exactly as ``ModerationPolicy/moderate(_:)`` gives it.
    public var verdict: ModerationVerdict
    /// The first matching clause of each matched rule, in config order.
    public var matches: [Match]
    /// The folded text the clauses ran over (look-alikes folded, other scripts' letters lowercased, Han, kana and Hangul spaced).
    public var normalized: String
}
