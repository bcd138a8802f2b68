// MARK: - Warnings and refusals

/// Where a message negates or warns, so a `negatable` clause can tell
/// "don't pay outside the site, that's a scam" from "pay outside the site".
///
/// A match is cancelled when a negation (`don't`, `never`, `nie`, `не`) ends at
/// most `window` words before it, or a warning (`scam`, `scammer`) lies within
/// `window` words on either side, with no clause break (`, . ! ? ; :`, line
/// break) in between. Han, kana and Hangul characters are words of their own,
/// so three of them count as one word of the window. A negation or warning
/// inside an `except` phrase (`why don't you`, `don't worry`, `not a scam`)
/// negates nothing.
struct NegationScope {
    /// Spans (first, last word) of negations that are not part of an `except` phrase.
    private var negations: [(Int32, Int32)] = []
    /// Spans of warning words that are not part of an `except` phrase.
    private var warnings: [(Int32, Int32)] = []
    /// The window in thirds of a word (see ``weight(_:)``).
    private let reach: Int

    /// Reads the negations and warnings among `hits`.
    init(_ hits: [TermHit], flags: [TermFlags], window: Int) {
        self.reach = window * Self.wordWeight
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
        for (_, end) in negations where end < first && reaches(from: end, to: first, tokens) {
            return true
        }
        for (start, end) in warnings {
            if end < first {
                if reaches(from: end, to: first, tokens) { return true }
            } else if start > last {
                if reaches(from: last, to: start, tokens) { return true }
            }
        }
        return false
    }

    /// A word's share of the window: one for a word, a third for a Han, kana or Hangul character.
    private static let wordWeight = 3

    /// Whether the words strictly between `from` and `to` fit in the window
    /// and no clause break lies after any of the words `from..<to`.
    private func reaches(from: Int32, to: Int32, _ tokens: [WordToken]) -> Bool {
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
