// MARK: - Warnings and refusals

/// Where a message negates or warns, so a `negatable` clause can tell
/// "don't pay outside the site, that's a scam" from "pay outside the site".
///
/// A match is cancelled when a negation (`don't`, `never`, `nie`, `не`) ends at
/// most `window` words before it, or a warning (`scam`, `scammer`) lies within
/// `window` words on either side, with no clause break (`, . ! ? ; :`, line
/// break) in between. A negation inside an `except` phrase (`why don't you`,
/// `don't you have`) invites rather than refuses, and negates nothing.
struct NegationScope {
    /// Spans (first, last word) of negations that are not part of an `except` phrase.
    private var negations: [(Int32, Int32)] = []
    /// Spans of warning words.
    private var warnings: [(Int32, Int32)] = []
    private let window: Int32

    /// Reads the negations and warnings among `hits`.
    init(_ hits: [TermHit], flags: [TermFlags], window: Int) {
        self.window = Int32(window)
        var excepts: [(Int32, Int32)] = []
        for hit in hits {
            let flag = flags[Int(hit.term)]
            if flag.contains(.negation) { negations.append((hit.first, hit.last)) }
            if flag.contains(.warning) { warnings.append((hit.first, hit.last)) }
            if flag.contains(.negationExcept) { excepts.append((hit.first, hit.last)) }
        }
        if !excepts.isEmpty {
            negations.removeAll { negation in excepts.contains { $0.0 <= negation.0 && $0.1 >= negation.1 } }
        }
    }

    /// No negation or warning at all: nothing is cancelled.
    var isEmpty: Bool { negations.isEmpty && warnings.isEmpty }

    /// Whether a match over words `first...last` is a warning or a refusal.
    func cancels(first: Int32, last: Int32, _ tokens: [WordToken]) -> Bool {
        for (_, end) in negations where end < first && first - end - 1 <= window
            && !Self.breaks(from: end, to: first, tokens) {
            return true
        }
        for (start, end) in warnings {
            if end < first {
                if first - end - 1 <= window && !Self.breaks(from: end, to: first, tokens) { return true }
            } else if start > last {
                if start - last - 1 <= window && !Self.breaks(from: last, to: start, tokens) { return true }
            }
        }
        return false
    }

    /// A clause break after one of the words `from..<to`.
    private static func breaks(from: Int32, to: Int32, _ tokens: [WordToken]) -> Bool {
        (from..<to).contains { tokens[Int($0)].clauseBreakAfter }
    }
}
