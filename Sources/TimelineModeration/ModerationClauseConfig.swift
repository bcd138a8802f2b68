import Foundation

/// One clause of a rule; which fields are required depends on `kind`.
struct ModerationClauseConfig: Codable, Equatable, Sendable {
    var kind: ModerationClauseKind
    /// The clause's matches do not count after a negation or near a warning (see ``ModerationNegationConfig``).
    var negatable: Bool?
    // phrases (also: requireAny, notAfter, skipBefore)
    var phrases: [String]?
    var requireAny: [String]?
    // near
    var first: [String]?
    var second: [String]?
    var maxGap: Int?
    var anyOrder: Bool?
    var withinClause: Bool?
    var gapWords: [String]?
    var notAfter: [String]?
    var skipBefore: [String]?
    // messenger (also: contextWords)
    var names: [String]?
    var ambiguousNames: [String]?
    var prepositions: [String]?
    var possessives: [String]?
    var contextAfter: [String]?
    var unlessNear: [String]?
    var window: Int?
    var substringMinLength: Int?
    // email and link
    var providers: [String]?
    var tlds: [String]?
    var domains: [String]?
    var allowedDomains: [String]?
    var bareNames: [String]?
    var bareNameTlds: [String]?
    // phone (also: contextWords, skipBefore); wallet: contextWords (for Solana keys)
    var minDigits: Int?
    var maxDigits: Int?
    var contextWords: [String]?
    var idWords: [String]?
}
