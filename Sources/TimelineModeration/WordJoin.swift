/// How a word is connected to the next one.
enum WordJoin: UInt8, Sendable {
    /// The next word is far or behind a separator that cannot split a word.
    case none
    /// Only an apostrophe between: `don't`, `you're` (joined freely, not evasive).
    case contraction
    /// Only spaces (at most three): `d i s c o r d` or `whats app` may be one word.
    case space
    /// Short run of separators with punctuation (`.`, `-`, `_`…): `d.i.s.c.o.r.d`, `dis-cord`.
    case separator
}
