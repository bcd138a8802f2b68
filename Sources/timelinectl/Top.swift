import ArgumentParser
import Foundation
import TimelineClient
import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

// MARK: - top

/// `timelinectl top`: the daemon's rates, commit latency and views lag, refreshed
/// from `stats` every interval. On a terminal the screen is redrawn in place;
/// otherwise (a pipe, a log) each refresh is one line.
struct Top: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A live view of the daemon: events and appends per second, commit and fsync latency, batch size, views lag, queue, connections.",
        discussion: "Rates and latencies are over the last interval (from the counters of `stats`). Ctrl-C stops it."
    )
    @OptionGroup var connection: Connection

    @Option(help: "Seconds between refreshes.")
    var interval: Double = 1

    @Option(help: "Stop after this many refreshes (default: run until Ctrl-C).")
    var count: Int?

    func validate() throws {
        guard interval >= 0.05 else { throw ValidationError("--interval must be at least 0.05 seconds") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func run() async throws {
        let onTerminal = isatty(1) != 0
        try await connection.with { client in
            var previous = Sample(try await client.stats())
            var shown = 0
            while count.map({ shown < $0 }) ?? true {
                try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                let current = Sample(try await client.stats())
                let line = current.figures(since: previous)
                // Written unbuffered, so a pipe (a log, `grep`) sees each refresh as it happens.
                let text = connection.json ? Format.text(line.json) + "\n" : onTerminal ? "\u{1B}[H\u{1B}[2J" + line.screen : line.oneLine + "\n"
                FileHandle.standardOutput.write(Data(text.utf8))
                previous = current
                shown += 1
            }
        }
    }

    /// The counters of one `stats` reply, and when it was taken.
    struct Sample {
        var at = Date()
        var stats: JSONValue

        init(_ stats: JSONValue) { self.stats = stats }

        func number(_ path: String...) -> Double {
            var v: JSONValue? = stats
            for key in path { v = v?[key] }
            return Sample.value(v)
        }

        /// What changed between `earlier` and this sample.
        func figures(since earlier: Sample) -> Figures {
            let seconds = max(at.timeIntervalSince(earlier.at), 1e-6)
            func delta(_ path: String...) -> Double {
                var a: JSONValue? = stats, b: JSONValue? = earlier.stats
                for key in path { a = a?[key]; b = b?[key] }
                return Sample.value(a) - Sample.value(b)
            }
            let commits = delta("commits", "count")
            return Figures(
                eventsPerSecond: delta("appends", "eventsRecorded") / seconds,
                appendsPerSecond: delta("appends", "requests") / seconds,
                refusedPerSecond: delta("appends", "refused") / seconds,
                commitMilliseconds: commits > 0 ? delta("commits", "totalSeconds") * 1000 / commits : 0,
                syncMilliseconds: commits > 0 ? delta("commits", "syncSeconds") * 1000 / commits : 0,
                batchRequests: commits > 0 ? delta("commits", "requests") / commits : 0,
                viewsLagEvents: number("viewsLag", "events"), viewsLagSeconds: number("viewsLag", "seconds"),
                queueDepth: number("queueDepth"), connections: number("connections"), subscriptions: number("subscriptions"),
                head: number("head"), mapUsedBytes: number("mapUsedBytes")
            )
        }

        static func value(_ v: JSONValue?) -> Double {
            switch v {
            case .int(let i): return Double(i)
            case .double(let d): return d
            default: return 0
            }
        }
    }

    /// One refresh of the view.
    struct Figures {
        var eventsPerSecond, appendsPerSecond, refusedPerSecond: Double
        var commitMilliseconds, syncMilliseconds, batchRequests: Double
        var viewsLagEvents, viewsLagSeconds, queueDepth, connections, subscriptions, head, mapUsedBytes: Double

        private func f(_ v: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", v) }

        var oneLine: String {
            "events/s \(f(eventsPerSecond)) appends/s \(f(appendsPerSecond)) refused/s \(f(refusedPerSecond)) "
                + "commit-ms \(f(commitMilliseconds, 2)) fsync-ms \(f(syncMilliseconds, 2)) batch \(f(batchRequests, 1)) "
                + "lag-events \(f(viewsLagEvents)) lag-s \(f(viewsLagSeconds, 3)) queue \(f(queueDepth)) "
                + "conns \(f(connections)) subs \(f(subscriptions)) head \(f(head))"
        }

        var screen: String {
            Format.pairs([
                ("events/s", f(eventsPerSecond)), ("appends/s", f(appendsPerSecond)), ("refused/s", f(refusedPerSecond)),
                ("commit (mean ms)", f(commitMilliseconds, 2)), ("fsync (mean ms)", f(syncMilliseconds, 2)),
                ("requests per commit", f(batchRequests, 1)),
                ("views lag", "\(f(viewsLagEvents)) events, \(f(viewsLagSeconds, 3)) s"), ("writer queue", f(queueDepth)),
                ("connections", f(connections)), ("subscriptions", f(subscriptions)), ("head", f(head)),
                ("map used", "\(f(mapUsedBytes / 1_048_576, 1)) MiB"),
            ]) + "\n"
        }

        var json: JSONValue {
            [
                "eventsPerSecond": .double(eventsPerSecond), "appendsPerSecond": .double(appendsPerSecond),
                "refusedPerSecond": .double(refusedPerSecond), "commitMeanMilliseconds": .double(commitMilliseconds),
                "syncMeanMilliseconds": .double(syncMilliseconds), "requestsPerCommit": .double(batchRequests),
                "viewsLagEvents": .double(viewsLagEvents), "viewsLagSeconds": .double(viewsLagSeconds),
                "queueDepth": .double(queueDepth), "connections": .double(connections), "subscriptions": .double(subscriptions),
                "head": .double(head),
            ]
        }
    }
}
