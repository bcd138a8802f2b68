// MARK: - Warnings and refusals

/// Where a message negates or warns, so a `negatable` clause can tell
/// "don't pay outside the site, that's a scam" from "pay outside the site".
///
/// A match is cancelled when a negation (`don't`, `never`, `nie`, `не`) ends at
/// most `window` words before it, or a warning (`scam`, `scammer`) lies within
/// twice `window` words on either side, with no clause break (`, . ! ? ; :`,
/// line break) in between. Han, kana and Hangul characters are words of their
/// own, so three of them count as one word of the window. A negation or warning
/// inside an `except` phrase (`why don't you`, `don't worry`, `not a scam`)
/// negates nothing. Reported speech is not the speaker's: a match wholly inside
/// quotation marks is cancelled by any negation or warning outside them
/// (`someone wrote me "pay me in gift cards" lmao no way`).
struct NegationScope {
    /// Spans (first, last word) of negations that are not part of an `except` phrase.
    private var negations: [(Int32, Int32)] = []
    /// Spans of warning words that are not part of an `except` phrase.
    private var warnings: [(Int32, Int32)] = []
    /// The negations' window in thirds of a word (see ``wordWeight``); warnings reach twice as far.
    private let reach: Int
    /// Per word, the number of the quotation it lies in (0: outside quotes); empty without quotes.
    private let quotation: [Int32]

    /// Reads the negations and warnings among `hits`, and the quotations of the text.
    init(_ hits: [TermHit], flags: [TermFlags], window: Int, text: [UInt8], tokens: [WordToken]) {
        self.reach = window * Self.wordWeight
        self.quotation = Self.quotations(text, tokens)
        var excepts: [(Int32, Int32)] = []
        for hit in hits {
            let flag = flags[Int(hit.term)]
            if flag.contains(.negation) { negations.append((hit.first, hit.last)) }
            if flag.contains(.warning) { warnings.append((hit.first, hit.last)) }
            if flag.contains(.negationExcept) { excepts.append((hit.first, hit.last)) }
        }
        if !excepts.isEmpty {
            let excepted = { (span: (Int32, Int32)) in excepts.contains { $0.0 <= span.0 && $0.1 >= span.1 } }
            negations.removeAll(where: excepted)
            warnings.removeAll(where: excepted)
        }
    }

    /// No negation or warning at all: nothing is cancelled.
    var isEmpty: Bool { negations.isEmpty && warnings.isEmpty }

    /// Whether a match over words `first...last` is a warning or a refusal.
    func cancels(first: Int32, last: Int32, _ tokens: [WordToken]) -> Bool {
        for (_, end) in negations where end < first && reaches(from: end, to: first, tokens, reach) {
            return true
        }
        for (start, end) in warnings {
            if end < first {
                if reaches(from: end, to: first, tokens, 2 * reach) { return true }
            } else if start > last {
                if reaches(from: last, to: start, tokens, 2 * reach) { return true }
            }
        }
        return isReported(first: first, last: last)
    }

    /// A match wholly inside one quotation, with a negation or warning outside it.
    private func isReported(first: Int32, last: Int32) -> Bool {
        guard !quotation.isEmpty else { return false }
        let quote = quotation[Int(first)]
        guard quote != 0, quotation[Int(last)] == quote else { return false }
        return (negations + warnings).contains { quotation[Int($0.0)] != quote }
    }

    /// Numbers the quotations (`"…"`, typographic quotes are folded to `"`) by the words inside them.
    private static func quotations(_ text: [UInt8], _ tokens: [WordToken]) -> [Int32] {
        guard text.contains(0x22) else { return [] }
        var numbers = [Int32](repeating: 0, count: tokens.count)
        var current: Int32 = 0, count: Int32 = 0, previousEnd = 0
        for (index, token) in tokens.enumerated() {
            for byte in text[previousEnd..<Int(token.start)] where byte == 0x22 {
                if current == 0 {
                    count += 1
                    current = count
                } else {
                    current = 0
                }
            }
            numbers[index] = current
            previousEnd = Int(token.end)
        }
        return numbers
    }

    /// A word's share of the window: one for a word, a third for a Han, kana or Hangul character.
    private static let wordWeight = 3

    /// Whether the words strictly between `from` and `to` fit in `reach` thirds of
    /// a word and no clause break lies after any of the words `from..<to`.
    private func reaches(from: Int32, to: Int32, _ tokens: [WordToken], _ reach: Int) -> Bool {
        var used = 0
        for index in from..<to {
            let token = tokens[Int(index)]
            if token.clauseBreakAfter { return false }
            if index > from {
                used += token.ideographic ? 1 : Self.wordWeight
                if used > reach { return false }
            }
        }
        return true
    }
}
