// MARK: - Phone numbers, in digits or spelled out

/// Finds phone numbers in the digit-preserving view.
///
/// A candidate is a run of digit groups — digits, spelled-out numbers (`five`,
/// `4one5`, `treinta y cuatro`, `vierundzwanzig`, `double four`: see
/// ``SpokenNumber``), or `oh`/`o` inside a run — separated by at most three of
/// `space - . , ( )`, optionally after a `+`, with `minDigits...maxDigits` digits
/// (dates such as `2024-05-12` end a run, as do `:` `$`, words and units; `/`
/// joins only two groups of three or more digits, `0151/2345678`).
/// Digits alone are ambiguous (prices, ids, stats), so a candidate is a phone
/// number only when one of these holds:
/// 1. it has three or more spelled-out digits or a word mixing digits and number
///    words (`4one5`), or (unless it is a round quantity in
///    thousands groups, `1 000 000 000`, `+100 000 000`) starts with `+`;
/// 2. otherwise, never when an id word (`order`, `tracking`, `id`…) is among the
///    two words before it that are not fillers (`is`, `my`, `the`…), in the same
///    clause, or a `#` is right before it, nor when it has commas (a list);
///    when it mixes `.` and spaces (decimals?) only rule 4 below can make it one;
/// 3. it starts with `0` in a group of at least two digits (trunk or `00` prefix);
/// 4. a context word (`call`, `text`, `whatsapp`…) is among the four words before it,
///    or follows it, fillers aside (`4155550132 is my number`, `… call me`);
/// 5. it is grouped like a phone number: 3-3-4 or 1-3-3-4 (not a list of round numbers);
/// 6. it has six or more one-digit groups (`4 1 5 5 5 5 …`).
///
/// Context words, id words and fillers are folded and matched like every other
/// word list (so `ph0ne`, `c.a.l.l` and `n u m b e r` count), by a small trie of
/// their own that is walked only when a run has the digits of a phone number.
struct PhoneDetector: Sendable {
    /// A word a spelled-out number is made of.
    struct DigitWord: Sendable {
        /// What the word does in a number.
        enum Role: Sendable {
            /// A number word worth this much (`five` 5, `treinta` 30, `pięćset` 500).
            case number(Int)
            /// `oh`/`o`: read as `0` only inside a run of digits.
            case zero
            /// `y`, `e`, `und`, `et`: joins the number words either side.
            case connector
            /// `double`, `triple`: the next unit counts this many times.
            case repeatNext(Int)
        }
        var bytes: [UInt8]
        var role: Role
    }

    var minDigits: Int
    var maxDigits: Int
    /// Digit words by their first byte, longest first.
    var wordsByFirstByte: [[DigitWord]]
    /// The clause's context words, id words and fillers.
    var words: PhoneWordLists

    /// The most words (fillers included) looked at before a run for an id word.
    static let maxLookBack = 8

    /// A detector of `minDigits...maxDigits`-digit numbers, reading the folded
    /// number words, zero words, connectors and repeat words given.
    init(minDigits: Int, maxDigits: Int, numberWords: [([UInt8], Int)], zeroWords: [[UInt8]],
         connectors: [[UInt8]] = [], repeatWords: [([UInt8], Int)] = [], words: PhoneWordLists) {
        self.minDigits = minDigits
        self.maxDigits = maxDigits
        self.words = words
        var byFirst = [[DigitWord]](repeating: [], count: 256)
        let all = numberWords.map { DigitWord(bytes: $0.0, role: .number($0.1)) }
            + zeroWords.map { DigitWord(bytes: $0, role: .zero) }
            + connectors.map { DigitWord(bytes: $0, role: .connector) }
            + repeatWords.map { DigitWord(bytes: $0.0, role: .repeatNext($0.1)) }
        for word in all.sorted(by: { $0.bytes.count > $1.bytes.count }) {
            if let first = word.bytes.first { byFirst[Int(first)].append(word) }
        }
        self.wordsByFirstByte = byFirst
    }

    /// A run of digit groups being read; fixed-size, so reading allocates nothing.
    private struct Run {
        /// A number word, a digit group or a repeat word was read: the run is open.
        var started = false
        var groups = 0
        var digits = 0
        var firstDigits = 0
        var firstZero = false
        /// Sizes of the first four groups (a fifth group makes the shape "other").
        var sizes: (Int, Int, Int, Int) = (0, 0, 0, 0)
        var singles = 0
        /// Digits read from number words, and whether one word mixed them with digits (`4one5`).
        var spelledDigits = 0
        var mixed = false
        /// The spoken number being read across words.
        var spoken = SpokenNumber()
        var plus = false
        var hash = false
        var hasDot = false
        var hasSpace = false
        var hasComma = false
        /// Every group after the first has three digits, every gap is one space or one dot
        /// (thousands grouping), and the last group is `000`.
        var laterGroupsOfThree = true
        var singleCharacterGaps = true
        var lastGroupZeros = false
        var lastSize = 0
        /// The index of the run's first and last words.
        var firstToken = 0
        var lastToken = 0
        /// The four plain words before the run, newest first, as word indices (-1: none).
        var previous = SIMD4<Int32>(repeating: -1)

        mutating func append(_ size: Int, startsWithZero: Bool) {
            if groups == 0 {
                firstDigits = size
                firstZero = startsWithZero
            }
            switch groups {
            case 0: sizes.0 = size
            case 1: sizes.1 = size
            case 2: sizes.2 = size
            case 3: sizes.3 = size
            default: break
            }
            if groups > 0 && size != 3 { laterGroupsOfThree = false }
            groups += 1
            digits += size
            lastSize = size
            if size == 1 { singles += 1 }
        }

        /// A round quantity written in thousands groups (`1 000 000 000`, `1.500.000.000`), not a phone number.
        var isRoundThousands: Bool {
            groups >= 3 && firstDigits <= 3 && !firstZero && laterGroupsOfThree && singleCharacterGaps
                && lastGroupZeros && !(hasDot && hasSpace)
        }
    }

    /// A cheap necessary condition: `minDigits` digits, or spelled-out digits — a
    /// digit word (`five`) or a word mixing digits and a digit word (`4one5`).
    func mayMatch(_ bytes: [UInt8], _ text: TokenizedText, digitWordSeen: Bool) -> Bool {
        if digitWordSeen || text.digitCount >= minDigits { return true }
        for token in text.tokens where token.hasLetter && token.hasDigit {
            var previous: UInt8 = 0x30
            for position in Int(token.start)..<Int(token.end) {
                let byte = bytes[position]
                let isDigit = byte >= 0x30 && byte <= 0x39
                if !isDigit && previous >= 0x30 && previous <= 0x39 && !wordsByFirstByte[Int(byte)].isEmpty {
                    return true
                }
                previous = byte
            }
        }
        return false
    }

    /// Whether the message contains a phone number.
    /// - Parameters:
    ///   - bytes: The digit-preserving view.
    ///   - text: Its words (a word with `@ $ ! | *` inside is never a number).
    func matches(_ bytes: [UInt8], _ text: TokenizedText) -> Bool {
        var marks: PhoneWordMarks?
        return bytes.withUnsafeBufferPointer { bytes in
        text.tokens.withUnsafeBufferPointer { tokens in
            /// Applies the rules to a finished run; the word lists are matched the first time a run has the digits.
            func judge(_ run: Run) -> Bool {
                guard run.digits >= minDigits && run.digits <= maxDigits else { return false }
                let found = marks ?? PhoneWordMarks(text, words)
                marks = found
                return evaluate(run, tokens, found)
            }
            var run = Run()
            var recent = SIMD4<Int32>(repeating: -1)
            var gapStart = 0
            var index = 0
            while index < tokens.count {
                let current = index
                let start = Int(tokens[index].start)
                var end = Int(tokens[index].end)
                index += 1
                // An apostrophe inside a word does not split it: number words may hold one (`дев'яносто`, `п'ять`).
                while index < tokens.count && Int(tokens[index].start) == end + 1 && bytes[end] == 0x27 {
                    end = Int(tokens[index].end)
                    index += 1
                }
                let first = bytes[start]
                let startsWithDigit = first >= 0x30 && first <= 0x39
                if !startsWithDigit && wordsByFirstByte[Int(first)].isEmpty {
                    // A plain word: it ends any run and becomes context.
                    if run.started {
                        if judge(run) { return true }
                        run = Run()
                    }
                    recent = SIMD4(Int32(current), recent[0], recent[1], recent[2])
                    gapStart = end
                    continue
                }
                // The gap before it decides whether the run goes on.
                var gap = Self.gapKind(bytes, from: gapStart, to: start)
                if gap.slash && gap.joins {
                    // `0151/2345678` is one number; `1/2`, `12/05/2024` and `1000/2000 hp` are not.
                    var digits = start
                    while digits < end && bytes[digits] >= 0x30 && bytes[digits] <= 0x39 { digits += 1 }
                    gap.joins = run.lastSize >= 3 && digits == end && end - start >= 3
                }
                if run.started && !gap.joins {
                    if judge(run) { return true }
                    run = Run()
                }
                if gap.comma || gap.dot { run.spoken.close() }
                if startsWithDigit, let dateEnd = Self.dateEnd(bytes, at: start) {
                    // A date is not part of a number: it ends the run.
                    if run.started && judge(run) { return true }
                    run = Run()
                    while index < tokens.count && Int(tokens[index].start) < dateEnd { index += 1 }
                    gapStart = dateEnd
                    continue
                }
                if let parsed = parseNumberWord(bytes, start, end, &run) {
                    if !run.started {
                        run.started = true
                        run.previous = recent
                        run.firstToken = current
                        run.plus = gap.plusBeforeWord
                        run.hash = gap.hashBeforeWord
                    } else {
                        run.hasDot = run.hasDot || gap.dot
                        run.hasSpace = run.hasSpace || gap.space
                        run.hasComma = run.hasComma || gap.comma
                        if start - gapStart != 1 || gap.slash { run.singleCharacterGaps = false }
                    }
                    run.lastToken = index - 1
                    if parsed.digits > 0 {
                        run.spelledDigits += parsed.spelledDigits
                        run.mixed = run.mixed || parsed.mixed
                        run.append(parsed.digits, startsWithZero: parsed.startsWithZero)
                        run.lastGroupZeros = parsed.spelledDigits == 0 && bytes[start..<end].allSatisfy { $0 == 0x30 }
                    }
                } else {
                    if run.started {
                        if judge(run) { return true }
                        run = Run()
                    }
                    recent = SIMD4(Int32(current), recent[0], recent[1], recent[2])
                }
                gapStart = end
            }
            return judge(run)
        }
        }
    }

    /// Applies the rules in the type's documentation to a finished run of `minDigits...maxDigits` digits.
    private func evaluate(_ run: Run, _ tokens: UnsafeBufferPointer<WordToken>, _ marks: PhoneWordMarks) -> Bool {
        if run.mixed || run.spelledDigits >= 3 { return true }
        if run.isRoundThousands { return false }
        if run.plus { return true }
        if run.hash || Self.followsIdWord(run.firstToken, tokens, marks) { return false }
        if run.hasComma { return false }
        // Dots and spaces mixed read as decimals or a list, unless a context word says otherwise.
        let mixedSeparators = run.hasDot && run.hasSpace
        if !mixedSeparators && run.firstZero && run.firstDigits >= 2 { return true }
        for slot in 0..<4 where run.previous[slot] >= 0
            && marks.roles(at: Int(run.previous[slot])) & PhoneWordMarks.context != 0 {
            return true
        }
        if Self.precedesContextWord(run.lastToken, tokens, marks) { return true }
        if mixedSeparators { return false }
        let sizes = run.sizes
        if (run.groups == 3 && sizes.0 == 3 && sizes.1 == 3 && sizes.2 == 4)
            || (run.groups == 4 && sizes.0 == 1 && sizes.1 == 3 && sizes.2 == 3 && sizes.3 == 4) {
            return true
        }
        return run.singles >= 6
    }

    /// Whether an id word ends one of the two words before the run that are not
    /// fillers (`my order number is 123…`, `the tracking number: 123…`), looking
    /// back at most ``maxLookBack`` words and not across a clause break (the
    /// punctuation right before the run does not count: `order: 123…`). A term
    /// split over several words (`o r d e r`) counts as one word.
    private static func followsIdWord(_ first: Int, _ tokens: UnsafeBufferPointer<WordToken>,
                                      _ marks: PhoneWordMarks) -> Bool {
        guard marks.hasIdWords else { return false }
        var position = first - 1
        var words = 0
        var steps = 0
        while position >= 0 && steps < maxLookBack {
            steps += 1
            let roles = marks.roles(at: position)
            if roles & PhoneWordMarks.idWord != 0 { return true }
            if roles & PhoneWordMarks.filler == 0 {
                words += 1
                if words == 2 { return false }
            }
            position = marks.start(at: position) - 1
            if position >= 0 && tokens[position].clauseBreakAfter { return false }
        }
        return false
    }

    /// Whether a context word follows the run, fillers aside (`4155550132 is my number`,
    /// `4155550132 call me`), looking at most ``maxLookBack`` words ahead and not past a
    /// clause break (the punctuation right after the run does not count).
    private static func precedesContextWord(_ last: Int, _ tokens: UnsafeBufferPointer<WordToken>,
                                            _ marks: PhoneWordMarks) -> Bool {
        var position = last + 1
        var next = position
        let limit = min(tokens.count, last + 1 + maxLookBack)
        while next < limit {
            if next > last + 1 && tokens[next - 1].clauseBreakAfter { return false }
            let roles = marks.roles(at: next)
            if roles != 0 && marks.start(at: next) == position {
                if roles & PhoneWordMarks.context != 0 { return true }
                if roles & PhoneWordMarks.filler == 0 { return false }
                position = next + 1
            }
            next += 1
        }
        return false
    }

    /// The end of a date (`2024-05-12`, `12.05.2024`) starting at `start`, if one does.
    private static func dateEnd(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Int? {
        func digitRun(_ from: Int) -> Int {
            var end = from
            while end < bytes.count && bytes[end] >= 0x30 && bytes[end] <= 0x39 { end += 1 }
            return end - from
        }
        let first = digitRun(start)
        guard first == 4 || first == 1 || first == 2, start + first < bytes.count else { return nil }
        let separator = bytes[start + first]
        guard separator == UInt8(ascii: "-") || separator == UInt8(ascii: ".") else { return nil }
        let secondStart = start + first + 1
        let second = digitRun(secondStart)
        guard second == 1 || second == 2, secondStart + second < bytes.count,
              bytes[secondStart + second] == separator else { return nil }
        let thirdStart = secondStart + second + 1
        let third = digitRun(thirdStart)
        let isDate = (first == 4 && (third == 1 || third == 2)) || (first <= 2 && third == 4)
        guard isDate else { return nil }
        let end = thirdStart + third
        if end < bytes.count && isWordByte(bytes[end]) { return nil }
        return end
    }

    /// One word read as a digit group.
    private struct ParsedGroup {
        /// Digits it stands for (0 for a connector or repeat word alone).
        var digits = 0
        /// Of those, the ones spelled out.
        var spelledDigits = 0
        /// Digits and number words in one word (`4one5`).
        var mixed = false
        var startsWithZero = false
    }

    /// Reads one word as a digit group: all digits, number words (`five`,
    /// `vierundzwanzig`), or both mixed (`4one5`); nil when it is not one. The
    /// run's spoken number is carried on only when the word is one.
    private func parseNumberWord(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int,
                                 _ run: inout Run) -> ParsedGroup? {
        var group = ParsedGroup()
        var spoken = run.spoken
        var sawNumeral = false
        var insideRun = run.groups > 0
        var position = start
        while position < end {
            let byte = bytes[position]
            if byte >= 0x30 && byte <= 0x39 {
                if group.digits == 0 { group.startsWithZero = byte == 0x30 }
                group.digits += 1
                position += 1
                sawNumeral = true
                insideRun = true
                spoken.close()
                continue
            }
            // A letter segment must be a sequence of number words.
            var matched = false
            for word in wordsByFirstByte[Int(byte)] where Self.hasPrefix(bytes, position, end, word.bytes) {
                switch word.role {
                case .number(let value):
                    let gained = spoken.add(value)
                    if group.digits == 0 && gained > 0 { group.startsWithZero = value == 0 }
                    group.digits += gained
                    group.spelledDigits += gained
                case .zero:
                    guard insideRun else { continue }
                    let gained = spoken.add(0)
                    if group.digits == 0 && gained > 0 { group.startsWithZero = true }
                    group.digits += gained
                    group.spelledDigits += gained
                case .connector:
                    guard spoken.isOpen else { continue }
                    spoken.connect()
                case .repeatNext(let count):
                    spoken.repeatNext(count)
                }
                position += word.bytes.count
                matched = true
                insideRun = true
                break
            }
            if !matched { return nil }
        }
        group.mixed = sawNumeral && group.spelledDigits > 0
        run.spoken = spoken
        return group
    }

    private struct Gap {
        var joins: Bool
        var dot = false
        var space = false
        var comma = false
        var plusBeforeWord = false
        var hashBeforeWord = false
        var slash = false
    }

    /// Classifies the bytes between two words.
    @inline(__always)
    private static func gapKind(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Gap {
        var gap = Gap(joins: end - start <= 3)
        var index = start
        while index < end {
            switch bytes[index] {
            case 0x20: gap.space = true
            case UInt8(ascii: "."): gap.dot = true
            case UInt8(ascii: "-"), UInt8(ascii: "("), UInt8(ascii: ")"): break
            case UInt8(ascii: ","): gap.comma = true
            case UInt8(ascii: "+"): gap.joins = false; gap.plusBeforeWord = index + 2 >= end
            case UInt8(ascii: "#"): gap.joins = false; gap.hashBeforeWord = index + 2 >= end
            case UInt8(ascii: "/"): gap.slash = true
            default: gap.joins = false
            }
            index += 1
        }
        return gap
    }

    @inline(__always)
    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte >= 0x80
    }

    @inline(__always)
    private static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ word: [UInt8]) -> Bool {
        guard end - start >= word.count else { return false }
        var offset = 0
        while offset < word.count {
            if bytes[start + offset] != word[offset] { return false }
            offset += 1
        }
        return true
    }
}

// MARK: - The phone clause's word lists in one message
