import Dispatch
import Foundation
import Synchronization
import TimelineModel

/// How to fuzz a daemon.
public struct FuzzConfiguration: Sendable {
    /// The daemon's Unix socket.
    public var socketPath: String
    /// Frames to send in all (over every connection).
    public var frames = 100_000
    /// The seed every connection derives its frames from.
    public var seed: UInt64 = 1
    /// Connections sending at once.
    public var connections = 8
    /// Seconds a reply (or the documented close) may take before the daemon counts as hung.
    public var replyTimeout = 10.0
    /// Frames pipelined in one write, at most.
    public var maxWindow = 6
    /// Letters and digits that keep this run's order and event ids apart from other runs'.
    public var tag: String
    /// The daemon's pid: its memory is sampled from `/proc`, and its death is a crash.
    public var daemonPid: Int32?
    /// Whether the daemon still runs (default: `/proc/<daemonPid>` exists and is no zombie).
    public var isDaemonAlive: (@Sendable () -> Bool)?
    /// Called about every `progressInterval` seconds with the frames sent so far.
    public var progress: (@Sendable (Int) -> Void)?
    public var progressInterval = 5.0

    public init(socketPath: String, tag: String) {
        self.socketPath = socketPath
        self.tag = String(tag.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(16))
    }
}

/// Runs a fuzzing campaign against a live daemon and reports what it saw.
///
/// ```swift
/// var configuration = FuzzConfiguration(socketPath: daemon.socketPath, tag: "ci1")
/// configuration.frames = 4000
/// configuration.daemonPid = daemon.pid
/// let report = FuzzRunner.run(configuration)   // blocks; runs its own threads
/// assert(report.passed, report.text)
/// ```
///
/// It checks that every frame gets one well-formed reply in order (the
/// request's id, `ok` or a documented code), that an over-limit line gets
/// `frame_too_large` and then the close, that the daemon neither dies nor
/// stops answering, and that it acknowledged no more events than its log
/// gained. The store's own verification is the caller's (it needs the data
/// directory, and TimelineAudit, which this module does not import).
public enum FuzzRunner {
    /// Runs the campaign on threads of its own and returns when every connection is done.
    public static func run(_ configuration: FuzzConfiguration) -> FuzzReport {
        var report = FuzzReport()
        report.seed = configuration.seed
        report.connections = configuration.connections
        let alive: @Sendable () -> Bool = configuration.isDaemonAlive ?? { [pid = configuration.daemonPid] in
            pid.map(ProcessMemory.isAlive(pid:)) ?? true
        }
        let start = monotonicSeconds()
        let before: Probe
        switch probe(configuration.socketPath, timeout: configuration.replyTimeout) {
        case .success(let p): before = p
        case .failure(let problem):
            report.tally.findings.append(FuzzFinding(kind: .unreachable, message: problem.message, connection: -1, frame: "hello", reply: ""))
            return report
        }
        report.limits = before.limits
        let memory = MemoryWatch(pid: configuration.daemonPid)
        let first = memory.sample()
        report.rssStartKiB = first?.residentKiB
        report.anonymousStartKiB = first?.anonymousKiB

        let shared = SharedRunState(alive: alive)
        let results = Mutex<[FuzzTally]>([])
        let group = DispatchGroup()
        let n = max(1, configuration.connections)
        for i in 0..<n {
            let share = configuration.frames / n + (i < configuration.frames % n ? 1 : 0)
            let worker = WorkerBox(FuzzWorker(index: i, configuration: configuration, frames: share, limits: before.limits, shared: shared))
            group.enter()
            let thread = Thread {
                let tally = worker.run()
                results.withLock { $0.append(tally) }
                group.leave()
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
        var lastProgress = monotonicSeconds()
        while group.wait(timeout: .now() + .milliseconds(200)) == .timedOut {
            memory.sample()
            if !alive() { shared.stop.store(true, ordering: .relaxed) }
            if let progress = configuration.progress, monotonicSeconds() - lastProgress >= configuration.progressInterval {
                progress(shared.framesDone.load(ordering: .relaxed))
                lastProgress = monotonicSeconds()
            }
        }
        for tally in results.withLock({ $0 }) { report.tally.merge(tally) }
        report.seconds = monotonicSeconds() - start

        if !alive() {
            if report.crashes == 0 {
                report.tally.findings.append(FuzzFinding(kind: .crash, message: "the daemon is gone after the run", connection: -1, frame: "", reply: ""))
            }
        } else {
            switch probe(configuration.socketPath, timeout: configuration.replyTimeout) {
            case .success(let after):
                report.headAfter = after.head
                report.eventsAfter = after.events
                let gained = after.head - before.head
                if gained < Int64(report.tally.acknowledgedEvents) {
                    report.tally.findings.append(FuzzFinding(
                        kind: .lostEvents, message: "the log gained \(gained) events, the daemon acknowledged \(report.tally.acknowledgedEvents)",
                        connection: -1, frame: "stats", reply: ""
                    ))
                }
            case .failure(let problem):
                report.tally.findings.append(FuzzFinding(kind: .unreachable, message: "after the run: \(problem.message)", connection: -1, frame: "hello/stats", reply: ""))
            }
        }
        let last = memory.sample()
        report.rssEndKiB = last?.residentKiB
        report.anonymousEndKiB = last?.anonymousKiB
        report.fileEndKiB = last?.fileKiB
        report.peakRSSKiB = memory.peakKiB
        report.peakAnonymousKiB = memory.peakAnonymousKiB
        return report
    }

    // MARK: - Probing

    struct Probe {
        var limits: DaemonLimits
        var head: Int64
        var events: Int64
    }

    /// `hello` and `stats` on a fresh connection.
    static func probe(_ socketPath: String, timeout: Double) -> Result<Probe, ReplyProblem> {
        let socket: FuzzSocket
        do {
            socket = try FuzzSocket(path: socketPath)
        } catch {
            return .failure(ReplyProblem(.unreachable, "cannot connect to \(socketPath): \(error.message)"))
        }
        let request = Array("{\"id\":\"probe-hello\",\"op\":\"hello\"}\n{\"id\":\"probe-stats\",\"op\":\"stats\"}\n".utf8)
        guard socket.send(request, deadline: monotonicSeconds() + timeout) == .sent else {
            return .failure(ReplyProblem(.unreachable, "the daemon did not take a hello"))
        }
        var results: [JSONValue] = []
        for id in ["probe-hello", "probe-stats"] {
            guard case .line(let line) = socket.readLine(deadline: monotonicSeconds() + timeout),
                  let reply = try? JSONParser.parse(line, maxDepth: 1024),
                  reply["id"] == .string(id), reply["ok"] == .bool(true), let result = reply["result"]
            else {
                return .failure(ReplyProblem(.unreachable, "no ok reply to \(id)"))
            }
            results.append(result)
        }
        let limits = results[0]["limits"]
        return .success(Probe(
            limits: DaemonLimits(
                maxFrameBytes: Int(limits?["maxFrameBytes"]?.intValue ?? 16 << 20),
                maxBatchEvents: Int(limits?["maxBatchEvents"]?.intValue ?? 1000),
                role: results[0]["role"]?.stringValue
            ),
            head: results[1]["head"]?.intValue ?? 0,
            events: results[1]["events"]?.intValue ?? 0
        ))
    }
}

/// Hands a worker to the one thread that runs it.
private final class WorkerBox: @unchecked Sendable {
    // Invariant: only the thread started with this box touches the worker.
    private let worker: FuzzWorker
    init(_ worker: FuzzWorker) { self.worker = worker }
    func run() -> FuzzTally { worker.run() }
}

/// Samples a process's memory; keeps the peak.
///
/// Thread rule: used by the runner's own thread only.
private final class MemoryWatch {
    let pid: Int32?
    private(set) var peakKiB: Int?
    private(set) var peakAnonymousKiB: Int?

    init(pid: Int32?) { self.pid = pid }

    @discardableResult
    func sample() -> ProcessMemory? {
        guard let pid, let m = ProcessMemory.read(pid: pid) else { return nil }
        peakKiB = max(peakKiB ?? 0, m.peakKiB, m.residentKiB)
        peakAnonymousKiB = max(peakAnonymousKiB ?? 0, m.anonymousKiB)
        return m
    }
}
