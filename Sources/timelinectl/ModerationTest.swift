import ArgumentParser
import Foundation
import TimelineModel

// MARK: - moderation test

/// `timelinectl moderation …`: work on the moderation rules without a daemon.
struct ModerationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moderation", abstract: "Tries moderation rules on messages, locally (no daemon).", subcommands: [Test.self]
    )

    /// `timelinectl moderation test`: the verdict each message would get.
    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prints the verdict and matched rules each message would get under a rules file (default config/moderation.json).",
            discussion: "Messages are the arguments, or else the lines of stdin. The daemon's own moderation runs the same code; reload it with `timelinectl reload-moderation` once the file says what you want."
        )

        @Option(help: "The moderation rules file.")
        var rules = "config/moderation.json"

        @Flag(help: "Also say which clause of each rule matched, and show the text as the clauses saw it (folded, look-alikes and bidi resolved).")
        var explain = false

        @Flag(help: "One JSON object per message.")
        var json = false

        @Argument(help: "Messages to moderate (default: the lines of stdin).")
        var messages: [String] = []

        func run() throws {
            guard let bytes = FileManager.default.contents(atPath: rules) else {
                throw localFailure("cannot read the moderation rules \(rules); pass --rules FILE")
            }
            let policy: ModerationPolicy
            do {
                policy = try ModerationPolicy(configJSON: Array(bytes))
            } catch {
                fail("\(rules) is invalid: \(error.message)")
                throw ExitCode(65)
            }
            var texts = messages
            if texts.isEmpty {
                while let line = readLine() { texts.append(line) }
            }
            for text in texts {
                let e = policy.explain(text)
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
}
