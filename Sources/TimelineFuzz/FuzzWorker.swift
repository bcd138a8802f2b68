import Synchronization
import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

/// State every worker of a run shares: the stop flag, progress, and the
/// one-time crash verdict.
final class SharedRunState: Sendable {
    let stop = Atomic<Bool>(false)
    let framesDone = Atomic<Int>(0)
    private let crashNoted = Atomic<Bool>(false)
    private let alive: @Sendable () -> Bool

    init(alive: @escaping @Sendable () -> Bool) { self.alive = alive }

    var stopped: Bool { stop.load(ordering: .relaxed) }
    var daemonAlive: Bool { alive() }

    /// `true` when the daemon is gone, or goes within a second: a connection
    /// closed by a dying daemon is seen before its parent learns it exited.
    var daemonDied: Bool {
        for _ in 0..<20 {
            if !alive() { return true }
            usleep(50_000)
        }
        return false
    }

    /// `true` for the first caller only: one crash is reported once.
    func claimCrash() -> Bool {
        !crashNoted.exchange(true, ordering: .acquiringAndReleasing)
    }
}

/// Drives one fuzzing connection: sends windows of pipelined frames, reads
/// and checks every reply in order, reconnects after the documented close
/// and now and then on its own (sometimes after a half-close).
///
/// Thread rule: one thread runs a worker from start to end.
final class FuzzWorker {
    private let index: Int
    private let socketPath: String
    private let frames: Int
    private let replyTimeout: Double
    private let maxWindow: Int
    private let shared: SharedRunState
    private var generator: FrameGenerator
    private var socket: FuzzSocket?
    private var activeSubscriptions: Set<String> = []
    private var followUps: [FuzzFrame] = []
    private var framesUntilRecycle = 0
    private(set) var tally = FuzzTally()
    private static let keptFindings = 10

    init(index: Int, configuration: FuzzConfiguration, frames: Int, limits: DaemonLimits, shared: SharedRunState) {
        self.index = index
        socketPath = configuration.socketPath
        self.frames = frames
        replyTimeout = configuration.replyTimeout
        maxWindow = max(1, configuration.maxWindow)
        self.shared = shared
        generator = FrameGenerator(seed: configuration.seed, connection: index, tag: configuration.tag, limits: limits)
    }

    /// Sends this worker's frames; returns its counts and findings.
    func run() -> FuzzTally {
        var remaining = frames
        while remaining > 0 && !shared.stopped {
            guard let socket = connected() else { break }
            var window: [FuzzFrame] = []
            let size = min(remaining, generator.draw(1...maxWindow))
            while window.count < size {
                let frame = followUps.isEmpty ? generator.next() : followUps.removeFirst()
                window.append(frame)
                if frame.kind == .overLimit { break }
            }
            remaining -= window.count
            exchange(window, on: socket)
            shared.framesDone.add(window.count, ordering: .relaxed)
            if self.socket != nil {
                framesUntilRecycle -= window.count
                if framesUntilRecycle <= 0 { recycle() }
            }
        }
        socket = nil
        return tally
    }

    // MARK: - Connections

    private func connected() -> FuzzSocket? {
        if let socket { return socket }
        var lastError: FuzzSocketError?
        for attempt in 0..<50 {
            do {
                let s = try FuzzSocket(path: socketPath)
                socket = s
                activeSubscriptions = []
                followUps.removeAll { if case .unsubscribe = $0.purpose { return true } else { return false } }
                framesUntilRecycle = generator.draw(200...3000)
                tally.connectionsOpened += 1
                return s
            } catch {
                lastError = error
                if !shared.daemonAlive { break }
                usleep(UInt32(min(attempt + 1, 10)) * 20_000)
            }
        }
        if shared.daemonDied {
            crash("cannot connect: \(lastError?.message ?? "?")")
        } else {
            record(.unreachable, "cannot connect: \(lastError?.message ?? "?")", frame: "", reply: "")
            shared.stop.store(true, ordering: .relaxed)
        }
        return nil
    }

    /// Closes the connection on purpose; without subscriptions, sometimes by
    /// half-closing first and expecting the daemon to close after its last reply.
    private func recycle() {
        guard let socket else { return }
        tally.recycles += 1
        if activeSubscriptions.isEmpty && generator.draw(0...1) == 0 {
            socket.shutdownWrite()
            let deadline = monotonicSeconds() + replyTimeout
            while true {
                switch socket.readLine(deadline: deadline) {
                case .closed: self.socket = nil; return
                case .line: continue  // a late push; every reply was read
                case .unterminated(let bytes):
                    record(.malformedReply, "a torn line before the close", frame: "(half-close)", reply: FuzzFrame.printable(bytes, limit: 240))
                    self.socket = nil
                    return
                case .timedOut:
                    if !shared.daemonDied {
                        record(.missingClose, "no close \(replyTimeout) s after a half-close with every reply read", frame: "(half-close)", reply: "")
                    } else {
                        crash("the daemon died while closing a connection")
                    }
                    self.socket = nil
                    return
                }
            }
        }
        self.socket = nil
    }

    // MARK: - One window

    private func exchange(_ window: [FuzzFrame], on socket: FuzzSocket) {
        var bytes: [UInt8] = []
        for frame in window {
            bytes += frame.bytes
            if frame.terminated { bytes.append(UInt8(ascii: "\n")) }
            tally.framesSent += 1
            tally.framesByKind[frame.kind, default: 0] += 1
        }
        let endsOverLimit = window.last?.kind == .overLimit
        switch socket.send(bytes, deadline: monotonicSeconds() + replyTimeout * 4) {
        case .sent: break
        case .peerClosed where endsOverLimit: break  // it may close while the long line still streams in
        case .peerClosed, .timedOut:
            // Replies read below tell what happened; a missing one is the finding.
            break
        }
        for frame in window {
            guard readReply(to: frame, on: socket) else {
                self.socket = nil
                return
            }
        }
        if endsOverLimit { expectClose(after: window[window.count - 1], on: socket) }
    }

    /// Reads lines until the reply to `frame` (pushes are checked and skipped).
    /// - Returns: `false` when the connection is unusable now.
    private func readReply(to frame: FuzzFrame, on socket: FuzzSocket) -> Bool {
        let expectedId = frame.expectedId
        while true {
            switch socket.readLine(deadline: monotonicSeconds() + replyTimeout) {
            case .line(let line):
                switch ReplyOracle.check(line, for: frame, expectedId: expectedId) {
                case .success(.push(let push)):
                    tally.pushes += 1
                    if push.endedWith != nil { activeSubscriptions.remove(push.subscription) }
                    continue
                case .success(.reply(let reply)):
                    account(reply, for: frame)
                    return true
                case .failure(let problem):
                    tally.replies += 1
                    record(problem.kind, problem.message, frame: frame.excerpt, reply: FuzzFrame.printable(line, limit: 400), mutations: frame.mutations)
                    // A reply that cannot be read leaves the order of the rest in doubt: start over.
                    return problem.kind == .internalError || problem.kind == .unexpectedRefusal
                }
            case .unterminated(let bytes):
                record(.malformedReply, "the daemon closed in the middle of a line", frame: frame.excerpt, reply: FuzzFrame.printable(bytes, limit: 400))
                return false
            case .closed:
                if !shared.daemonDied {
                    record(.unexpectedClose, "the connection closed before this frame was answered", frame: frame.excerpt, reply: "", mutations: frame.mutations)
                } else {
                    crash("the connection closed and the daemon is gone", frame: frame)
                }
                return false
            case .timedOut:
                if !shared.daemonDied {
                    record(.hang, "no reply within \(replyTimeout) s", frame: frame.excerpt, reply: "", mutations: frame.mutations)
                    shared.stop.store(true, ordering: .relaxed)
                } else {
                    crash("no reply and the daemon is gone", frame: frame)
                }
                return false
            }
        }
    }

    private func account(_ reply: CheckedReply, for frame: FuzzFrame) {
        tally.replies += 1
        guard reply.ok else {
            tally.errorsByCode[reply.code ?? "?", default: 0] += 1
            if case .unsubscribe(let id) = frame.purpose { activeSubscriptions.remove(id) }
            return
        }
        tally.okReplies += 1
        generator.observeSuccess(of: frame)
        guard let result = reply.result else { return }
        if let subscription = result["subscription"]?.stringValue, result["head"] != nil {
            activeSubscriptions.insert(subscription)
            followUps.append(generator.unsubscribe(subscription))
        }
        if case .unsubscribe(let id) = frame.purpose { activeSubscriptions.remove(id) }
        if let events = result["events"]?.arrayValue, result["lastRevision"] != nil {
            tally.acknowledgedEvents += events.filter { $0["status"]?.stringValue == "recorded" }.count
        } else if result["sha256"] != nil, result["status"]?.stringValue == "recorded" {
            tally.acknowledgedEvents += 1
        }
    }

    /// After `frame_too_large` the daemon must close the connection.
    private func expectClose(after frame: FuzzFrame, on socket: FuzzSocket) {
        guard self.socket != nil else { return }
        let deadline = monotonicSeconds() + replyTimeout
        while true {
            switch socket.readLine(deadline: deadline) {
            case .closed:
                tally.closes += 1
                self.socket = nil
                return
            case .line(let line):
                record(.missingClose, "a line after frame_too_large instead of the close", frame: frame.excerpt, reply: FuzzFrame.printable(line, limit: 400))
                self.socket = nil
                return
            case .unterminated(let bytes):
                record(.malformedReply, "a torn line after frame_too_large", frame: frame.excerpt, reply: FuzzFrame.printable(bytes, limit: 400))
                self.socket = nil
                return
            case .timedOut:
                record(.missingClose, "no close within \(replyTimeout) s after frame_too_large", frame: frame.excerpt, reply: "")
                self.socket = nil
                return
            }
        }
    }

    // MARK: - Findings

    private func record(_ kind: FindingKind, _ message: String, frame: String, reply: String, mutations: [String] = []) {
        // After a crash, what the other connections see is its echo, not news.
        if shared.stopped && kind != .crash && !shared.daemonAlive { return }
        guard tally.findings.count < Self.keptFindings else {
            tally.findingsDropped += 1
            return
        }
        let how = mutations.isEmpty ? "" : " (mutations: \(mutations.joined(separator: ", ")))"
        tally.findings.append(FuzzFinding(kind: kind, message: message + how, connection: index, frame: frame, reply: reply))
    }

    private func crash(_ message: String, frame: FuzzFrame? = nil) {
        shared.stop.store(true, ordering: .relaxed)
        if shared.claimCrash() { record(.crash, message, frame: frame?.excerpt ?? "", reply: "") }
    }
}
