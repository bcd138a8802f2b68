import CoreMetrics
import Prometheus
import Synchronization
import TimelineModel
import TimelineStore

/// The daemon's Prometheus figures (docs/METRICS.md lists every one).
///
/// The code reports through swift-metrics (`Counter`, `Timer`, `Recorder`,
/// `Gauge`) made with this server's own ``PrometheusMetricsFactory`` (not the
/// process-wide `MetricsSystem`, so several servers in one test process keep
/// their figures apart); `GET /metrics` emits the registry. Figures that are
/// states rather than events (views lag, connections, map use, uptime) are read
/// at scrape time by ``refresh(from:)``.
final class DaemonMetrics: Sendable {
    /// What `GET /metrics` emits.
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory

    /// One counter per op of the op table (and `unknown`), made up front: read on every request without a lock.
    private let requests: [String: CoreMetrics.Counter]
    private let errors: LabelledCounters
    private let verdicts: LabelledCounters
    private let appendRequestsOK: CoreMetrics.Counter
    private let appendRequestsRefused: CoreMetrics.Counter
    private let eventsRecorded: CoreMetrics.Counter
    private let eventsDuplicate: CoreMetrics.Counter
    private let commitBatch: Recorder
    private let commitDuration: CoreMetrics.Timer
    private let logSyncDuration: CoreMetrics.Timer
    private let viewsApplyDuration: CoreMetrics.Timer
    private let cutOffs: CoreMetrics.Counter
    private let timersFired: CoreMetrics.Counter
    private let gauges: [Figure: CoreMetrics.Gauge]

    /// A state read at scrape time.
    enum Figure: CaseIterable {
        case viewsLagEvents, viewsLagSeconds, logHead, viewsApplied, connections, subscriptions, queueDepth, uptime
        case logMapSize, logMapUsed, viewsMapSize, viewsMapUsed

        var label: (String, [(String, String)]) {
            switch self {
            case .viewsLagEvents: return ("timeline_views_lag_events", [])
            case .viewsLagSeconds: return ("timeline_views_lag_seconds", [])
            case .logHead: return ("timeline_log_head_position", [])
            case .viewsApplied: return ("timeline_views_applied_position", [])
            case .connections: return ("timeline_connections", [])
            case .subscriptions: return ("timeline_subscriptions", [])
            case .queueDepth: return ("timeline_writer_queue_depth", [])
            case .uptime: return ("timeline_uptime_seconds", [])
            case .logMapSize: return ("timeline_map_size_bytes", [("env", "log")])
            case .logMapUsed: return ("timeline_map_used_bytes", [("env", "log")])
            case .viewsMapSize: return ("timeline_map_size_bytes", [("env", "views")])
            case .viewsMapUsed: return ("timeline_map_used_bytes", [("env", "views")])
            }
        }
    }

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        let latency: [Duration] = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .seconds(1),
        ]
        factory.durationHistogramBuckets = [
            "timeline_commit_duration_seconds": latency, "timeline_log_sync_duration_seconds": latency,
            "timeline_views_apply_duration_seconds": latency,
        ]
        factory.valueHistogramBuckets = ["timeline_commit_batch_requests": [1, 2, 5, 10, 25, 50, 100, 250, 1000, 5000]]
        self.factory = factory
        var requests: [String: CoreMetrics.Counter] = [:]
        for op in OpTable.ops.keys + ["unknown"] {
            requests[op] = Counter(label: "timeline_requests_total", dimensions: [("op", op)], factory: factory)
        }
        self.requests = requests
        errors = LabelledCounters("timeline_errors_total", label: "code", factory: factory)
        verdicts = LabelledCounters("timeline_moderation_verdicts_total", label: "verdict", factory: factory)
        appendRequestsOK = Counter(label: "timeline_append_requests_total", dimensions: [("status", "ok")], factory: factory)
        appendRequestsRefused = Counter(label: "timeline_append_requests_total", dimensions: [("status", "refused")], factory: factory)
        eventsRecorded = Counter(label: "timeline_events_total", dimensions: [("status", "recorded")], factory: factory)
        eventsDuplicate = Counter(label: "timeline_events_total", dimensions: [("status", "duplicate")], factory: factory)
        commitBatch = Recorder(label: "timeline_commit_batch_requests", dimensions: [], aggregate: true, factory: factory)
        commitDuration = Timer(label: "timeline_commit_duration_seconds", dimensions: [], factory: factory)
        logSyncDuration = Timer(label: "timeline_log_sync_duration_seconds", dimensions: [], factory: factory)
        viewsApplyDuration = Timer(label: "timeline_views_apply_duration_seconds", dimensions: [], factory: factory)
        cutOffs = Counter(label: "timeline_subscriber_cutoffs_total", dimensions: [], factory: factory)
        timersFired = Counter(label: "timeline_timers_fired_total", dimensions: [], factory: factory)
        var gauges: [Figure: CoreMetrics.Gauge] = [:]
        for figure in Figure.allCases {
            let (name, dimensions) = figure.label
            gauges[figure] = Gauge(label: name, dimensions: dimensions, factory: factory)
        }
        self.gauges = gauges
    }

    /// A request routed to `op` (a name of the op table, or `unknown`).
    func requestRouted(_ op: String) { (requests[op] ?? requests["unknown"])?.increment() }

    /// An error reply with `code`.
    func errorReplied(_ code: TimelineError.Code) { errors.increment(code.rawValue) }

    /// A subscription ended with `subscriber_too_slow`.
    func subscriberCutOff() { cutOffs.increment() }

    /// Due timers that appended their events.
    func timersFired(_ count: Int) { if count > 0 { timersFired.increment(by: count) } }

    /// Views/ took `nanoseconds` to apply a run of batches.
    func viewsApplied(nanoseconds: Int64) { viewsApplyDuration.recordNanoseconds(nanoseconds) }

    /// One log commit: what its results add up to, its whole duration on the
    /// writer and the part spent in `mdb_txn_commit` (page writes and fsync).
    func commit(_ tally: CommitTally, requests: Int, nanoseconds: Int64, syncNanoseconds: Int64) {
        commitBatch.record(requests)
        commitDuration.recordNanoseconds(nanoseconds)
        if syncNanoseconds > 0 { logSyncDuration.recordNanoseconds(syncNanoseconds) }
        for m in tally.verdicts {
            if m.rules.isEmpty {
                verdicts.increment(m.verdict.rawValue, rule: "none")
            } else {
                for rule in m.rules { verdicts.increment(m.verdict.rawValue, rule: rule) }
            }
        }
        if tally.ok > 0 { appendRequestsOK.increment(by: tally.ok) }
        if tally.refused > 0 { appendRequestsRefused.increment(by: tally.refused) }
        if tally.recorded > 0 { eventsRecorded.increment(by: tally.recorded) }
        if tally.duplicates > 0 { eventsDuplicate.increment(by: tally.duplicates) }
    }

    /// Reads the states into their gauges; call right before emitting.
    func refresh(from services: ServerServices) {
        let store = services.store
        let logged = store.logHead, applied = store.head, lag = store.viewsLag
        let maps = store.mapFiguresByEnvironment
        let figures = services.stats.snapshot
        let values: [Figure: Double] = [
            .viewsLagEvents: Double(lag.events), .viewsLagSeconds: lag.seconds,
            .logHead: Double(logged.position), .viewsApplied: Double(applied.position),
            .connections: Double(figures.connections), .subscriptions: Double(figures.subscriptions),
            .queueDepth: Double(services.committer.queueDepth),
            .uptime: Double(Timestamp.now().microseconds - services.stats.started.microseconds) / 1e6,
            .logMapSize: Double(maps.log.mapSize), .logMapUsed: Double(maps.log.used),
            .viewsMapSize: Double(maps.views.mapSize), .viewsMapUsed: Double(maps.views.used),
        ]
        for (figure, value) in values { gauges[figure]?.record(value) }
    }

    /// The exposition text (Prometheus text format 0.0.4).
    func exposition() -> [UInt8] { registry.emitToBuffer() }
}

/// Counters of one family told apart by label values seen at run time
/// (op names, error codes, verdict and rule), each made once on first use.
final class LabelledCounters: Sendable {
    private let name: String
    private let label: String
    private let factory: PrometheusMetricsFactory
    private let made = Mutex<[String: CoreMetrics.Counter]>([:])

    init(_ name: String, label: String, factory: PrometheusMetricsFactory) {
        self.name = name
        self.label = label
        self.factory = factory
    }

    /// Adds one to the counter of `value` (and, for the verdict family, `rule`).
    func increment(_ value: String, rule: String? = nil) {
        let key = rule.map { "\(value)\u{0}\($0)" } ?? value
        let counter = made.withLock { made in
            if let c = made[key] { return c }
            var dimensions = [(label, value)]
            if let rule { dimensions.append(("rule", rule)) }
            let c = CoreMetrics.Counter(label: name, dimensions: dimensions, factory: factory)
            made[key] = c
            return c
        }
        counter.increment()
    }
}
