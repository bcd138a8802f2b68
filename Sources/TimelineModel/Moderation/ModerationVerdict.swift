// MARK: - Verdicts and configuration errors of chat moderation

/// The outcome class of moderating one message.
///
/// The cases are listed from the mildest to the strictest outcome; when
/// several rules match one message the strictest wins, in the order
/// `filtered` > `hidden` > `flagged` > `delivered`.
public enum ModerationVerdictKind: String, Sendable, Codable, CaseIterable {
    /// Shown to the other party; no rule matched.
    case delivered
    /// Shown to the other party, but marked for staff (e.g. pressure to close a dispute).
    case flagged
    /// Not shown to the other party: contact details, off-platform payment, insults or harassment.
    case filtered
    /// Not shown to the other party: spam, i.e. a message longer than `maxVisibleChars`.
    case hidden

    /// The precedence of this verdict: a higher value wins when rules disagree.
    ///
    /// `filtered` (3) > `hidden` (2) > `flagged` (1) > `delivered` (0).
    public var severity: Int {
        switch self {
        case .delivered: 0
        case .flagged: 1
        case .hidden: 2
        case .filtered: 3
        }
    }
}

/// A verdict plus the names of the rules that matched (sorted, unique; empty for delivered).
///
/// ```swift
/// let verdict = ModerationPolicy.builtIn.moderate("add me on d1sc0rd")
/// // verdict.verdict == .filtered, verdict.rules == ["contact.messenger"]
/// ```
public struct ModerationVerdict: Sendable, Equatable, Hashable {
    /// The strictest outcome among the matched rules, `.delivered` when none matched.
    public var verdict: ModerationVerdictKind
    /// The names of every matched rule, sorted and without duplicates.
    public var rules: [String]

    /// Creates a verdict.
    /// - Parameters:
    ///   - verdict: The outcome class.
    ///   - rules: The names of the matched rules; stored as given.
    public init(verdict: ModerationVerdictKind, rules: [String]) {
        self.verdict = verdict
        self.rules = rules
    }

    /// The verdict of a message that matched no rule.
    public static let delivered = ModerationVerdict(verdict: .delivered, rules: [])
}

/// Errors loading a policy; `message` is a sentence a person can act on.
///
/// The message names the file-level problem (not JSON, wrong type, missing or
/// invalid field) and, where there is one, the JSON path of the offending
/// value, e.g. `rules[2].match[0].phrases`.
public struct ModerationConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A sentence describing what is wrong and how to fix it.
    public var message: String

    /// Creates an error with an actionable message.
    /// - Parameter message: What is wrong with the configuration and where.
    public init(message: String) {
        self.message = message
    }

    /// The message, so that logging the error prints something useful.
    public var description: String { message }
}
