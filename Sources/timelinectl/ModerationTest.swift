import ArgumentParser
import Foundation
import TimelineModel
import TimelineModeration

// MARK: - moderation test

/// `--rules FILE`, and loading it: shared by `moderation test` and `moderation evaluate`.
struct RulesFileOption: ParsableArguments {
    @Option(help: "The moderation rules file.")
    var rules = "config/moderation.json"

    /// The compiled rules; an unreadable file exits 3, an invalid one 65 with the config error's sentence.
    func load() throws -> ModerationPolicy {
        guard let bytes = FileManager.default.contents(atPath: rules) else {
            throw localFailure("cannot read the moderation rules \(rules); pass --rules FILE")
        }
        do {
            return try ModerationPolicy(configJSON: Array(bytes))
        } catch {
            fail("\(rules) is invalid: \(error.message)")
            throw ExitCode(65)
        }
    }
}

/// `timelinectl moderation …`: work on the moderation rules without a daemon.
struct ModerationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moderation", abstract: "Tries moderation rules on messages, locally (no daemon).", subcommands: [Test.self, Evaluate.self]
    )

    /// `timelinectl moderation test`: the verdict each message would get.
    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prints the verdict and matched rules each message would get under a rules file (default config/moderation.json).",
            discussion: "Messages are the arguments, or else the lines of stdin. The daemon's own moderation runs the same code; reload it with `timelinectl reload-moderation` once the file says what you want."
        )

        @OptionGroup var rules: RulesFileOption

        @Flag(help: "Also say which clause of each rule matched, and show the text as the clauses saw it (folded, look-alikes and bidi resolved).")
        var explain = false

        @Option(help: "The order's item title, as the daemon passes it: words of a rule that the title also contains (\"Discord Nitro\") name the item and do not count.")
        var item: String?

        @Flag(help: "One JSON object per message.")
        var json = false

        @Argument(help: "Messages to moderate (default: the lines of stdin).")
        var messages: [String] = []

        func run() throws {
            let policy = try rules.load()
            var texts = messages
            if texts.isEmpty {
                while let line = readLine() { texts.append(line) }
            }
            for text in texts {
                let e = policy.explain(text, itemTitle: item)
                if json {
                    var o: [String: JSONValue] = ["text": .string(text), "moderation": e.verdict.json]
                    if explain {
                        o["matches"] = .array(e.matches.map { ["rule": .string($0.rule), "verdict": .string($0.verdict.rawValue), "clause": .string($0.clause)] })
                        o["normalized"] = .string(e.normalized)
                    }
                    print(CanonicalJSON.string(.object(o)))
                    continue
                }
                let rules = e.verdict.rules.isEmpty ? "" : "  " + e.verdict.rules.joined(separator: ", ")
                print("\(e.verdict.verdict.rawValue)\(rules)  \(CanonicalJSON.string(.string(text)))")
                if explain {
                    for m in e.matches { print("    \(m.rule) (\(m.verdict.rawValue)): a \(m.clause) clause matched") }
                    print("    seen as: \(e.normalized)")
                }
            }
        }
    }

    /// `timelinectl moderation evaluate`: precision and recall against labelled corpora.
    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measures a rules file against labelled corpora (JSON lines: text, expected, category, lang, item).",
            discussion: "Prints filtered precision and recall, hidden recall, the honest messages that were filtered or hidden, and a table per category and per language. Exit 1 when a --min-* bar is not met."
        )

        @OptionGroup var rules: RulesFileOption

        @Flag(help: "List every message whose verdict differs from its label.")
        var misses = false

        @Option(help: "Fail (exit 1) when filtered precision is below this (0...1).")
        var minPrecision: Double?

        @Option(help: "Fail (exit 1) when filtered recall is below this (0...1).")
        var minRecall: Double?

        @Argument(help: "Corpus files (JSON lines).")
        var corpora: [String]

        func run() throws {
            let policy = try rules.load()
            var corpus: [LabelledMessage] = []
            do {
                for path in corpora {
                    guard let data = FileManager.default.contents(atPath: path) else {
                        throw localFailure("cannot read the corpus \(path)")
                    }
                    corpus += try LabelledMessage.parseLines(Array(data))
                }
            } catch let error as ModerationConfigError {
                fail(error.message)
                throw ExitCode(65)
            }
            let evaluation = ModerationEvaluation(policy: policy, corpus: corpus)
            print(evaluation.report(listMisses: misses), terminator: "")
            if let minPrecision, evaluation.filteredPrecision < minPrecision { throw ExitCode(1) }
            if let minRecall, evaluation.filteredRecall < minRecall { throw ExitCode(1) }
        }
    }
}
