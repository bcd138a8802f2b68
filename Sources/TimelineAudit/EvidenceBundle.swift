import Foundation
import TimelineModel
import TimelineStore
import ZIPFoundation

/// `timeline-audit bundle`: everything a payment team shows a processor about
/// one order's dispute or chargeback, in one ZIP that can be checked offline:
///
/// - `manifest.json`: every other file with its SHA-256 and size, the order, the
///   checkpoint the proofs are against, when it was made, and the warnings;
/// - `events.jsonl`: the order's recorded events as stored (redacted ones without data);
/// - `proofs/<position>.json`: an inclusion proof of each event against that
///   checkpoint (`timeline-audit check-proof`, `python3 -m ordertimeline.proof` read them);
///   `proofs.json` lists them all; `checkpoint.pub` is the key that signed it;
/// - `timeline.html`: the auditor's page; `evidence/`: the attached files;
/// - `processor/stripe.json`: Stripe's dispute evidence fields (``StripeEvidence``),
///   and `processor/communication.pdf` when a headless chromium can print it;
/// - `README.txt`: how to check it in three commands.
public enum EvidenceBundle {
    /// What a bundle holds, for the caller's summary.
    public struct Summary: Sendable {
        public var files: [String]
        public var warnings: [String]
        /// The signed checkpoint the proofs are against (`nil`: the head, unsigned).
        public var checkpoint: Checkpoint?
    }

    /// Writes the bundle of `order` from `source` to `path` (replaced). `checkpoint`
    /// is the one to prove against; without it the latest signed one the source knows
    /// that covers the order's last event, else the head (unsigned, warned).
    /// `chromium` is the browser that prints the PDF (`nil`: looked up on `PATH`).
    public static func write(
        from source: some BundleSource, order: String, checkpoint given: Checkpoint?, to path: String, now: Timestamp = .now(), chromium: String? = nil
    ) throws(AuditError) -> Summary {
        let events = try source.events(order: order)
        guard let last = events.last else { throw AuditError("order \(order) has no events in \(source.name)") }
        var warnings: [String] = []
        let checkpoint = given ?? source.latestCheckpoint(covering: last.position)
        if let checkpoint, (checkpoint.treeSize ?? checkpoint.position) < last.position {
            throw AuditError("the checkpoint covers positions up to \(checkpoint.treeSize ?? checkpoint.position), but order \(order) has events up to \(last.position); sign a newer one (timelinectl checkpoint)")
        }
        if checkpoint == nil {
            warnings.append("no signed checkpoint covers this order's last event (position \(last.position)): the proofs are against the log's head, unsigned; sign one with `timelinectl checkpoint` and make the bundle again")
        }
        if checkpoint != nil && source.publicKeyFile == nil {
            warnings.append("the public key is not in the bundle (give it with --public-key): the checkpoint's signature can be checked only with the daemon's checkpoint.pub")
        }
        var files = BundleFiles()
        // The events and their proofs.
        files.add("events.jsonl", events.flatMap { $0.canonicalBytes + [0x0A] })
        var proofs: [JSONValue] = []
        let treeSize: UInt64
        if let checkpoint { treeSize = checkpoint.treeSize ?? checkpoint.position } else { treeSize = try source.headPosition() }
        for event in events {
            let proof = try source.inclusionProof(position: event.position, treeSize: treeSize)
            let bundle = InclusionBundle(
                event: event, position: proof.position, treeSize: proof.treeSize, leafHash: proof.leafHash,
                rootHash: proof.rootHash, proof: proof.proof, checkpoint: checkpoint
            )
            proofs.append(bundle.json)
            files.add("proofs/\(event.position).json", Array(CanonicalJSON.string(bundle.json).utf8) + [0x0A])
        }
        files.add("proofs.json", CanonicalJSON.encode(["treeSize": .int(Int64(treeSize)), "proofs": .array(proofs)]) + [0x0A])
        if let key = source.publicKeyFile { files.add("checkpoint.pub", key) }
        // The page and the evidence files.
        var blobs: [String: [UInt8]] = [:]
        for event in events where event.type == "evidence.attached" {
            if let sha = event.data["sha256"]?.stringValue, blobs[sha] == nil, let bytes = try source.blob(sha256: sha) { blobs[sha] = bytes }
        }
        var timeline = OrderTimeline.build(order: order, events: events, blobs: blobs, now: now)
        // A malformed key file leaves the page's badge unsigned; the bundle's own checks are offline.
        let key = source.publicKeyFile.flatMap { try? Checkpoint.publicKey(fileBytes: $0) }
        timeline.verification = try TimelineVerification.check(events: events, source: source, checkpoint: checkpoint, publicKey: key)
        files.add("timeline.html", Array(timeline.html.utf8))
        var attachments: [StripeEvidence.Attachment] = []
        for event in events where event.type == "evidence.attached" && !event.isRedacted {
            guard let sha = event.data["sha256"]?.stringValue else { continue }
            let name = "evidence/\(event.position)-\(safeName(event.data["filename"]?.stringValue ?? "file"))"
            guard let bytes = blobs[sha] else {
                warnings.append("the file of the evidence at position \(event.position) is not stored (\(sha.prefix(16))…): left out")
                continue
            }
            files.add(name, bytes)
            attachments.append(.init(path: name, mediaType: event.data["mediaType"]?.stringValue ?? "", size: bytes.count, position: event.position))
        }
        // The processor's forms.
        var pdf: String?
        switch CommunicationPDF.render(html: timeline.html, chromium: chromium) {
        case .rendered(let bytes):
            files.add("processor/communication.pdf", bytes)
            pdf = "processor/communication.pdf"
            warnings += CommunicationPDF.limitWarnings(bytes)
        case .unavailable(let why):
            warnings.append("processor/communication.pdf was not made: \(why)")
        }
        let stripe = StripeEvidence.make(timeline: timeline, attachments: attachments, communicationPDF: pdf)
        warnings += stripe.warnings
        files.add("processor/stripe.json", CanonicalJSON.encode(stripe.json) + [0x0A])
        files.add("README.txt", Array(readme(order: order, signed: checkpoint != nil).utf8))
        // The manifest names every other file.
        var manifest: [String: JSONValue] = [
            "order": .string(order), "generatedAt": .string(now.rfc3339), "events": .int(Int64(events.count)),
            "lastPosition": .int(Int64(last.position)), "treeSize": .int(Int64(treeSize)),
            "files": .array(files.entries.map { ["path": .string($0.path), "sha256": .string(Hashing.sha256Hex($0.bytes)), "size": .int(Int64($0.bytes.count))] }),
            "warnings": .array(warnings.map { .string($0) }),
            "communicationPDF": pdf.map { .string($0) } ?? .null,
        ]
        manifest["checkpoint"] = checkpoint.map { .object($0.members) } ?? .null
        files.add("manifest.json", Array(CanonicalJSON.string(.object(manifest)).utf8) + [0x0A])
        try files.writeZip(to: path)
        return Summary(files: files.entries.map(\.path), warnings: warnings, checkpoint: checkpoint)
    }

    /// A file name without path or control characters, kept short, for `evidence/`.
    static func safeName(_ name: String) -> String {
        let kept = name.unicodeScalars.map { s -> Character in
            s == "/" || s == "\\" || s.value < 0x20 || s.value == 0x7F || s == ":" ? "_" : Character(s)
        }
        let text = String(kept).trimmingCharacters(in: .whitespaces)
        return text.isEmpty || text == "." || text == ".." ? "file" : String(text.prefix(120))
    }

    static func readme(order: String, signed: Bool) -> String {
        """
        Evidence bundle of order \(order), made by timeline-audit bundle.

        manifest.json lists every file with its SHA-256 and size. events.jsonl holds the
        order's events exactly as the platform's append-only log recorded them (an event
        whose data was erased on a data-protection request appears without its data; its
        hashes and proof still hold). Each proofs/<position>.json proves that event is in
        the log whose \(signed ? "signed checkpoint" : "head (UNSIGNED: no signed checkpoint covered the order)") it carries.

        To check it offline, with Python 3 and nothing else, from the unzipped folder:

          1. sha256sum -c <(python3 -c 'import json;[print(f["sha256"]+"  "+f["path"]) for f in json.load(open("manifest.json"))["files"]]')
          2. for p in proofs/*.json; do python3 -m ordertimeline.proof "$p" checkpoint.pub || echo "FAILED: $p"; done
          3. open timeline.html in a browser: the whole conversation, evidence and state changes

        ordertimeline is the OrderTimeline project's Python package (clients/python,
        standard library only: pip install ./clients/python); scripts/check_proof.py and
        `timeline-audit check-proof FILE --public-key checkpoint.pub` do the same.

        """
    }
}

/// Where a bundle's facts come from: a data directory (``StoreBundleSource``) or a
/// running daemon's socket (timeline-audit's own source).
public protocol BundleSource {
    /// The source as a person names it, for messages.
    var name: String { get }
    /// The order's events, in revision order.
    func events(order: String) throws(AuditError) -> [RecordedEvent]
    /// The log's head position.
    func headPosition() throws(AuditError) -> UInt64
    func inclusionProof(position: UInt64, treeSize: UInt64) throws(AuditError) -> InclusionProof
    /// The evidence bytes, `nil` when not stored.
    func blob(sha256: String) throws(AuditError) -> [UInt8]?
    /// Signed checkpoints the source knows.
    var checkpoints: [Checkpoint] { get }
    /// The `checkpoint.pub` file that verifies them, when known.
    var publicKeyFile: [UInt8]? { get }
}

/// A data directory, opened read-only: its log, its stored checkpoints and its public key.
public struct StoreBundleSource: BundleSource {
    let store: TimelineStore
    let directory: String
    public let checkpoints: [Checkpoint]
    public let publicKeyFile: [UInt8]?

    /// Opens `directory` read-only.
    public init(dataDirectory directory: String) throws(AuditError) {
        store = try Auditor.openStore(directory)
        self.directory = directory
        checkpoints = CheckpointJournalReader(directory: directory).checkpoints
        publicKeyFile = FileManager.default.contents(atPath: directory + "/checkpoint.pub").map(Array.init)
    }

    public var name: String { directory }

    public func events(order: String) throws(AuditError) -> [RecordedEvent] {
        do { return try store.orderEvents(order) } catch { throw AuditError("cannot read order \(order): \(error.message)") }
    }

    public func headPosition() throws(AuditError) -> UInt64 { store.head.position }

    public func inclusionProof(position: UInt64, treeSize: UInt64) throws(AuditError) -> InclusionProof {
        do { return try store.inclusionProof(position: position, treeSize: treeSize) } catch {
            throw AuditError("cannot prove position \(position): \(error.message)")
        }
    }

    public func blob(sha256: String) throws(AuditError) -> [UInt8]? {
        do { return try store.blob(sha256: sha256) } catch { throw AuditError("cannot read evidence \(sha256.prefix(16))…: \(error.message)") }
    }
}

/// The files of a bundle, in the order they are written.
struct BundleFiles {
    var entries: [(path: String, bytes: [UInt8])] = []

    mutating func add(_ path: String, _ bytes: [UInt8]) { entries.append((path, bytes)) }

    /// Writes them as a deflated ZIP at `path` (replaced).
    func writeZip(to path: String) throws(AuditError) {
        try? FileManager.default.removeItem(atPath: path)
        do {
            let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
            for entry in entries {
                let data = Data(entry.bytes)
                try archive.addEntry(with: entry.path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
        } catch {
            throw AuditError("cannot write the bundle \(path): \(error)")
        }
    }
}
