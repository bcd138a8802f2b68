import Synchronization
import TimelineModel
import TimelineStore

/// Counters for `stats` (connections, appends, commit batch sizes), and the
/// one place the daemon reports what happened: each report also goes to the
/// Prometheus figures of ``metrics``.
final class ServerStats: Sendable {
    struct Figures: Sendable {
        var connections = 0
        var subscriptions = 0
        var appendRequests = 0
        var appendEventsRecorded = 0
        var appendDuplicates = 0
        var appendRefused = 0
        var commits = 0
        var committedRequests = 0
        var lastBatch = 0
        var maxBatch = 0
        /// Writer time spent in log commits, and the part in `mdb_txn_commit` (page writes, fsync).
        var commitNanoseconds: Int64 = 0
        var syncNanoseconds: Int64 = 0
        /// Commits whose batch held 1, 2–10, 11–100, 101–1000, more requests.
        var batchBuckets = [0, 0, 0, 0, 0]
    }

    private let figures = Mutex(Figures())
    let started = Timestamp.now()
    /// The Prometheus figures (`GET /metrics`, docs/METRICS.md).
    let metrics = DaemonMetrics()

    var snapshot: Figures { figures.withLock { $0 } }

    func connectionOpened() { figures.withLock { $0.connections += 1 } }
    func connectionClosed() { figures.withLock { $0.connections -= 1 } }
    func subscriptionsChanged(by delta: Int) { figures.withLock { $0.subscriptions += delta } }
    var connections: Int { figures.withLock { $0.connections } }

    private let inFlightCount = Atomic<Int>(0)
    /// Requests read but not yet answered, over all connections.
    var inFlight: Int { inFlightCount.load(ordering: .relaxed) }
    func requestStarted() { inFlightCount.add(1, ordering: .relaxed) }
    func requestAnswered() { inFlightCount.subtract(1, ordering: .relaxed) }

    /// A request routed to `op`.
    func requestRouted(_ op: String) { metrics.requestRouted(op) }
    /// An error reply.
    func errorReplied(_ error: TimelineError) { metrics.errorReplied(error.code) }
    /// A subscriber cut off for falling behind.
    func subscriberCutOff() { metrics.subscriberCutOff() }
    /// Due timers fired.
    func timersFired(_ count: Int) { metrics.timersFired(count) }
    /// A run of committed batches applied to views/ in `nanoseconds`.
    func viewsApplied(nanoseconds: Int64) { metrics.viewsApplied(nanoseconds: nanoseconds) }

    /// One log commit: its results, how long the writer spent on it, and how
    /// much of that was `mdb_txn_commit` (page writes and fsync).
    func recordCommit(results: [Result<AppendOutcome, TimelineError>], nanoseconds: Int64, syncNanoseconds: Int64) {
        let tally = CommitTally(results)
        metrics.commit(tally, requests: results.count, nanoseconds: nanoseconds, syncNanoseconds: syncNanoseconds)
        figures.withLock { f in
            f.commits += 1
            f.commitNanoseconds += nanoseconds
            f.syncNanoseconds += syncNanoseconds
            f.committedRequests += results.count
            f.lastBatch = results.count
            f.maxBatch = max(f.maxBatch, results.count)
            let bucket = results.count <= 1 ? 0 : results.count <= 10 ? 1 : results.count <= 100 ? 2 : results.count <= 1000 ? 3 : 4
            f.batchBuckets[bucket] += 1
            f.appendRequests += results.count
            f.appendRefused += tally.refused
            f.appendDuplicates += tally.duplicates
            f.appendEventsRecorded += tally.recorded
        }
    }

    /// The `appends` and `commits` parts of the `stats` reply.
    var json: [String: JSONValue] {
        let f = snapshot
        let mean = f.commits == 0 ? 0 : Double(f.committedRequests) / Double(f.commits)
        return [
            "appends": [
                "requests": .int(Int64(f.appendRequests)), "eventsRecorded": .int(Int64(f.appendEventsRecorded)),
                "duplicates": .int(Int64(f.appendDuplicates)), "refused": .int(Int64(f.appendRefused)),
            ],
            "commits": [
                "count": .int(Int64(f.commits)), "requests": .int(Int64(f.committedRequests)), "meanBatchRequests": .double(mean),
                "lastBatchRequests": .int(Int64(f.lastBatch)), "maxBatchRequests": .int(Int64(f.maxBatch)),
                "totalSeconds": .double(Double(f.commitNanoseconds) / 1e9), "syncSeconds": .double(Double(f.syncNanoseconds) / 1e9),
                "batchHistogram": [
                    "1": .int(Int64(f.batchBuckets[0])), "2-10": .int(Int64(f.batchBuckets[1])),
                    "11-100": .int(Int64(f.batchBuckets[2])), "101-1000": .int(Int64(f.batchBuckets[3])),
                    ">1000": .int(Int64(f.batchBuckets[4])),
                ],
            ],
        ]
    }
}

/// What one commit's results add up to, counted once for `stats` and the metrics.
struct CommitTally {
    var ok = 0, refused = 0, recorded = 0, duplicates = 0
    /// The moderation verdicts of the recorded chat messages.
    var verdicts: [ModerationVerdict] = []

    init(_ results: [Result<AppendOutcome, TimelineError>]) {
        for result in results {
            switch result {
            case .success(let outcome):
                ok += 1
                for e in outcome.events {
                    if e.status == .duplicate { duplicates += 1 } else { recorded += 1 }
                }
                for record in outcome.records { if let m = record.moderation { verdicts.append(m) } }
            case .failure:
                refused += 1
            }
        }
    }
}
