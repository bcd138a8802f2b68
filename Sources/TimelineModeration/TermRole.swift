/// What a word-list term means to one clause.
enum TermRole: UInt8, Sendable {
    /// `phrases`: a match makes the clause match.
    case term
    /// `requireAny`: at least one must appear anywhere in the message.
    case cue
    /// `near`: the two sides of the pair.
    case first, second
    /// `near.gapWords`: the only words allowed between the pair.
    case gap
    /// `near.notAfter`: a pair right after one of these (e.g. `I`, `we`) does not count.
    case notAfter
    /// `near.skipBefore`: words skipped when looking for `notAfter` (`will`, `just`).
    case skip
    /// `messenger.names` / `ambiguousNames`.
    case name, ambiguous
    /// `messenger.contextWords`: a contact cue near a name.
    case context
    /// `messenger.prepositions`: `on`, `via` right before an ambiguous name.
    case preposition
    /// `messenger.possessives`: `my`, `your` right before a name.
    case possessive
    /// `messenger.contextAfter`: a contact cue only when it follows the name (`telegram as bob`).
    case contextAfter
    /// `messenger.unlessNear`: a name near one of these is not a contact (`nitro`).
    case unless

    /// Roles that can make a clause match on their own; others only qualify.
    var isPrimary: Bool { self == .term || self == .first || self == .name || self == .ambiguous }
}
