import Foundation
import Testing
import TimelineAudit
import TimelineModel
import TimelineStore

/// Redaction in a real store: one commit removes the targets' data (and blobs
/// no other event names), every hash and the chain stay, views and a rebuild
/// agree, the audit accepts it and catches data removed any other way, and a
/// backup no longer holds the bytes.
@Suite("redaction: data erased, chain kept, audit clean, backup purged")
struct RedactionTests {
    static let secret = "call me on the side, my locker code is QX7-SECRET-4471"

    /// A store with orders A-1000 and A-1001 (sharing an evidence file, since both scripts
    /// attach the bytes of their own order id) plus a secret chat line and a second file on A-1000.
    static func makeStore(_ path: String) throws -> (TimelineStore, chat: UInt64, evidence: UInt64, note: UInt64, ownFile: UInt64) {
        let store = try Fixture.makeStore(path, orders: 2)
        let shared = Fixture.evidenceBytes("A-1000")
        let own = Array("private photo of A-1000's buyer".utf8)
        try Fixture.commit(store, [
            AppendRequest(order: "A-1000", events: [Fixture.event("s-1", "chat.message", Fixture.buyer, ["channel": "order", "text": .string(secret)])]),
            AppendRequest(order: "A-1001", events: [Fixture.event("s-2", "evidence.attached", Fixture.buyer, [
                "sha256": .string(Hashing.sha256Hex(shared)), "size": .int(Int64(shared.count)), "filename": "copy.png",
                "mediaType": "image/png", "channel": "order",
            ])], origin: .evidencePut, blobs: [EvidenceBlob(shared)]),
            AppendRequest(order: "A-1000", events: [Fixture.event("s-3", "evidence.attached", Fixture.buyer, [
                "sha256": .string(Hashing.sha256Hex(own)), "size": .int(Int64(own.count)), "filename": "me.png",
                "mediaType": "image/png", "channel": "order", "description": "my face",
            ])], origin: .evidencePut, blobs: [EvidenceBlob(own)]),
        ])
        func position(_ id: String) throws -> UInt64 { try #require(try store.event(withId: id)).position }
        return (store, try position("s-1"), try position("A-1000-6"), try position("A-1000-10"), try position("s-3"))
    }

    static func redact(_ store: TimelineStore, _ order: String, _ positions: [UInt64]) -> Result<AppendOutcome, TimelineError> {
        store.commit([AppendRequest.redact(order: order, RedactionRequest(positions: positions, reason: "GDPR Art. 17 request 118", requestedBy: "dpo-ticket-118"))])[0]
    }

    @Test("each redactable type loses its data in one commit; hashes, chain and the shared blob stay; audit, rebuild and views agree")
    func redactEachType() throws {
        let dir = TempDirectory("redact")
        let (store, chat, evidence, note, ownFile) = try Self.makeStore(dir.sub("store"))
        let before = try [chat, evidence, note, ownFile].map { try #require(try store.event(at: $0)) }
        let sharedSha = try #require(before[1].data["sha256"]?.stringValue)
        let ownSha = try #require(before[3].data["sha256"]?.stringValue)

        let outcome = try Self.redact(store, "A-1000", [note, chat, evidence, ownFile]).get()
        #expect(outcome.redaction == RedactionOutcome(redacted: 4, blobsDeleted: 1), "the file A-1001 also names stays")
        for (old, p) in zip(before, [chat, evidence, note, ownFile]) {
            let now = try #require(try store.event(at: p))
            #expect(now.isRedacted)
            #expect(now.dataHash == old.dataHash && now.hash == old.hash && now.prevHash == old.prevHash)
            #expect(now == old.redacted)
        }
        #expect(try store.blob(sha256: sharedSha) != nil)
        #expect(try store.blob(sha256: ownSha) == nil)
        let redaction = try #require(outcome.records.first)
        #expect(redaction.type == "redaction.applied" && redaction.actor == .daemon)
        #expect(redaction.data["targets"]?.arrayValue?.map { $0["position"]?.intValue } == [chat, evidence, note, ownFile].sorted().map { Int64($0) })
        #expect(redaction.data["targets"]?.arrayValue?.first?["header"] == before[1].redacted.json(), "targets in position order: the evidence first")

        let view = try #require(try store.order("A-1000"))
        #expect(view.evidence.isEmpty, "both files of A-1000 are gone from its view")
        #expect(try store.order("A-1001")?.evidence.count == 2)
        #expect(try Auditor.verify(store: store).findings == [])

        _ = try store.rebuildViews()
        #expect(try store.order("A-1000") == view, "a rebuild from the redacted log gives the same view")
        #expect(try Auditor.verify(store: store).findings == [])
    }

    @Test("redacting again, a type that is not redactable, another order's event or a position past the head is refused, naming it")
    func refusals() throws {
        let dir = TempDirectory("redact-refuse")
        let (store, chat, _, _, _) = try Self.makeStore(dir.sub("store"))
        _ = try Self.redact(store, "A-1000", [chat]).get()
        let head = store.head
        func refusal(_ order: String, _ positions: [UInt64]) -> TimelineError? {
            if case .failure(let e) = Self.redact(store, order, positions) { return e }
            return nil
        }
        let again = refusal("A-1000", [chat])
        #expect(again?.code == .badRequest && again?.message.contains("position \(chat)") == true && again?.message.contains("already redacted") == true, "\(String(describing: again))")
        let placed = refusal("A-1000", [1])
        #expect(placed?.code == .badRequest && placed?.message.contains("order.placed") == true, "\(String(describing: placed))")
        let other = refusal("A-1001", [chat])
        #expect(other?.code == .badRequest && other?.message.contains("A-1000") == true)
        #expect(refusal("A-1000", [head.position + 5])?.code == .notFound)
        #expect(refusal("A-9999", [chat])?.code == .notFound)
        #expect(refusal("A-1000", [3, 3])?.code == .badRequest)
        #expect(store.head == head, "no refusal wrote anything")
    }

    @Test("data removed without a redaction, a redaction whose target kept its data, and a blob left behind are findings")
    func tamperFindings() throws {
        let dir = TempDirectory("redact-tamper")
        let (store, chat, _, _, ownFile) = try Self.makeStore(dir.sub("store"))
        let ownSha = try #require(try store.event(at: ownFile)?.data["sha256"]?.stringValue)
        let ownBlob = try #require(try store.blob(sha256: ownSha))
        _ = try Self.redact(store, "A-1000", [ownFile]).get()
        try store.closeCleanly()
        let copy = dir.sub("copy")
        try Fixture.copy(dir.sub("store"), to: copy)
        do {
            let t = try Tamperer(copy)
            // Data erased by hand: the chain still verifies, but nothing explains the loss.
            try t.put("records", key: Tamperer.key(chat), value: try t.record(chat).redacted.canonicalBytes)
            // The blob the redaction deleted, put back.
            try t.put("blobs", key: Array(Hashing.bytes(fromHex: Hashing.sha256Hex(ownBlob)) ?? []), value: ownBlob)
        }
        let report = try Auditor.verify(dataDirectory: copy)
        let codes = Set(report.findings.map(\.code))
        #expect(codes.contains(.dataMissing), "\(report.findings)")
        #expect(codes.contains(.blobUnreferenced), "\(report.findings)")
        #expect(!codes.contains(.dataHashMismatch) && !codes.contains(.hashMismatch), "a redacted record still hashes: \(report.findings)")

        // A redaction whose target kept its data: the original record written back.
        let second = dir.sub("second")
        try FileManager.default.createDirectory(atPath: second, withIntermediateDirectories: true)
        let (store2, chat2, _, _, _) = try Self.makeStore(second + "/store")
        let original = try store2.event(at: chat2)
        _ = try Self.redact(store2, "A-1000", [chat2]).get()
        try store2.closeCleanly()
        try Fixture.copy(second + "/store", to: second + "/copy")
        do {
            let t = try Tamperer(second + "/copy")
            try t.put("records", key: Tamperer.key(chat2), value: try #require(original).canonicalBytes)
        }
        let kept = try Auditor.verify(dataDirectory: second + "/copy")
        #expect(kept.findings.map(\.code).contains(.redactionIncomplete), "\(kept.findings)")
    }

    @Test("a backup made after the redaction holds none of the erased bytes, and verifies clean")
    func backupPurges() throws {
        let dir = TempDirectory("redact-backup")
        let (store, chat, _, _, ownFile) = try Self.makeStore(dir.sub("store"))
        let ownSha = try #require(try store.event(at: ownFile)?.data["sha256"]?.stringValue)
        let ownBytes = try #require(try store.blob(sha256: ownSha))
        _ = try Self.redact(store, "A-1000", [chat, ownFile]).get()
        _ = try store.backup(to: dir.sub("backup"))
        for file in ["log/data.mdb", "views/data.mdb"] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: dir.sub("backup/" + file)))
            #expect(bytes.range(of: Data(Self.secret.utf8)) == nil, "the erased text is not in the backup's \(file)")
            #expect(bytes.range(of: Data(ownBytes)) == nil, "the erased file is not in the backup's \(file)")
            #expect(bytes.range(of: Data("me.png".utf8)) == nil, "the erased file name is not in the backup's \(file)")
        }
        #expect(try Auditor.verify(dataDirectory: dir.sub("backup")).findings == [])
    }

    @Test("an export of a redacted store verifies clean, in timeline-audit and the Python verifier; data removed by hand is data_missing in both")
    func exportVerifies() throws {
        let dir = TempDirectory("redact-export")
        let (store, chat, evidence, _, _) = try Self.makeStore(dir.sub("store"))
        _ = try Self.redact(store, "A-1000", [chat, evidence]).get()
        let export = dir.sub("log.jsonl")
        _ = try Exporter.export(store: store, to: export)
        let lines = try String(contentsOfFile: export, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(!lines[Int(chat - 1)].contains("\"data\""), "the export carries the redacted event without data")
        // By hand: the seller's first message on A-1001 loses its data, nothing names it.
        let victim = try #require(try store.event(withId: "A-1001-3"))
        var edited = lines
        edited[Int(victim.position - 1)] = String(decoding: victim.redacted.canonicalBytes, as: UTF8.self)
        let cases = [("clean", lines, [String]()), ("by-hand", edited, ["data_missing@\(victim.position)"])]
        for (name, content, expected) in cases {
            let path = dir.sub("\(name).jsonl")
            try Data((content.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
            let swift = try Binaries.run("timeline-audit", ["verify", "--export", path, "--json"])
            let codes = { (text: String) throws -> [String] in
                try JSONParser.parse(Array(text.utf8))["findings"]?.arrayValue?.map { "\($0["code"]?.stringValue ?? "?")@\($0["position"]?.intValue ?? -1)" } ?? []
            }
            #expect(try codes(swift.stdout) == expected, "\(name): \(swift.stdout)")
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { continue }
            let py = try Binaries.run("/usr/bin/python3", [Binaries.packageRoot + "/scripts/verify_export.py", path, "--json"])
            #expect(try codes(py.stdout) == expected, "\(name): \(py.stdout) \(py.stderr)")
        }
    }

    @Test("the timeline shows a redacted event as redacted at <time>: <reason>, without its data")
    func timelineShowsRedaction() throws {
        let dir = TempDirectory("redact-timeline")
        let (store, chat, _, _, _) = try Self.makeStore(dir.sub("store"))
        let outcome = try Self.redact(store, "A-1000", [chat]).get()
        let at = try #require(outcome.records.first?.recordedAt)
        let timeline = try OrderTimeline.load(order: "A-1000", store: store)
        let entry = try #require(timeline.entries.first { $0.record.position == chat })
        #expect(entry.redaction?.sentence == "redacted at \(at.rfc3339): GDPR Art. 17 request 118")
        #expect(entry.text == nil && entry.illegal == nil)
        for rendered in [timeline.html, timeline.text, CanonicalJSON.string(timeline.json)] {
            #expect(rendered.contains("redacted at \(at.rfc3339): GDPR Art. 17 request 118"))
            #expect(!rendered.contains("QX7-SECRET"))
        }
    }
}
