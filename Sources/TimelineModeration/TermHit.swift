/// One occurrence of a word-list term in a message, in word positions.
struct TermHit: Sendable {
    /// The term's index in the matcher.
    var term: Int32
    /// The first and last word covered (inclusive).
    var first: Int32
    var last: Int32
    /// The term was written evasively: split into pieces, in leetspeak or with look-alikes.
    var obfuscated: Bool
}
