/// What a term means outside any clause (bits of ``CompiledModeration/termFlags``).
struct TermFlags: OptionSet, Sendable {
    var rawValue: UInt8
    /// A spelled-out digit (`five`): a message without digits still needs phone detection.
    static let digitWord = TermFlags(rawValue: 1)
    /// `negation.words`.
    static let negation = TermFlags(rawValue: 2)
    /// `negation.except`.
    static let negationExcept = TermFlags(rawValue: 4)
    /// `negation.warnings`.
    static let warning = TermFlags(rawValue: 8)
}
