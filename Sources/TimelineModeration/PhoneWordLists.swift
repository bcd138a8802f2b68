/// The phone clause's context words, id words and fillers in one trie, with the
/// roles of each term (``PhoneWordMarks/context``, ``PhoneWordMarks/idWord``,
/// ``PhoneWordMarks/filler``). Immutable; a class so that copying the clause
/// for each message costs one reference count, not one per array.
final class PhoneWordLists: Sendable {
    let matcher: WordListMatcher
    /// Per term, the roles it has.
    let roles: [UInt8]

    init(matcher: WordListMatcher, roles: [UInt8]) {
        self.matcher = matcher
        self.roles = roles
    }
}
