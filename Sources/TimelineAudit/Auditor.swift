import Foundation
import TimelineModel
import TimelineStore

#if canImport(Glibc)
import Glibc
#endif

/// Settings of one `verify` run.
public struct VerifyOptions: Sendable {
    /// A signed checkpoint to check against the log.
    public var checkpoint: Checkpoint?
    /// The raw Ed25519 public key for the checkpoint (a store's own `checkpoint.pub` when `nil`).
    public var publicKey: [UInt8]?
    /// Replay every event through the catalog's rules (on by default).
    public var checkLegality = true
    /// The position an export starts at: 1 for a whole export (anything missing
    /// before its first line is a `position_gap`), N for one made with `export --from N`.
    public var exportStart: UInt64 = 1
    /// Called every 100,000 events with (events done, events in total).
    public var progress: (@Sendable (UInt64, UInt64) -> Void)?

    public init(checkpoint: Checkpoint? = nil, publicKey: [UInt8]? = nil) {
        self.checkpoint = checkpoint
        self.publicKey = publicKey
    }
}

/// Offline verification of a store or an export against DOMAIN.md's audit rules.
///
/// ```swift
/// let report = try Auditor.verify(dataDirectory: "var/data")
/// if !report.isClean { print(report.text) }
/// ```
public enum Auditor {
    // MARK: - Opening

    /// Opens the store in `directory` read-only (beside a running daemon, or a copy).
    public static func openStore(_ directory: String) throws(AuditError) -> TimelineStore {
        let layout = DataLayout(root: directory)
        if layout.holdsSingleEnvironmentStore { throw AuditError(layout.singleEnvironmentRefusal.message) }
        guard layout.holdsStore else {
            throw AuditError("\(directory) holds no store (no log/data.mdb); give the daemon's dataDirectory or a backup of it")
        }
        var configuration = StoreConfiguration(path: directory)
        configuration.readOnly = true
        do {
            return try TimelineStore(configuration: configuration)
        } catch {
            if error.message.contains("mdb_dbi_open"), error.message.contains("NOTFOUND") {
                throw AuditError(
                    "the store in \(directory) lacks a table this version reads (\(error.message)): it was written by an older timelined; open a copy of it once with the current daemon, which adds its tables, then audit that copy"
                )
            }
            throw AuditError("cannot open the store in \(directory) read-only: \(error.message)")
        }
    }

    /// Verifies the store in `directory`, opened read-only.
    public static func verify(dataDirectory directory: String, options: VerifyOptions = VerifyOptions()) throws(AuditError) -> AuditReport {
        var options = options
        if options.checkpoint != nil, options.publicKey == nil {
            options.publicKey = try Checkpoint.publicKey(fromFile: directory + "/checkpoint.pub")
        }
        return try verify(store: try openStore(directory), options: options)
    }

    // MARK: - A store

    /// Verifies an open store in one read snapshot: the log, its indexes, the
    /// blobs and the stored views. Never blocks a writer.
    public static func verify(store: TimelineStore, options: VerifyOptions = VerifyOptions()) throws(AuditError) -> AuditReport {
        let started = Timestamp.now()
        var report = AuditReport(kind: "store", source: store.path)
        let journal = CheckpointJournalReader(directory: store.path)
        do {
            // Two snapshots: the second for the checks that run on another core, used only
            // when it reads the same committed state (no write landed between the two).
            try store.withAuditSnapshot { snap in try store.withAuditSnapshot { twin in
                let head = try snap.head()
                let total = try snap.logCount()
                var replay = ChainReplay(
                    start: 1, checkLegality: options.checkLegality,
                    indexCapacity: Int(max(head.position, UInt64(total))) + 1,
                    checkpointPositions: Set((options.checkpoint.map { [$0] } ?? []).map(\.position) + journal.checkpoints.map(\.position))
                )
                // views/ reflect the log through `applied`, which a running daemon (or a copy taken
                // while it ran) may hold behind the head: the views are compared with the replay at
                // `applied`, the log's own checks run on the whole log.
                let applied = try snap.applied()
                var reported: UInt64 = 0
                var scanned: UInt64 = 0
                func scan(from: UInt64, through: UInt64) throws {
                    let before = scanned
                    try ParallelScan.run(snap, from: from, through: through, into: &replay) { done in
                        scanned = before + done
                        if scanned - reported >= 100_000 || scanned == UInt64(total) {
                            reported = scanned
                            options.progress?(scanned, UInt64(total))
                        }
                    }
                }
                var viewsReplay: ChainReplay?
                if applied.position < head.position {
                    try scan(from: 1, through: applied.position)
                    var atApplied = replay
                    atApplied.finish()
                    viewsReplay = atApplied
                    try scan(from: applied.position + 1, through: .max)
                } else {
                    try scan(from: 1, through: .max)
                }
                replay.finish()
                var findings = replay.findings
                let lastPosition = replay.last?.position ?? 0
                if lastPosition != head.position || (head.position > 0 && replay.last?.hash != Digest32(hex: head.hash)) {
                    let lastHash = replay.last.map { " (hash \(($0.hash?.hex ?? "?").prefix(16))…)" } ?? ""
                    findings.append(Finding(
                        .headMismatch, position: head.position,
                        "the store's head says position \(head.position) (hash \(head.hash.prefix(16))…) but the log ends at position \(lastPosition)\(lastHash)"
                    ))
                }
                let viewsBasis = viewsReplay ?? replay
                findings += appliedFindings(applied, head: head, basis: viewsBasis)
                try StoreChecks(snap: snap, replay: viewsBasis, logReplay: replay).run(into: &findings, report: &report, twin: twin)
                if let checkpoint = options.checkpoint {
                    findings += checkpointFindings(checkpoint, publicKey: options.publicKey, replay: replay)
                    report.checkpointPosition = checkpoint.position
                }
                findings += journal.findings
                for checkpoint in journal.checkpoints {
                    findings += checkpointFindings(checkpoint, publicKey: journal.publicKey, replay: replay)
                }
                report.storedCheckpoints = journal.checkpoints.count
                report.findings = findings
                fill(&report, from: replay)
            } }
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError("reading the store in \(store.path) failed: \(error)")
        }
        report.seconds = Double(Timestamp.now().microseconds - started.microseconds) / 1_000_000
        report.sortFindings()
        return report
    }

    /// Where views/ say they stand (`applied`) against the log: a position past the
    /// head, or a hash other than the log's there, means the views were derived from
    /// another log (and every comparison with them is moot).
    static func appliedFindings(_ applied: ChainHead, head: ChainHead, basis: ChainReplay) -> [Finding] {
        if applied.position > head.position {
            return [Finding(
                .viewMismatch, position: applied.position,
                "views/ say they reflect the log through position \(applied.position), but the log ends at \(head.position): they were derived from another log; delete views/ and start the daemon (it rebuilds them from the log)"
            )]
        }
        guard applied.position > 0, let last = basis.last, last.position == applied.position,
              let logHash = last.hash, logHash != Digest32(hex: applied.hash) else { return [] }
        return [Finding(
            .viewMismatch, position: applied.position,
            "views/ say they reflect the log through position \(applied.position) with hash \(applied.hash.prefix(16))…, but the log's record there hashes to \(logHash.hex.prefix(16))…: they were derived from another log; delete views/ and start the daemon (it rebuilds them from the log)"
        )]
    }

    // MARK: - An export

    /// Verifies a JSON Lines export: the chain, positions, revisions, times
    /// and legality. Blobs and views are not in an export and are not checked.
    public static func verify(exportFile path: String, options: VerifyOptions = VerifyOptions()) throws(AuditError) -> AuditReport {
        let started = Timestamp.now()
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw AuditError("cannot read the export \(path): \(error.localizedDescription)")
        }
        var report = AuditReport(kind: "export", source: path)
        let start = max(1, options.exportStart)
        var replay = ChainReplay(start: start, checkLegality: options.checkLegality, checkpointPositions: Set(options.checkpoint.map { [$0.position] } ?? []))
        let total = UInt64(data.count / 400 + 1)
        data.withUnsafeBytes { raw in
            forEachLine(raw.bindMemory(to: UInt8.self)) { line, number in
                replay.feed(line, key: nil, line: number)
                if number % 100_000 == 0 { options.progress?(UInt64(number), max(total, UInt64(number))) }
            }
        }
        replay.finish()
        var findings = replay.findings
        report.notes.append("an export holds no blobs or stored views: evidence bytes and projections were not checked (verify the store for those)")
        if start != 1 {
            report.notes.append("the export was checked from position \(start) (--from): its link to position \(start - 1) and orders begun before it are checked only from there on")
        }
        if let checkpoint = options.checkpoint {
            guard let key = options.publicKey else { throw AuditError("checking a checkpoint against an export needs --public-key (the daemon's checkpoint.pub)") }
            findings += checkpointFindings(checkpoint, publicKey: key, replay: replay)
            report.checkpointPosition = checkpoint.position
        }
        report.findings = findings
        fill(&report, from: replay)
        report.seconds = Double(Timestamp.now().microseconds - started.microseconds) / 1_000_000
        report.sortFindings()
        return report
    }

    /// Calls `body` with every non-blank line (without its newline) and its 1-based number.
    static func forEachLine(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, Int) -> Void) {
        guard let base = bytes.baseAddress else { return }
        var start = 0
        var number = 0
        while start < bytes.count {
            number += 1
            let rest = bytes.count - start
            let end: Int
            if let nl = memchr(base + start, 0x0A, rest) {
                end = base.distance(to: nl.assumingMemoryBound(to: UInt8.self))
            } else {
                end = bytes.count
            }
            var stop = end
            if stop > start, base[stop - 1] == 0x0D { stop -= 1 }  // CRLF from an editor
            let line = UnsafeBufferPointer(start: base + start, count: stop - start)
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { body(line, number) }
            start = end + 1
        }
    }

    // MARK: - Pieces

    static func checkpointFindings(_ checkpoint: Checkpoint, publicKey: [UInt8]?, replay: ChainReplay) -> [Finding] {
        var findings: [Finding] = []
        if let publicKey {
            findings += checkpoint.signatureFindings(publicKey: publicKey)
        } else {
            findings.append(Finding(.checkpointSignatureInvalid, position: checkpoint.position, "no public key was given, so the checkpoint's signature could not be checked"))
        }
        if let first = replay.firstPosition, checkpoint.position < first, checkpoint.position > 0 {
            findings.append(Finding(.checkpointMismatch, position: checkpoint.position, "the checkpoint's position \(checkpoint.position) is before the first position checked (\(first))"))
            return findings
        }
        let record = replay.checkpointRecords[checkpoint.position]
        findings += checkpoint.logFindings(recordAt: record.map { ($0.hash, $0.recordedAt) }, logHead: replay.last?.position ?? 0)
        let root = checkpoint.position == 0 ? MerkleHash.empty : record?.root
        findings += checkpoint.merkleFindings(root: root, publicKey: publicKey)
        return findings
    }

    static func fill(_ report: inout AuditReport, from replay: ChainReplay) {
        report.events = replay.events
        report.orders = replay.tracks.count
        report.firstPosition = replay.firstProcessed
        report.lastPosition = replay.last?.position
    }
}
