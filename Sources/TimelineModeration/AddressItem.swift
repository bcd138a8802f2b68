/// One item of the address view of a message.
struct AddressItem: Sendable {
    enum Kind: UInt8, Sendable {
        /// Letters, digits, `_ - + %`; single letters separated by single spaces are merged.
        case word
        /// `@`, `[at]`, `(at)`, `{at}`, `<at>`.
        case at
        /// `.`, `[dot]`, `(dot)`, `[.]`.
        case dot
        /// The bare word `at` (counts only between e-mail-like words).
        case atWord
        /// The bare word `dot` (counts only inside a domain).
        case dotWord
        /// `/`.
        case slash
        /// Any other punctuation.
        case other
    }

    var kind: Kind
    /// The word's text in ``AddressView/text`` (words only).
    var start: Int32
    var end: Int32
    /// Whitespace came before this item.
    var spaceBefore: Bool
    /// Hash of the word's text folded like a skeleton (words only): `gma1l`
    /// hashes like `gmail`, see ``WordFolding/foldedHash(_:_:_:hasLetter:)``.
    var hash: UInt64
    /// The word contains a letter.
    var hasLetter: Bool
}
