import ArgumentParser
import Foundation
import TimelineAudit
import TimelineModel
import TimelineStore

/// `timeline-bench audit`: how fast `timeline-audit verify` replays a large store.
struct AuditBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "timeline-audit verify rate (events/s) over a store of --events events (target ≥ 300k/s at 1M)."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Events in the store verified.")
    var events: Int = 1_000_000

    @Option(help: "Orders the events are spread over.")
    var orders: Int = 10_000

    @Option(help: "Verify this existing data directory instead of building one.")
    var data: String?

    @Option(help: "Verification runs; the best and the median are reported.")
    var runs: Int = 3

    @Flag(help: "Keep the built store (its path is printed) to verify again with --data.")
    var keep = false

    func run() throws {
        let dir = data ?? freshDirectory(common.workDirectory, "audit")
        if data == nil {
            let started = now()
            try build(dir)
            print("built \(events) events over \(orders) orders in \(format(now() - started, 1)) s\(keep ? " in \(dir)" : "")\n")
        }
        defer { if data == nil && !keep { try? FileManager.default.removeItem(atPath: dir) } }
        let store = try Auditor.openStore(dir)
        var rates: [Double] = []
        var last: AuditReport?
        for _ in 0..<max(1, runs) {
            let report = try Auditor.verify(store: store)
            rates.append(report.eventsPerSecond)
            last = report
        }
        guard let report = last else { return }
        rates.sort()
        print("## audit verify (read-only store, one read transaction, full replay)\n")
        printTable(
            ["events", "orders", "findings", "best s", "best events/s", "median events/s"],
            [[String(report.events), String(report.orders), String(report.findings.count),
              format(Double(report.events) / rates.last!, 2), format(rates.last!), format(rates[rates.count / 2])]]
        )
        if !report.isClean { print("\nunexpected findings:\n" + report.text) }
    }

    /// The same workload as the rebuild benchmark: orders placed and paid, then chat messages.
    func build(_ dir: String) throws {
        _ = try Workload.populateStore(at: dir, orders: orders, events: events)
    }
}
