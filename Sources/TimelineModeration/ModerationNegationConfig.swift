import Foundation

/// The `negation` section: what makes a `negatable` clause's match a warning
/// or a refusal instead (`don't pay outside the site`, `I never use Telegram`,
/// `people asking for Discord are scammers`).
struct ModerationNegationConfig: Codable, Equatable, Sendable {
    /// Negations: a match at most `window` words after one, in the same clause, does not count.
    var words: [String]
    /// Phrases that contain a negation but invite (`why don't you`, `don't you have`):
    /// a negation inside one of them does not negate.
    var except: [String]?
    /// Warning words (`scam`, `scammer`, `fraud`): a match within `window` words of one,
    /// before or after, in the same clause, does not count.
    var warnings: [String]?
    /// The most words between a negation or warning and the match (default 3).
    var window: Int?
}
