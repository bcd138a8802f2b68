/// The kinds of failure the fuzzer reports; any of them fails a run.
public enum FindingKind: String, Sendable, CaseIterable {
    /// The daemon process is gone.
    case crash
    /// No reply (or no close) within the reply timeout while the daemon runs.
    case hang
    /// A reply that is not a JSON object envelope, or a torn line.
    case malformedReply
    /// A reply whose id is not the request's (or not null when it had none).
    case wrongId
    /// Fewer new events in the log than the daemon acknowledged as recorded.
    case lostEvents
    /// An error code PROTOCOL.md does not list.
    case undocumentedCode
    /// An `internal` error: a bug by PROTOCOL.md's definition.
    case internalError
    /// A request that cannot fail was refused.
    case unexpectedRefusal
    /// An over-limit line served, or refused with another code.
    case unexpectedReply
    /// The daemon closed a connection without the documented reason.
    case unexpectedClose
    /// No close after `frame_too_large`, or after a half-close with every reply read.
    case missingClose
    /// The daemon could not be reached, or did not answer after the run.
    case unreachable
}

/// One failure, with what was sent and what came back.
public struct FuzzFinding: Sendable, CustomStringConvertible {
    public var kind: FindingKind
    public var message: String
    public var connection: Int
    public var frame: String
    public var reply: String

    public var description: String {
        "[\(kind.rawValue)] connection \(connection): \(message)\n    frame: \(frame)\n    reply: \(reply)"
    }
}

/// Counts kept by one connection's worker, merged into the report.
public struct FuzzTally: Sendable {
    public var framesSent = 0
    public var framesByKind: [FrameKind: Int] = [:]
    /// Replies that answered a frame (pushes not included).
    public var replies = 0
    public var okReplies = 0
    public var errorsByCode: [String: Int] = [:]
    /// Documented closes: after `frame_too_large`.
    public var closes = 0
    /// Closes the fuzzer made itself (reconnects, some after a half-close).
    public var recycles = 0
    public var connectionsOpened = 0
    public var pushes = 0
    /// Events the daemon acknowledged as `recorded` (appends and evidence).
    public var acknowledgedEvents = 0
    public var findings: [FuzzFinding] = []
    /// Findings beyond those kept (the first few per connection are kept).
    public var findingsDropped = 0

    public init() {}

    mutating func merge(_ o: FuzzTally) {
        framesSent += o.framesSent
        for (k, v) in o.framesByKind { framesByKind[k, default: 0] += v }
        replies += o.replies
        okReplies += o.okReplies
        for (k, v) in o.errorsByCode { errorsByCode[k, default: 0] += v }
        closes += o.closes
        recycles += o.recycles
        connectionsOpened += o.connectionsOpened
        pushes += o.pushes
        acknowledgedEvents += o.acknowledgedEvents
        findings += o.findings
        findingsDropped += o.findingsDropped
    }
}

/// The outcome of a fuzzing run.
public struct FuzzReport: Sendable {
    public var tally = FuzzTally()
    public var seconds = 0.0
    public var seed: UInt64 = 0
    public var connections = 0
    public var limits: DaemonLimits?
    /// The daemon's resident set after the first probe, at the end, and its peak (VmHWM), in KiB; nil without a pid.
    public var rssStartKiB: Int?
    public var rssEndKiB: Int?
    public var peakRSSKiB: Int?
    /// The anonymous part (heap, stacks): what the daemon allocates, as opposed to
    /// the file-backed pages of the store it maps, which grow with the store.
    public var anonymousStartKiB: Int?
    public var anonymousEndKiB: Int?
    public var peakAnonymousKiB: Int?
    public var fileEndKiB: Int?
    /// `stats` after the run: head position and events.
    public var headAfter: Int64?
    public var eventsAfter: Int64?

    public init() {}

    public var crashes: Int { tally.findings.filter { $0.kind == .crash }.count }
    public var hangs: Int { tally.findings.filter { $0.kind == .hang }.count }

    /// `true` when no finding was made.
    public var passed: Bool { tally.findings.isEmpty && tally.findingsDropped == 0 }

    /// A plain-text summary: the figures, then the findings.
    public var text: String {
        var lines: [String] = []
        let rate = seconds > 0 ? Double(tally.framesSent) / seconds : 0
        lines.append("frames sent      \(tally.framesSent) over \(connections) connections in \(format1(seconds)) s (\(Int(rate))/s), seed \(seed)")
        lines.append("  by kind        " + FrameKind.allCases.map { "\($0.rawValue) \(tally.framesByKind[$0] ?? 0)" }.joined(separator: ", "))
        lines.append("replies          \(tally.replies) (ok \(tally.okReplies), errors \(tally.replies - tally.okReplies)), pushes \(tally.pushes)")
        lines.append("documented closes \(tally.closes) (frame_too_large); connections opened \(tally.connectionsOpened), own reconnects \(tally.recycles)")
        lines.append("errors by code   " + tally.errorsByCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        lines.append("acknowledged     \(tally.acknowledgedEvents) events recorded; stats after: head \(headAfter.map(String.init) ?? "?"), events \(eventsAfter.map(String.init) ?? "?")")
        lines.append("crashes          \(crashes), hangs \(hangs), findings \(tally.findings.count + tally.findingsDropped)")
        if let peakRSSKiB {
            lines.append("daemon RSS       start \(mib(rssStartKiB)) MiB, end \(mib(rssEndKiB)) MiB, peak (VmHWM) \(mib(peakRSSKiB)) MiB")
            lines.append("  anonymous      start \(mib(anonymousStartKiB)) MiB, end \(mib(anonymousEndKiB)) MiB, peak \(mib(peakAnonymousKiB)) MiB; file-backed (store map) at the end \(mib(fileEndKiB)) MiB")
        } else {
            lines.append("daemon RSS       unknown (no pid)")
        }
        for f in tally.findings.prefix(20) { lines.append(f.description) }
        if tally.findings.count > 20 || tally.findingsDropped > 0 {
            lines.append("… \(tally.findings.count - min(20, tally.findings.count) + tally.findingsDropped) more findings")
        }
        return lines.joined(separator: "\n")
    }

    private func mib(_ kib: Int?) -> String { kib.map { format1(Double($0) / 1024) } ?? "?" }
}

/// `value` with one decimal.
func format1(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(abs(tenths % 10))"
}
