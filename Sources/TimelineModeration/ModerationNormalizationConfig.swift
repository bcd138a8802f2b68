import Foundation

/// The `normalization` section: how text is folded before matching.
struct ModerationNormalizationConfig: Codable, Equatable, Sendable {
    /// One non-ASCII scalar (a Cyrillic/Greek look-alike, a typographic quote) to ASCII text.
    var confusables: [String: String]
    /// One ASCII digit or symbol to the letter it stands for in leetspeak (`"0": "o"`).
    var leet: [String: String]
    /// Letters treated as one in word matching (`"l": "i"`, so `1`, `l`, `i`, `|` and `!` meet).
    var skeleton: [String: String]
    /// Number words read by the phone detector: digits (`"five": "5"`), teens,
    /// tens and hundreds (`"treinta": "30"`, `"pięćset": "500"`); see ``SpokenNumber``.
    var digitWords: [String: String]
    /// Words that make the next digit count several times (`"double": 2`).
    var repeatWords: [String: Int]?
    /// Words that join number words (`y` in `treinta y cuatro`, `und` in `vierundzwanzig`).
    var numberConnectors: [String]?
    /// Words read as `0` only inside a run of digits (`oh`, `o`).
    var zeroWords: [String]
    /// Characters that may separate the pieces of a split word (`d.i.s.c.o.r.d`).
    var joinSeparators: String
    /// Shortest word (in letters) that may match when written as several multi-letter pieces.
    var minJoinLength: Int
    /// Words that stand for `@` in a spelled-out address (`at`, `arroba`, `punkt`…); default `["at"]`.
    var atWords: [String]?
    /// Words that stand for `.` in a spelled-out address; default `["dot"]`.
    var dotWords: [String]?
}
