import ArgumentParser
import Foundation
import TimelineModel
import TimelineModeration

/// `timeline-bench moderation`: messages moderated per CPU second on one thread,
/// for typical chat and for labelled corpora, and what the compiled rules cost.
struct ModerationBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moderation",
        abstract: "Messages/s of ModerationPolicy.moderate on one core (typical chat and corpora), and the compiled rules' memory."
    )

    @Option(help: "The rules file.")
    var rules: String = "config/moderation.json"

    @Option(help: "Seconds each measurement runs.")
    var seconds: Double = 3

    @Argument(help: "Labelled corpora (JSON lines with a text field) to measure besides typical chat.")
    var corpora: [String] = ["Tests/Fixtures/moderation/dev.jsonl", "Tests/Fixtures/moderation/holdout.jsonl"]

    func run() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: rules)))
        let residentBefore = residentBytes()
        let compileStart = now()
        let policy = try ModerationPolicy(configJSON: bytes)
        let compileSeconds = now() - compileStart
        let rulesBytes = residentBytes() - residentBefore
        print("## moderation (one thread, CPU time of this thread)\n")
        var rows: [[String]] = [measure("typical chat", ModerationRates.typicalChat, policy)]
        for path in corpora {
            let messages = try LabelledMessage.parseLines(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            rows.append(measure((path as NSString).lastPathComponent, messages.map(\.text), policy))
        }
        printTable(["messages", "count", "mean scalars", "messages/s"], rows)
        print("\ncompiled rules: at most \(format(Double(rulesBytes) / 1_048_576, 2)) MiB (resident growth while compiling), compiled in \(format(compileSeconds * 1000, 1)) ms")
    }

    private func measure(_ name: String, _ texts: [String], _ policy: ModerationPolicy) -> [String] {
        let rate = ModerationRates.measure(texts, policy, seconds: seconds)
        let scalars = Double(texts.reduce(0) { $0 + $1.unicodeScalars.count }) / Double(max(texts.count, 1))
        return [name, String(texts.count), format(scalars, 1), format(rate)]
    }
}

/// The moderation rate measurement, shared by `store` and `moderation`.
enum ModerationRates {
    /// Typical order chat: the workload's messages and a few that match a rule.
    static let typicalChat = Workload.texts + [
        "add me on d1sc0rd: trader#4412 and we skip the fee",
        "you are an idiot, where is my item",
        "just close the dispute and I send the rest",
        "I can do 20k gold for 15 EUR, delivery in 2h at 18:30",
    ]

    /// Messages per CPU second of this thread, moderating `texts` round and round for `seconds`.
    static func measure(_ texts: [String], _ policy: ModerationPolicy, seconds: Double) -> Double {
        var withheld = 0
        var count = 0
        let start = now()
        let cpuStart = threadCPUSeconds()
        while now() - start < seconds {
            for text in texts where policy.moderate(text).verdict != .delivered { withheld += 1 }
            count += texts.count
        }
        let cpu = threadCPUSeconds() - cpuStart
        precondition(withheld >= 0)
        return Double(count) / max(cpu, 1e-9)
    }
}

/// CPU seconds this thread has used.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Resident bytes of this process (`/proc/self/statm`): its growth across compiling
/// the rules bounds what they keep (temporaries freed since may still be resident).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
