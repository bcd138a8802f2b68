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
///   checkpoint (`timeline-audit check-proof` / `scripts/check_proof.py` read them);
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

    /// Writes the bundle of `order` from the store in `dataDirectory` to `path` (replaced).
    /// `checkpoint` is the one to prove against; without it the latest signed one in the
    /// data directory that covers the order's last event, else the head (unsigned, warned).
    /// `chromium` is the browser that prints the PDF (`nil`: looked up on `PATH`).
    public static func write(
        dataDirectory: String, order: String, checkpoint given: Checkpoint?, to path: String, now: Timestamp = .now(), chromium: String? = nil
    ) throws(AuditError) -> Summary {
        let store = try Auditor.openStore(dataDirectory)
        let events: [RecordedEvent]
        do { events = try store.orderEvents(order) } catch { throw AuditError("cannot read order \(order): \(error.message)") }
        guard let last = events.last else { throw AuditError("order \(order) has no events in \(dataDirectory)") }
        var warnings: [String] = []
        let journal = CheckpointJournalReader(directory: dataDirectory)
        let checkpoint = given ?? journal.checkpoints.filter { ($0.treeSize ?? $0.position) >= last.position }.max { $0.position < $1.position }
        if let checkpoint, (checkpoint.treeSize ?? checkpoint.position) < last.position {
            throw AuditError("the checkpoint covers positions up to \(checkpoint.treeSize ?? checkpoint.position), but order \(order) has events up to \(last.position); sign a newer one (timelinectl checkpoint)")
        }
        if checkpoint == nil {
            warnings.append("no signed checkpoint covers this order's last event (position \(last.position)): the proofs are against the log's head, unsigned; sign one with `timelinectl checkpoint` and make the bundle again")
        }
        var files = BundleFiles()
        // The events and their proofs.
        files.add("events.jsonl", events.flatMap { $0.canonicalBytes + [0x0A] })
        var proofs: [JSONValue] = []
        let treeSize = checkpoint.map { $0.treeSize ?? $0.position } ?? store.logHead.position
        for event in events {
            let proof: InclusionProof
            do { proof = try store.inclusionProof(position: event.position, treeSize: treeSize) } catch {
                throw AuditError("cannot prove position \(event.position): \(error.message)")
            }
            let bundle = InclusionBundle(
                event: event, position: proof.position, treeSize: proof.treeSize, leafHash: proof.leafHash,
                rootHash: proof.rootHash, proof: proof.proof, checkpoint: checkpoint
            )
            proofs.append(bundle.json)
            files.add("proofs/\(event.position).json", Array(CanonicalJSON.string(bundle.json).utf8) + [0x0A])
        }
        files.add("proofs.json", CanonicalJSON.encode(["treeSize": .int(Int64(treeSize)), "proofs": .array(proofs)]) + [0x0A])
        if let key = FileManager.default.contents(atPath: dataDirectory + "/checkpoint.pub") { files.add("checkpoint.pub", Array(key)) }
        // The page and the evidence files.
        let timeline = OrderTimeline.build(order: order, events: events) { sha, size in
            guard let bytes = try? store.blob(sha256: sha) else { return .missing }
            return Hashing.sha256Hex(bytes) == sha && Int64(bytes.count) == size ? .present : .mismatch
        }
        files.add("timeline.html", Array(timeline.html.utf8))
        var attachments: [StripeEvidence.Attachment] = []
        for event in events where event.type == "evidence.attached" && !event.isRedacted {
            guard let sha = event.data["sha256"]?.stringValue else { continue }
            let name = "evidence/\(event.position)-\(safeName(event.data["filename"]?.stringValue ?? "file"))"
            guard let bytes = try? store.blob(sha256: sha) else {
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
          2. for p in proofs/*.json; do python3 check_proof.py "$p" checkpoint.pub || echo "FAILED: $p"; done
          3. open timeline.html in a browser: the whole conversation, evidence and state changes

        check_proof.py is scripts/check_proof.py of the OrderTimeline project (with
        verify_export.py beside it); `timeline-audit check-proof FILE --public-key
        checkpoint.pub` does the same.

        """
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
