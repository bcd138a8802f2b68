// MARK: - Numbers spelled out as words

/// A number being read word by word (`treinta y cuatro`, `vierundzwanzig`,
/// `beş yüz otuz iki`, `soixante-dix-huit`, `double four`), so the phone
/// detector can count the digits it stands for. Only the count matters to a
/// phone number, so the grammar is the small part every language shares:
///
/// - a word is worth 0–19, a multiple of ten up to 90, or of a hundred up to 900;
/// - a word fills an empty place of the number before it: a unit after tens or
///   hundreds (`thirty four`, `quinientos cinco`), tens or a teen after hundreds
///   (`сто двадцать`), a teen after a multiple of twenty (`soixante dix`);
/// - a unit before `hundred` or `ten` multiplies it (`beş yüz`, `one hundred`,
///   `二十`), as does `quatre` before `vingt`;
/// - a connector (`y`, `e`, `und`, `et`) joins the words either side, also a unit
///   to the tens after it (`vier|und|zwanzig`);
/// - a repeat word (`double`, `triple`) makes the next unit count two or three times;
/// - anything else starts a new number.
struct SpokenNumber: Sendable {
    /// The value read so far; -1 when no number is open.
    private var value = -1
    /// A connector came after `value`.
    private var joined = false
    /// A repeat word came: the next unit counts this many times.
    private var repeatCount = 0

    /// Whether a number is open, so a connector after it joins.
    var isOpen: Bool { value >= 0 }

    /// Reads a number word worth `word`; returns how many digits the text gained.
    mutating func add(_ word: Int) -> Int {
        defer { joined = false }
        if repeatCount > 0 {
            let count = repeatCount
            repeatCount = 0
            if word < 10 {
                value = -1
                return count
            }
        }
        if value >= 0, let combined = Self.combine(value, word, joined: joined) {
            let gained = Self.digitCount(combined) - Self.digitCount(value)
            value = combined
            return gained
        }
        value = word
        return Self.digitCount(word)
    }

    /// A connector word: joins the open number to the next word.
    mutating func connect() { joined = true }

    /// A repeat word (`double` is 2): the next unit counts `count` times.
    mutating func repeatNext(_ count: Int) {
        value = -1
        repeatCount = count
    }

    /// Digits or punctuation ended the spoken number.
    mutating func close() {
        value = -1
        joined = false
        repeatCount = 0
    }

    /// The value of `word` read after `value`, when it fills an empty place of it.
    private static func combine(_ value: Int, _ word: Int, joined: Bool) -> Int? {
        if joined && value < 10 && word >= 20 && word < 100 && word % 10 == 0 { return value + word }
        if value >= 10 && value % 10 == 0 && word < 10 { return value + word }
        if value >= 100 && value % 100 == 0 && word >= 10 && word < 100 { return value + word }
        let tens = value % 100
        if tens >= 20 && tens % 20 == 0 && word >= 10 && word < 20 { return value + word }
        if value > 0 && value < 10 && (word == 100 || word == 10) && !joined { return value * word }
        if value == 4 && word == 20 && !joined { return 80 }
        return nil
    }

    /// Digits of `number` written out (0 has one).
    private static func digitCount(_ number: Int) -> Int {
        number >= 100 ? 3 : number >= 10 ? 2 : 1
    }
}
