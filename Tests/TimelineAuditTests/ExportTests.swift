import Foundation
import Testing
import TimelineAudit
import TimelineModel
import TimelineStore

/// The JSON Lines export: written from a store, verified on its own, and
/// caught when edited with a text editor.
@Suite("exports")
struct ExportTests {
    let dir = TempDirectory("export")
    let exportPath: String

    init() throws {
        let store = try Fixture.makeStore(dir.sub("store"))
        exportPath = dir.sub("log.jsonl")
        let summary = try Exporter.export(store: store, to: exportPath)
        #expect(summary.events == 30)
        try Fixture.writeCheckpoint(of: store, to: dir.sub("checkpoint.json"))
        try Fixture.writePublicKey(dir.sub("checkpoint.pub"))
    }

    var lines: [String] {
        get throws { try String(contentsOfFile: exportPath, encoding: .utf8).split(separator: "\n").map(String.init) }
    }

    func edited(_ name: String, _ edit: (inout [String]) -> Void) throws -> String {
        var l = try lines
        edit(&l)
        let path = dir.sub(name)
        try (l.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func codes(_ path: String, _ options: VerifyOptions = VerifyOptions()) throws -> [String] {
        try Auditor.verify(exportFile: path, options: options).findings.map { "\($0.code.rawValue)@\($0.position.map(String.init) ?? "-")" }
    }

    @Test("an export holds one canonical record per line and verifies clean")
    func clean() throws {
        let l = try lines
        #expect(l.count == 30)
        #expect(l[0].hasPrefix("{\"actor\":"))
        let report = try Auditor.verify(exportFile: exportPath)
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(report.events == 30)
    }

    @Test("an export from a later position verifies clean with --from and says where it starts; without it the missing start is a position_gap")
    func partial() throws {
        let store = try Auditor.openStore(dir.sub("store"))
        let path = dir.sub("tail.jsonl")
        _ = try Exporter.export(store: store, to: path, from: 14)
        var options = VerifyOptions()
        options.exportStart = 14
        let report = try Auditor.verify(exportFile: path, options: options)
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(report.firstPosition == 14)
        #expect(report.notes.contains { $0.contains("from position 14") })
        #expect(try codes(path) == ["position_gap@1"], "a whole export must start at 1")
    }

    @Test("dropping an export's first lines is a position_gap at 1; swapping its first two is position_out_of_order")
    func startTampered() throws {
        #expect(try codes(try edited("headless.jsonl") { $0.removeFirst(3) }) == ["position_gap@1"])
        #expect(try codes(try edited("swapped-start.jsonl") { $0.swapAt(0, 1) }) == ["position_out_of_order@1"])
    }

    @Test("a message edited in a text editor is a data_hash_mismatch")
    func textEdited() throws {
        let path = try edited("text.jsonl") { l in l[4] = l[4].replacingOccurrences(of: "got 1 of 2", with: "got 2 of 2") }
        #expect(try codes(path) == ["data_hash_mismatch@5"])
    }

    @Test("an actor edited in a text editor is a hash_mismatch")
    func actorEdited() throws {
        let path = try edited("actor.jsonl") { l in l[9] = l[9].replacingOccurrences(of: "\"s-1\"", with: "\"s-2\"") }
        #expect(try codes(path) == ["hash_mismatch@10"])
    }

    @Test("a deleted line is a position_gap, swapped lines are position_out_of_order")
    func linesMoved() throws {
        #expect(try codes(try edited("deleted.jsonl") { $0.remove(at: 21) }) == ["position_gap@22"])
        #expect(try codes(try edited("swapped.jsonl") { $0.swapAt(2, 3) }) == ["position_out_of_order@3"])
    }

    @Test("a pretty-printed or reindented line still verifies: the rules hash canonical forms, not bytes")
    func reformatted() throws {
        let path = try edited("spaced.jsonl") { l in l[0] = l[0].replacingOccurrences(of: ",\"", with: ", \"") }
        #expect(try codes(path).isEmpty)
    }

    /// The last line changed by `edit` with its `hash` recomputed, as a forger would.
    func forgedLast(_ name: String, _ edit: (inout [String: JSONValue]) -> Void) throws -> String {
        try edited(name) { l in
            guard let last = l.last, case .object(var o) = try? JSONParser.parse(Array(last.utf8)) else { return }
            edit(&o)
            var hashed = o
            hashed.removeValue(forKey: "hash")
            hashed.removeValue(forKey: "data")
            o["hash"] = .string(Hashing.sha256Hex(CanonicalJSON.encode(.object(hashed))))
            l[l.count - 1] = CanonicalJSON.string(.object(o))
        }
    }

    @Test("a rehashed record with an unknown field, a recordedAt in another form, a null field or an occurredAt that is not a time is malformed_record")
    func malformed() throws {
        let unknown = try forgedLast("unknown.jsonl") { $0["note"] = "added later" }
        #expect(try codes(unknown) == ["malformed_record@30"])
        let offset = try forgedLast("offset.jsonl") { o in
            guard let t = o["recordedAt"]?.stringValue else { return }
            o["recordedAt"] = .string(String(t.dropLast()) + "+00:00")  // the same instant, another spelling
        }
        #expect(try codes(offset) == ["malformed_record@30"])
        let null = try forgedLast("null.jsonl") { $0["occurredAt"] = .null }
        let report = try Auditor.verify(exportFile: null)
        #expect(report.findings.map(\.code) == [.malformedRecord], "\(report.findings)")
        #expect(report.findings.first?.message.contains("null") == true)
        // append refuses an occurredAt that is not RFC 3339, so a record holding one was forged.
        let yesterday = try forgedLast("yesterday.jsonl") { $0["occurredAt"] = "yesterday" }
        #expect(try codes(yesterday) == ["malformed_record@30"])
        let stamped = try forgedLast("stamped.jsonl") { $0["occurredAt"] = "2026-11-26T15:00:00+01:00" }
        #expect(try codes(stamped) == [], "any RFC 3339 time is what append accepts")
        #expect(try codes(exportPath).isEmpty, "the untouched export has none")
    }

    @Test("a garbled line is unreadable_record at the position it leaves empty")
    func garbled() throws {
        let path = try edited("garbled.jsonl") { l in l[7] = String(l[7].dropLast(3)) }
        let found = try codes(path)
        #expect(found == ["unreadable_record@8"], "the garbled line is named by the position it leaves empty, and that gap is not repeated: \(found)")
    }

    @Test("a checkpoint verifies against the export, and a forged export fails it")
    func checkpoint() throws {
        let checkpoint = try Checkpoint(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: dir.sub("checkpoint.json")))))
        let key = try Checkpoint.publicKey(fromFile: dir.sub("checkpoint.pub"))
        let options = VerifyOptions(checkpoint: checkpoint, publicKey: key)
        #expect(try codes(exportPath, options).isEmpty)
        // A forger rewrites line 5 and recomputes every hash after it.
        var records = try lines.map { line in try Array(line.utf8).withUnsafeBufferPointer { try RecordedEvent(bytes: $0) } }
        records[4].data = ["channel": "order", "text": "all good"]
        var prev = Hashing.zeroHash
        for i in records.indices { records[i].seal(prevHash: prev); prev = records[i].hash }
        let forged = dir.sub("forged.jsonl")
        try (records.map { CanonicalJSON.string($0.json()) }.joined(separator: "\n") + "\n").write(toFile: forged, atomically: true, encoding: .utf8)
        #expect(try codes(forged).isEmpty)
        #expect(try codes(forged, options) == ["checkpoint_mismatch@30", "merkle_mismatch@30"], "the chain and the tree of the signed head differ")
        // Truncated after the checkpoint's position was signed.
        let truncated = try edited("truncated.jsonl") { $0.removeLast(2) }
        #expect(try codes(truncated, options) == ["checkpoint_mismatch@30"])
    }
}
