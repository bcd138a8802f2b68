import ArgumentParser
import Foundation
import TimelineAudit
import TimelineFuzz

/// `timeline-bench fuzz`: hostile frames against a real daemon, then the store's verification.
struct FuzzBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Sends random and mutated frames to timelined; checks every reply, the documented close, no crash or hang, memory, and a clean store after.",
        discussion: """
        Without --socket it starts its own daemon (relaxed durability, maxFrameBytes \
        --max-frame-bytes) in a fresh directory under --work-directory, stops it with SIGTERM \
        afterwards (exit 0 expected) and verifies its store with TimelineAudit. With --socket it \
        fuzzes a daemon already running there; --pid adds its memory and crash detection, \
        --data its store verification (read-only, beside the running daemon).
        Exits 1 on any finding, a crash, a hang, an unclean stop or an unclean store.
        """
    )

    @Option(help: "Frames to send in all.")
    var frames: Int = 100_000

    @Option(help: "Seed of the frame generator (the same seed sends the same frames).")
    var seed: UInt64 = 1

    @Option(help: "Connections sending at once.")
    var connections: Int = 8

    @Option(help: "Seconds a reply or the documented close may take before the daemon counts as hung.")
    var replyTimeout: Double = 10

    @Option(help: "Fuzz the daemon listening on this socket instead of starting one.")
    var socket: String?

    @Option(help: "With --socket: the daemon's pid (memory and crash detection).")
    var pid: Int32?

    @Option(help: "With --socket: the daemon's data directory, verified after the run.")
    var data: String?

    @Option(help: "The timelined binary to start (default: next to this one).")
    var daemon: String?

    @Option(help: "Where the started daemon's directory goes.")
    var workDirectory: String = "var/bench"

    @Option(help: "Durability of the started daemon: relaxed or strict.")
    var durability: String = "relaxed"

    @Option(help: "limits.maxFrameBytes of the started daemon (small, so over-limit lines stay cheap).")
    var maxFrameBytes: Int = 131_072

    @Flag(help: "Keep the started daemon's directory (its path is printed).")
    var keep = false

    func validate() throws {
        guard frames > 0, connections > 0 else { throw ValidationError("--frames and --connections must be positive") }
        guard replyTimeout > 0 else { throw ValidationError("--reply-timeout must be positive") }
        if socket == nil, pid != nil || data != nil { throw ValidationError("--pid and --data go with --socket") }
    }

    func run() throws {
        var failed = false
        let started: DaemonUnderTest?
        let dataDirectory: String?
        let directory = freshDirectory(workDirectory, "fuzz")
        if socket == nil {
            started = try DaemonUnderTest(
                binary: daemon ?? siblingBinary("timelined"), directory: directory, durability: durability,
                limits: ["maxFrameBytes": maxFrameBytes]
            )
            dataDirectory = directory + "/data"
        } else {
            started = nil
            dataDirectory = data
            try? FileManager.default.removeItem(atPath: directory)
        }
        defer {
            started?.stop()
            if started != nil && !keep { try? FileManager.default.removeItem(atPath: directory) }
        }

        var fuzz = FuzzConfiguration(socketPath: started?.socket ?? socket ?? "", tag: "r" + String(UInt64(Date().timeIntervalSince1970 * 1000), radix: 36))
        fuzz.frames = frames
        fuzz.seed = seed
        fuzz.connections = connections
        fuzz.replyTimeout = replyTimeout
        if let started {
            fuzz.daemonPid = started.process.processIdentifier
            fuzz.isDaemonAlive = { started.process.isRunning }
        } else {
            fuzz.daemonPid = pid
        }
        fuzz.progress = { done in FileHandle.standardError.write(Data("  … \(done) frames\n".utf8)) }
        print("## fuzz: \(frames) frames, \(connections) connections, seed \(seed)\(started == nil ? ", daemon at \(fuzz.socketPath)" : ", own daemon (\(durability))")\n")

        let report = FuzzRunner.run(fuzz)
        if let limits = report.limits {
            print("daemon limits    maxFrameBytes \(limits.maxFrameBytes), maxBatchEvents \(limits.maxBatchEvents), role \(limits.role ?? "none")")
        }
        print(report.text)
        if !report.passed { failed = true }

        if let started {
            let status = started.stopAndWait()
            print("daemon stop      \(status.description)")
            if !status.isCleanExit { failed = true }
        }
        if let dataDirectory {
            do {
                let audit = try Auditor.verify(store: Auditor.openStore(dataDirectory))
                if audit.isClean {
                    print("store verify     clean (\(audit.events) events, \(audit.orders) orders)")
                } else {
                    print("store verify     NOT CLEAN, \(audit.findings.count) findings:\n" + audit.text)
                    failed = true
                }
            } catch {
                print("store verify     could not run: \(error)")
                failed = true
            }
        } else {
            print("store verify     skipped (no --data)")
        }
        if keep && started != nil { print("kept             \(directory)") }
        if failed { throw ExitCode(1) }
    }
}
