import Foundation
import TestSupport
import Testing
import TimelineFuzz
import TimelineModel

@Suite("protocol fuzzing against the real daemon", .timeLimit(.minutes(6)))
struct FuzzTests {
    /// The CI seed; `FUZZ_SEED` replays another run.
    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["FUZZ_SEED"].flatMap { UInt64($0) } ?? 20_261_126
    }

    static var config: DaemonConfig {
        var c = DaemonConfig()
        c.limits = ["maxFrameBytes": 65_536]
        c.logLevel = "warning"
        return c
    }

    @Test("4000 random and mutated frames each get a well-formed reply or the documented close; no crash, no hang; the store verifies clean")
    func shortCampaign() async throws {
        let daemon = try DaemonProcess(config: Self.config)
        daemon.label = "fuzz"
        try await offPool { try daemon.start() }
        var fuzz = FuzzConfiguration(socketPath: daemon.socketPath, tag: "ci\(Self.seed)")
        fuzz.frames = 4000
        fuzz.connections = 4
        fuzz.seed = Self.seed
        fuzz.replyTimeout = 30
        fuzz.daemonPid = daemon.pid
        fuzz.isDaemonAlive = { daemon.isRunning }
        let campaign = fuzz
        let report = try await offPool { FuzzRunner.run(campaign) }
        let t = report.tally
        #expect(report.passed, "seed \(Self.seed):\n\(report.text)\ndaemon log (tail):\n\(daemon.log.suffix(6000))")
        #expect(report.crashes == 0 && daemon.isRunning)
        #expect(t.framesSent == 4000)
        #expect(t.replies == t.framesSent, "every frame is answered exactly once")
        #expect(t.closes == t.framesByKind[.overLimit], "every over-limit line ends in the documented close")
        for kind in FrameKind.allCases {
            #expect((t.framesByKind[kind] ?? 0) > 0, "the campaign sent \(kind.rawValue) frames")
        }
        #expect(t.okReplies > 400, "valid requests were served: \(t.okReplies)")
        #expect((t.errorsByCode["bad_request"] ?? 0) > 400, "\(t.errorsByCode)")
        #expect(t.errorsByCode.count >= 6, "many documented codes were exercised: \(t.errorsByCode)")
        #expect(t.acknowledgedEvents > 100)
        #expect(report.peakRSSKiB != nil, "the daemon's memory was sampled")
        #expect((report.peakRSSKiB ?? .max) < 1 << 20, "peak RSS under 1 GiB: \(report.text)")

        #expect(try await offPool { try daemon.stop() } == 0, "timelined drains and exits 0 after the campaign:\n\(daemon.log.suffix(4000))")
        let verify = try await offPool { try PackageBinary.run("timeline-audit", ["verify", "--data", daemon.dataDirectory]) }
        #expect(verify.status == 0, "timeline-audit verify after the campaign: \(verify)")
    }

    // MARK: - The oracle can fail

    static func frame(_ text: String, _ expectation: FrameExpectation = .documented, kind: FrameKind = .mutated) -> FuzzFrame {
        FuzzFrame(bytes: Array(text.utf8), kind: kind, expectation: expectation)
    }

    static func problem(_ reply: String, for frame: FuzzFrame) -> FindingKind? {
        switch ReplyOracle.check(Array(reply.utf8), for: frame, expectedId: frame.expectedId) {
        case .success: return nil
        case .failure(let p): return p.kind
        }
    }

    @Test("the expected id is the frame's string or integer id, else null")
    func expectedIds() {
        #expect(Self.frame(#"{"id":5,"op":"ping"}"#).expectedId == 5)
        #expect(Self.frame(#"{"id":"a","op":"ping"}"# + "\r").expectedId == "a")
        #expect(Self.frame(#"{"id":1.5,"op":"ping"}"#).expectedId == .null)
        #expect(Self.frame(#"{"id":5,"op":"ping""#).expectedId == .null)
        #expect(Self.frame(#"{"id":5,"id":6}"#).expectedId == .null)
        #expect(Self.frame(#"{"id":{"a":1}}"#).expectedId == .null)
        #expect(Self.frame(#"{"id":5}"#, kind: .overLimit).expectedId == .null)
    }

    @Test("the reply checker refuses what PROTOCOL.md forbids")
    func oracleRefusals() {
        let ping = Self.frame(#"{"id":7,"op":"ping"}"#, .success, kind: .valid)
        #expect(Self.problem(#"{"id":7,"ok":true,"result":{}}"#, for: ping) == nil)
        #expect(Self.problem(#"{"id":8,"ok":true,"result":{}}"#, for: ping) == .wrongId)
        #expect(Self.problem(#"{"id":"7","ok":true,"result":{}}"#, for: ping) == .wrongId)
        #expect(Self.problem(#"{"ok":true,"result":{}}"#, for: ping) == .malformedReply)
        #expect(Self.problem(#"{"id":7,"ok":true}"#, for: ping) == .malformedReply)
        #expect(Self.problem(#"{"id":7,"ok":"yes","result":{}}"#, for: ping) == .malformedReply)
        #expect(Self.problem(#"{"id":7,"ok":true,"result":{}"#, for: ping) == .malformedReply)
        #expect(Self.problem(#"{"id":7,"ok":false,"error":{"code":"busy","message":"later"}}"#, for: ping) == .unexpectedRefusal)

        let junk = Self.frame("\u{1}garbage")
        #expect(Self.problem(#"{"id":null,"ok":false,"error":{"code":"bad_request","message":"not JSON"}}"#, for: junk) == nil)
        #expect(Self.problem(#"{"id":null,"ok":false,"error":{"code":"oops","message":"x"}}"#, for: junk) == .undocumentedCode)
        #expect(Self.problem(#"{"id":null,"ok":false,"error":{"code":"bad_request","message":""}}"#, for: junk) == .malformedReply)
        #expect(Self.problem(#"{"id":null,"ok":false,"error":{"code":"internal","message":"bug"}}"#, for: junk) == .internalError)
        #expect(Self.problem(#"{"id":null,"ok":false,"error":{"message":"no code"}}"#, for: junk) == .malformedReply)
        #expect(Self.problem("[1,2]", for: junk) == .malformedReply)

        let big = Self.frame(#"{"id":9,"op":"ping","pad":"xxxx"}"#, .frameTooLarge, kind: .overLimit)
        #expect(Self.problem(#"{"id":null,"ok":false,"error":{"code":"frame_too_large","message":"too long","limit":10}}"#, for: big) == nil)
        #expect(Self.problem(#"{"id":null,"ok":true,"result":{}}"#, for: big) == .unexpectedReply)
        #expect(Self.problem(#"{"id":null,"ok":false,"error":{"code":"bad_request","message":"x"}}"#, for: big) == .unexpectedReply)

        #expect(Self.problem(#"{"subscription":"s-1","event":{"position":1}}"#, for: junk) == nil)
        #expect(Self.problem(#"{"subscription":"s-1","error":{"code":"subscriber_too_slow","message":"x"}}"#, for: junk) == nil)
        #expect(Self.problem(#"{"subscription":"s-1"}"#, for: junk) == .malformedReply)
    }

    @Test("the same seed makes the same frames, and no frame holds a newline or passes the limit unless it is meant to")
    func generatorIsDeterministicAndFramed() {
        let limits = DaemonLimits(maxFrameBytes: 8192, maxBatchEvents: 1000, role: "admin")
        var a = FrameGenerator(seed: 42, connection: 1, tag: "t", limits: limits)
        var b = FrameGenerator(seed: 42, connection: 1, tag: "t", limits: limits)
        var kinds: [FrameKind: Int] = [:]
        var differing = 0, misframed = 0
        for _ in 0..<4000 {
            let x = a.next(), y = b.next()
            if x.bytes != y.bytes { differing += 1 }
            kinds[x.kind, default: 0] += 1
            let withinLimit = x.bytes.count <= limits.maxFrameBytes
            if withinLimit == (x.kind == .overLimit) || x.bytes.contains(UInt8(ascii: "\n")) { misframed += 1 }
        }
        #expect(differing == 0)
        #expect(misframed == 0)
        #expect(kinds.count == FrameKind.allCases.count, "\(kinds)")
    }
}
