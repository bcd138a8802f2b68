import ArgumentParser
import Foundation
import TerminalProgress
import TimelineAudit
import TimelineModel
import TimelineStore

#if canImport(Glibc)
import Glibc
#endif

/// `timeline-audit`: the auditors' tool. Reads a data directory read-only (beside
/// a running daemon, or a backup) or a JSON Lines export; never needs the daemon.
///
/// Exit codes: 0 clean, 1 findings, 2 the input could not be read, 64 bad usage.
@main
struct AuditTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline-audit",
        abstract: "Verifies, replays, renders and exports order timelines without the daemon.",
        discussion: "Exit codes: 0 clean, 1 findings, 2 the input could not be read, 64 bad usage. See docs/AUDIT.md.",
        subcommands: [Verify.self, Timeline.self, Replay.self, Export.self, Statements.self, Bundle.self, CheckpointCommand.self, Prove.self, CheckProof.self]
    )
}

/// Where the events come from: a store, an export, or a running daemon's socket.
struct SourceOptions: ParsableArguments {
    @Option(help: "A data directory (a live store, opened read-only, or a backup copy).")
    var data: String?

    @Option(help: "A JSON Lines export made by `timeline-audit export`.")
    var export: String?

    @Option(help: "A running timelined's socket: its log is read with log.read and checked like an export (blobs and stored views need --data).")
    var socket: String?

    @Option(help: "NATS server URLs (comma-separated): the shard's log is read from its JetStream stream (give --shard).")
    var nats: String?

    @Option(help: "With --nats: the shard whose stream (TIMELINE_<shard>) to read.")
    var shard: Int?

    @Option(help: "With --export: the position the export starts at (one made with `export --from N`); a whole export starts at 1.")
    var from: UInt64?

    func validate() throws {
        if [data, export, socket, nats].compactMap({ $0 }).count != 1 {
            throw ValidationError("give exactly one of --data DIR, --export FILE, --socket PATH or --nats URL --shard K")
        }
        if (nats == nil) != (shard == nil) { throw ValidationError("--nats URL and --shard K go together") }
        if let from, from < 1 || export == nil { throw ValidationError("--from N (N ≥ 1) goes with --export FILE") }
    }

    /// Calls `body` with the data directory or the export file to read; with
    /// `--socket` that is a temporary export of the daemon's log, removed afterwards.
    func resolve<T>(_ body: (_ data: String?, _ export: String?) throws -> T) throws -> T {
        guard socket != nil || nats != nil else { return try body(data, export) }
        // A fresh file of our own (mkstemps: O_CREAT|O_EXCL, mode 0600), not a guessable name.
        var template = Array((NSTemporaryDirectory() + "timeline-audit-live-XXXXXX.jsonl").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemps(base, 6)
        }
        guard fd >= 0 else { throw AuditError("cannot create a temporary file for the live log (errno \(errno)); check \(NSTemporaryDirectory())") }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        if let socket {
            _ = try LiveSource.fetch(socketPath: socket, into: file)
        } else if let nats, let shard {
            _ = try StreamSource.fetch(urls: nats, shardId: shard, into: file)
        }
        return try body(nil, path)
    }

    /// Marks a report made from `--socket` as the daemon's live log.
    func label(_ report: inout AuditReport) {
        if let nats, let shard {
            report.kind = "stream"
            report.source = "stream TIMELINE_\(shard) at \(nats)"
            return
        }
        guard let socket else { return }
        report.kind = "live"
        report.source = "timelined at \(socket)"
        report.notes = report.notes.map {
            $0.hasPrefix("an export holds no blobs")
                ? "the log read over the socket holds no blobs or stored views: evidence bytes and projections were not checked (verify the data directory with --data for those)"
                : $0
        }
    }
}

/// Runs `body`, turning an unreadable input into exit code 2 with a sentence on stderr.
func guarded<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as AuditError {
        printError(error.message)
        throw ExitCode(2)
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("timeline-audit: \(message)\n".utf8))
}

/// Writes `text` to `path`, or to stdout when `path` is nil.
func emit(_ text: String, to path: String?) throws {
    guard let path else { print(text, terminator: text.hasSuffix("\n") ? "" : "\n"); return }
    do { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) } catch {
        printError("cannot write \(path): \(error.localizedDescription)")
        throw ExitCode(2)
    }
}

// MARK: - verify

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replays the whole log and reports every chronology finding (exit 0 clean, 1 findings, 2 unreadable)."
    )

    @OptionGroup var source: SourceOptions

    @Option(help: "A signed checkpoint (from `timelinectl checkpoint`) to check against the log.")
    var checkpoint: String?

    @Option(help: "The daemon's public key (checkpoint.pub); defaults to the one in --data.")
    var publicKey: String?

    @Flag(help: "Print the machine-readable report.")
    var json = false

    @Flag(help: "Show progress on stderr even when it is not a terminal (one line a second at most).")
    var progress = false

    @Flag(help: "Show no progress, not even on a terminal.")
    var quiet = false

    func validate() throws {
        if progress && quiet { throw ValidationError("--progress and --quiet contradict each other; give one") }
    }

    func run() throws {
        let report = try guarded { () throws -> AuditReport in
            var options = VerifyOptions()
            options.exportStart = source.from ?? 1
            if let checkpoint {
                options.checkpoint = try Checkpoint(file: checkpoint)
            }
            if let publicKey { options.publicKey = try Checkpoint.publicKey(fromFile: publicKey) }
            let line = ProgressLine(quiet: quiet, force: progress)
            defer { line.finish() }
            if line.isEnabled {
                options.progress = { done, total in line.count(done, of: total, "events", verb: "verified") }
            }
            var report = try source.resolve { data, export throws -> AuditReport in
                if let data { return try Auditor.verify(dataDirectory: data, options: options) }
                return try Auditor.verify(exportFile: export ?? "", options: options)
            }
            source.label(&report)
            return report
        }
        try emit(json ? CanonicalJSON.string(report.json) : report.text, to: nil)
        if !report.isClean { throw ExitCode(1) }
    }
}

// MARK: - timeline

struct Timeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "An order's timeline for a person: who said, showed and did what, when (text, json or html)."
    )

    @OptionGroup var source: SourceOptions

    @Option(help: "The order id.")
    var order: String

    @Option(help: "text, json or html (one self-contained file).")
    var format: String = "text"

    @Option(help: "Stop after this global position.")
    var at: UInt64?

    @Option(help: "Write to this file instead of stdout.")
    var out: String?

    @Option(help: "A signed checkpoint to prove the events against (default with --data: the latest stored one that covers them).")
    var checkpoint: String?

    @Option(help: "The daemon's public key (checkpoint.pub) that checks the checkpoint; defaults to the one in --data.")
    var publicKey: String?

    func validate() throws {
        guard ["text", "json", "html"].contains(format) else { throw ValidationError("--format must be text, json or html") }
    }

    func run() throws {
        let timeline = try guarded { () throws -> OrderTimeline in
            let signed = try checkpoint.map { path throws(AuditError) in try Checkpoint(file: path) }
            let key = try publicKey.map { path throws(AuditError) in try Checkpoint.publicKey(fromFile: path) }
            // A data directory or a daemon: events, evidence files and proofs (the badge); the daemon is not asked to sign.
            if let data = source.data {
                return try OrderTimeline.load(order: order, source: try StoreBundleSource(dataDirectory: data), atPosition: at, checkpoint: signed, publicKey: key)
            }
            if let socket = source.socket {
                let live = try SocketBundleSource(socketPath: socket, publicKeyFile: nil, signCheckpoint: false)
                return try OrderTimeline.load(order: order, source: live, atPosition: at, checkpoint: signed, publicKey: key)
            }
            var timeline = try source.resolve { _, export throws -> OrderTimeline in
                try OrderTimeline.load(order: order, exportFile: export ?? "", atPosition: at)
            }
            timeline.verification = .notChecked(
                events: timeline.entries.count,
                because: "an export or a stream carries no inclusion proofs; run `timeline-audit verify` on it, or make the page with --data or --socket"
            )
            return timeline
        }
        switch format {
        case "json": try emit(PrettyJSON.string(timeline.json), to: out)
        case "html": try emit(timeline.html, to: out)
        default: try emit(timeline.text, to: out)
        }
    }
}

// MARK: - replay

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The order view as it stood at a position or a time.")

    @OptionGroup var source: SourceOptions

    @Option(help: "The order id.")
    var order: String

    @Option(help: "A global position, or an RFC 3339 time such as 2026-11-26T15:00:00Z.")
    var at: String

    @Flag(help: "Print compact canonical JSON instead of indented JSON.")
    var json = false

    func validate() throws {
        if OrderReplay.Point(at) == nil { throw ValidationError("--at must be a position (digits) or an RFC 3339 time") }
    }

    func run() throws {
        let point = OrderReplay.Point(at)!
        let state = try guarded { () throws -> OrderState? in
            let events = try source.resolve { data, export throws -> [RecordedEvent] in
                if let data {
                    let store = try Auditor.openStore(data)
                    do { return try store.orderEvents(order) } catch { throw AuditError("cannot read order \(order): \(error)") }
                }
                return try Exporter.records(exportFile: export ?? "") { $0.order == order }.sorted { $0.position < $1.position }
            }
            guard !events.isEmpty else { throw AuditError("order \(order) has no events in this source") }
            return OrderReplay.state(events: events, at: point)
        }
        guard let state else {
            printError("order \(order) did not exist yet at \(at)")
            throw ExitCode(1)
        }
        try emit(json ? CanonicalJSON.string(state.viewJSON) : PrettyJSON.string(state.viewJSON), to: nil)
    }
}

// MARK: - export

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Writes the log as JSON Lines: one recorded event per line, in position order.")

    @Option(help: "The data directory (opened read-only).")
    var data: String?

    @Option(help: "A running timelined's socket: the log is read with log.read instead.")
    var socket: String?

    @Option(help: "The file to write (replaced).")
    var out: String

    @Option(help: "The first position to export.")
    var from: UInt64 = 1

    func validate() throws {
        if (data == nil) == (socket == nil) { throw ValidationError("give exactly one of --data DIR or --socket PATH") }
    }

    func run() throws {
        let summary = try guarded { () throws -> Exporter.Summary in
            if let socket {
                guard FileManager.default.createFile(atPath: out, contents: nil), let file = FileHandle(forWritingAtPath: out) else {
                    throw AuditError("cannot write \(out); choose a writable path")
                }
                let events = try LiveSource.fetch(socketPath: socket, into: file, from: from)
                let bytes = ((try? FileManager.default.attributesOfItem(atPath: out))?[.size] as? Int) ?? 0
                let range: (UInt64?, UInt64?) = events > 0 ? (from, from + events - 1) : (nil, nil)
                return Exporter.Summary(events: events, firstPosition: range.0, lastPosition: range.1, bytes: bytes)
            }
            return try Exporter.export(store: try Auditor.openStore(data ?? ""), to: out, from: from)
        }
        let range = summary.firstPosition.map { "positions \($0)–\(summary.lastPosition ?? $0)" } ?? "no events"
        FileHandle.standardError.write(Data("exported \(summary.events) events (\(range)), \(summary.bytes) bytes, to \(out)\n".utf8))
    }
}

// MARK: - bundle

struct Bundle: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Writes one order's dispute / chargeback evidence bundle (ZIP): events, proofs, page, files, Stripe's fields.",
        discussion: "See docs/AUDIT.md \"Evidence bundles\". The proofs are against --checkpoint, else the latest signed checkpoint in the data directory that covers the order."
    )

    @Option(help: "The data directory (opened read-only).")
    var data: String?

    @Option(help: "A running timelined's socket (its newest checkpoint is signed with admin.checkpoint when this peer is admin).")
    var socket: String?

    @Option(help: "With --socket: the daemon's checkpoint.pub, put into the bundle.")
    var publicKey: String?

    @Option(help: "The order.")
    var order: String

    @Option(help: "The ZIP file to write (replaced).")
    var out: String

    @Option(help: "A signed checkpoint (admin.checkpoint's reply) to prove the events against.")
    var checkpoint: String?

    @Option(help: "The headless browser that prints the PDF (default: chromium on PATH).")
    var chromium: String?

    func validate() throws {
        if (data == nil) == (socket == nil) { throw ValidationError("give exactly one of --data DIR or --socket PATH") }
    }

    func run() throws {
        let summary = try guarded { () throws -> EvidenceBundle.Summary in
            let signed = try checkpoint.map { path throws(AuditError) in try Checkpoint(file: path) }
            if let socket {
                let key = try publicKey.map { path throws(AuditError) -> [UInt8] in
                    guard let bytes = FileManager.default.contents(atPath: path) else { throw AuditError("cannot read the public key file \(path)") }
                    return Array(bytes)
                }
                return try EvidenceBundle.write(from: try SocketBundleSource(socketPath: socket, publicKeyFile: key), order: order, checkpoint: signed, to: out, chromium: chromium)
            }
            return try EvidenceBundle.write(from: try StoreBundleSource(dataDirectory: data ?? ""), order: order, checkpoint: signed, to: out, chromium: chromium)
        }
        var text = "wrote \(summary.files.count) files to \(out)"
        text += summary.checkpoint.map { ", proven against the checkpoint at position \($0.position)" } ?? ", proven against the head (unsigned)"
        FileHandle.standardError.write(Data((text + "\n" + summary.warnings.map { "warning: \($0)\n" }.joined()).utf8))
    }
}

// MARK: - statements

struct Statements: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Writes the DSA statements of reasons of every automatic filtered/hidden verdict as Transparency Database bulk files.",
        discussion: "Files of at most 100 statements each ({\"statements\": [...]}), without message texts or user ids. See docs/MODERATION.md."
    )

    @Option(help: "The data directory (opened read-only).")
    var data: String

    @Option(help: "The first day of decisions to include (YYYY-MM-DD).")
    var from: String?

    @Option(help: "The last day of decisions to include (YYYY-MM-DD).")
    var to: String?

    @Option(help: "The directory to write statements-00001.json, … into (created if needed).")
    var out: String

    @Option(help: "The daemon's config file, for its dsa section, shardId and appeal window (default: built-in defaults).")
    var config: String?

    func run() throws {
        let summary = try guarded { () throws -> StatementExport.Summary in
            let settings = try config.map { path throws(AuditError) in try StatementSettings(configFile: path) } ?? StatementSettings()
            return try StatementExport.export(store: try Auditor.openStore(data), from: from, to: to, directory: out, settings: settings)
        }
        FileHandle.standardError.write(Data("wrote \(summary.statements) statements in \(summary.files.count) files to \(out)\n".utf8))
    }
}

// MARK: - checkpoint verify

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint", abstract: "Checks signed checkpoints.", subcommands: [CheckpointVerify.self]
    )
}

struct CheckpointVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Checks a signed checkpoint's signature and that the log (replayed in full) reaches it with the same hash."
    )

    @OptionGroup var source: SourceOptions

    @Option(help: "The checkpoint file.")
    var checkpoint: String

    @Option(help: "The daemon's public key (checkpoint.pub); defaults to the one in --data.")
    var publicKey: String?

    @Flag(help: "Print the machine-readable report.")
    var json = false

    func run() throws {
        let report = try guarded { () throws -> AuditReport in
            var options = VerifyOptions(checkpoint: try Checkpoint(file: checkpoint))
            options.exportStart = source.from ?? 1
            if let publicKey { options.publicKey = try Checkpoint.publicKey(fromFile: publicKey) }
            var report = try source.resolve { data, export throws -> AuditReport in
                if let data { return try Auditor.verify(dataDirectory: data, options: options) }
                return try Auditor.verify(exportFile: export ?? "", options: options)
            }
            source.label(&report)
            return report
        }
        if json {
            try emit(CanonicalJSON.string(report.json), to: nil)
        } else {
            let cp = report.findings.filter { $0.code == .checkpointMismatch || $0.code == .checkpointSignatureInvalid }
            let verdict = cp.isEmpty
                ? "The checkpoint at position \(report.checkpointPosition ?? 0) is validly signed and matches the log."
                : "The checkpoint does NOT hold: " + cp.map(\.message).joined(separator: "; ")
            try emit(verdict + "\n" + report.text, to: nil)
        }
        if !report.isClean { throw ExitCode(1) }
    }
}

struct Prove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Writes an inclusion proof of one event (RFC 9162) that check-proof verifies with only the public key.",
        discussion: "Opens the data directory read-only (beside a running daemon too). With --checkpoint (a signed checkpoint from admin.checkpoint), the proof is for that checkpoint's tree and the checkpoint goes into the file; without it, for the whole log, unsigned."
    )

    @Option(help: "The data directory.")
    var data: String

    @Option(help: "The log position of the event to prove.")
    var position: UInt64

    @Option(help: "A signed checkpoint (admin.checkpoint's reply) whose tree the proof is for.")
    var checkpoint: String?

    @Option(help: "Where to write the proof (standard output when absent).")
    var output: String?

    func run() throws {
        let bundle = try guarded { () throws -> InclusionBundle in
            var signed: Checkpoint?
            if let checkpoint {
                signed = try Checkpoint(file: checkpoint)
            }
            var configuration = StoreConfiguration(path: data)
            configuration.readOnly = true
            do {
                let store = try TimelineStore(configuration: configuration)
                let size = signed.map { $0.treeSize ?? $0.position }
                let proof = try store.inclusionProof(position: position, treeSize: size)
                guard let event = try store.event(at: position) else { throw AuditError("there is no event at position \(position)") }
                return InclusionBundle(
                    event: event, position: proof.position, treeSize: proof.treeSize, leafHash: proof.leafHash,
                    rootHash: proof.rootHash, proof: proof.proof, checkpoint: signed
                )
            } catch let error as TimelineError {
                throw AuditError("\(error.code.rawValue): \(error.message)")
            }
        }
        try emit(CanonicalJSON.string(bundle.json) + "\n", to: output)
    }
}

struct CheckProof: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-proof",
        abstract: "Checks a proof file from prove offline: the event's hashes, the inclusion proof, and the signed checkpoint it leads to.",
        discussion: "Exit codes: 0 the event is proven, 1 it is not (each reason on standard output), 2 the file cannot be read."
    )

    @Argument(help: "The proof file.")
    var file: String

    @Option(help: "The daemon's public key (checkpoint.pub).")
    var publicKey: String?

    func run() throws {
        let problems = try guarded { () throws -> [String] in
            guard let bytes = FileManager.default.contents(atPath: file) else { throw AuditError("cannot read the proof file \(file)") }
            let bundle = try InclusionBundle(bytes: Array(bytes))
            let key = try publicKey.map { path throws(AuditError) in try Checkpoint.publicKey(fromFile: path) }
            let problems = bundle.problems(publicKey: key)
            if problems.isEmpty {
                print("The event at position \(bundle.position) (\(bundle.event.type) of order \(bundle.event.order)) is in the log of \(bundle.treeSize) events whose signed checkpoint has root \(Hashing.hex(bundle.rootHash)).")
            }
            return problems
        }
        guard problems.isEmpty else {
            print("The proof does NOT hold:\n" + problems.map { "- " + $0 }.joined(separator: "\n"))
            throw ExitCode(1)
        }
    }
}
