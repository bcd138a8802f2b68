import TimelineModel
import Foundation

/// One rule: a name reported in verdicts, the verdict it gives, and its clauses.
struct ModerationRuleConfig: Codable, Equatable, Sendable {
    /// The reported name, e.g. `contact.email`; unique within the file.
    var name: String
    /// The verdict given when any clause matches.
    var verdict: ModerationVerdictKind
    /// A sentence for people reading the file; ignored by the matcher.
    var description: String?
    /// The clauses; the rule matches when any one of them matches.
    var match: [ModerationClauseConfig]
}
