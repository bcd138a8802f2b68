import TimelineModel

// MARK: - Measuring a policy against a labelled corpus

/// How a policy's verdicts compare with a corpus's labels.
public struct ModerationEvaluation: Sendable {
    /// Counts for one group of messages (a category or a language).
    public struct Tally: Sendable, Equatable {
        /// Messages in the group.
        public var messages = 0
        /// Messages whose verdict equals the label.
        public var correct = 0
        /// Messages labelled `filtered` (or `hidden`) that got `filtered` (or `hidden`).
        public var caught = 0
        /// Messages labelled `filtered` or `hidden`.
        public var shouldBeCaught = 0
        /// Messages labelled `delivered` or `flagged` that were filtered or hidden (false positives).
        public var wronglyHidden = 0

        /// Share of messages with the right verdict.
        public var accuracy: Double { messages == 0 ? 1 : Double(correct) / Double(messages) }
    }

    /// One message whose verdict differs from its label.
    public struct Miss: Sendable, Equatable {
        /// The labelled message.
        public var message: LabelledMessage
        /// What the policy said.
        public var actual: ModerationVerdict
    }

    /// Per category, in name order.
    public private(set) var byCategory: [String: Tally] = [:]
    /// Per language.
    public private(set) var byLanguage: [String: Tally] = [:]
    /// Every message whose verdict differs from its label.
    public private(set) var misses: [Miss] = []
    /// `filtered` verdicts that were right / all `filtered` verdicts / all messages labelled `filtered`.
    public private(set) var filteredTruePositives = 0
    public private(set) var filteredPredicted = 0
    public private(set) var filteredExpected = 0
    /// The same for `hidden`.
    public private(set) var hiddenTruePositives = 0
    public private(set) var hiddenExpected = 0
    /// Messages labelled `delivered` whose verdict is `filtered` or `hidden`.
    public private(set) var honestHidden = 0
    /// Messages in the corpus.
    public private(set) var messages = 0

    /// Precision of the `filtered` verdict (1 when nothing was filtered).
    public var filteredPrecision: Double {
        filteredPredicted == 0 ? 1 : Double(filteredTruePositives) / Double(filteredPredicted)
    }
    /// Recall of the `filtered` verdict (1 when nothing should be).
    public var filteredRecall: Double {
        filteredExpected == 0 ? 1 : Double(filteredTruePositives) / Double(filteredExpected)
    }
    /// Recall of the `hidden` verdict.
    public var hiddenRecall: Double {
        hiddenExpected == 0 ? 1 : Double(hiddenTruePositives) / Double(hiddenExpected)
    }

    /// Moderates every message of `corpus` under `policy` (with its item title as context).
    public init(policy: ModerationPolicy, corpus: [LabelledMessage]) {
        for message in corpus {
            let actual = policy.moderate(message.text, itemTitle: message.itemTitle)
            let right = actual.verdict == message.expected
            let blocking: Set<ModerationVerdictKind> = [.filtered, .hidden]
            func count(_ tally: inout Tally) {
                tally.messages += 1
                if right { tally.correct += 1 }
                if blocking.contains(message.expected) {
                    tally.shouldBeCaught += 1
                    if actual.verdict == message.expected { tally.caught += 1 }
                } else if blocking.contains(actual.verdict) {
                    tally.wronglyHidden += 1
                }
            }
            count(&byCategory[message.category, default: Tally()])
            count(&byLanguage[message.language, default: Tally()])
            messages += 1
            if !right { misses.append(Miss(message: message, actual: actual)) }
            if actual.verdict == .filtered { filteredPredicted += 1 }
            if message.expected == .filtered {
                filteredExpected += 1
                if actual.verdict == .filtered { filteredTruePositives += 1 }
            }
            if message.expected == .hidden {
                hiddenExpected += 1
                if actual.verdict == .hidden { hiddenTruePositives += 1 }
            }
            if message.expected == .delivered && blocking.contains(actual.verdict) { honestHidden += 1 }
        }
    }

    /// A plain-text report: the headline figures, a table per category and per
    /// language, then (with `listMisses`) every miss.
    public func report(listMisses: Bool) -> String {
        func percent(_ value: Double) -> String {
            let scaled = (value * 1000).rounded() / 10
            return "\(scaled)%"
        }
        var out = "\(messages) messages: filtered precision \(percent(filteredPrecision)) "
            + "(\(filteredTruePositives)/\(filteredPredicted)), recall \(percent(filteredRecall)) "
            + "(\(filteredTruePositives)/\(filteredExpected)); hidden recall \(percent(hiddenRecall)); "
            + "honest messages filtered or hidden: \(honestHidden)\n"
        for (title, groups) in [("category", byCategory), ("language", byLanguage)] {
            out += "\n\(title.padding(20)) messages  correct  caught  wrongly hidden\n"
            for (name, tally) in groups.sorted(by: { $0.key < $1.key }) {
                let caught = tally.shouldBeCaught == 0 ? "-" : "\(tally.caught)/\(tally.shouldBeCaught)"
                out += "\(name.padding(20)) \(String(tally.messages).padding(9)) \(percent(tally.accuracy).padding(8)) "
                    + "\(caught.padding(7)) \(tally.wronglyHidden)\n"
            }
        }
        if listMisses {
            out += "\nmisses (expected → actual [rules]  category  text):\n"
            for miss in misses.sorted(by: { ($0.message.category, $0.message.text) < ($1.message.category, $1.message.text) }) {
                let text = String(miss.message.text.prefix(120)).replacingNewlines()
                out += "  \(miss.message.expected.rawValue) → \(miss.actual.verdict.rawValue) \(miss.actual.rules)  "
                    + "\(miss.message.category)  \(text)\n"
            }
        }
        return out
    }
}

private extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    func replacingNewlines() -> String {
        String(map { $0.isNewline ? " " : $0 })
    }
}
