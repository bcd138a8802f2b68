/// One word of a message: a run of letters and digits, with leetspeak symbols
/// (`@ $ ! | *`) allowed inside it.
struct WordToken: Sendable {
    /// The range of the word in ``NormalizedText/bytes``.
    var start: Int32
    var end: Int32
    /// The range of its skeleton in ``TokenizedText/skeleton``.
    var skeletonStart: Int32
    var skeletonEnd: Int32
    /// Leetspeak, a wildcard or an evasive character was folded inside this word.
    var obfuscated: Bool
    /// The word contains a letter (so its digits were read as leetspeak).
    var hasLetter: Bool
    /// The word contains a digit.
    var hasDigit: Bool
    /// How the word connects to the next one.
    var join: WordJoin
    /// A sentence or clause break (`, . ! ? ; :` or a line break) separates it from the next word.
    var clauseBreakAfter: Bool
    /// One Han, kana or Hangul character: a word only because those scripts do not
    /// separate words, so several of them in a row are one name, not a split one.
    var ideographic: Bool = false

    /// Length of the skeleton in bytes.
    var skeletonLength: Int { Int(skeletonEnd - skeletonStart) }
}
