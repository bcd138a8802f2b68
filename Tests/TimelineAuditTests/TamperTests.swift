import Crypto
import Foundation
import LMDB
import Testing
import TimelineAudit
import TimelineModel
import TimelineStore
import TestSupport

/// Copies of a real store altered at the LMDB level: each alteration is reported
/// as exactly the finding it is, at its position.
@Suite("tampered stores")
struct TamperTests {
    /// The store every test copies (3 orders × 10 events; evidence at 6, 16, 26).
    let dir = TempDirectory("tamper")
    var original: String { dir.sub("original") }

    init() throws {
        let store = try Fixture.makeStore(dir.sub("original"))
        try Fixture.writeCheckpoint(of: store, to: dir.sub("checkpoint.json"))
        try Fixture.writePublicKey(dir.sub("checkpoint.pub"))
    }

    /// A copy of the original store to tamper with.
    func tamperedCopy(_ name: String, _ tamper: (Tamperer) throws -> Void) throws -> String {
        let path = dir.sub(name)
        try Fixture.copy(original, to: path)
        try tamper(try Tamperer(path))
        return path
    }

    func codes(_ report: AuditReport) -> [String] { report.findings.map { "\($0.code.rawValue)@\($0.position.map(String.init) ?? "-")" } }

    @Test("an untouched store verifies clean, with every check run")
    func untouched() throws {
        let report = try Auditor.verify(dataDirectory: original)
        #expect(report.findings.isEmpty, "\(report.findings)")
        #expect(report.events == 30)
        #expect(report.orders == 3)
        #expect(report.blobsChecked == 3)
        #expect(report.viewsChecked == 3)
        #expect(report.participantsChecked == 2)
    }

    @Test("a byte of one event's data changed is a data_hash_mismatch at that position")
    func dataByteChanged() throws {
        let path = try tamperedCopy("byte") { t in
            var bytes = try t.logBytes(15)
            let text = Array("got 1 of 2".utf8)
            let at = try #require(bytes.firstRange(of: text)).lowerBound
            bytes[at + 4] = UInt8(ascii: "2")  // "got 2 of 2"
            try t.put("records", key: Tamperer.key(15), value: bytes)
        }
        let report = try Auditor.verify(dataDirectory: path)
        #expect(codes(report) == ["data_hash_mismatch@15"], "\(report.findings)")
    }

    @Test("a deleted event is one position_gap at its position")
    func eventDeleted() throws {
        let path = try tamperedCopy("deleted") { t in try t.delete("records", key: Tamperer.key(14)) }
        let report = try Auditor.verify(dataDirectory: path)
        #expect(codes(report) == ["position_gap@14"], "\(report.findings)")
    }

    @Test("two swapped events are one position_out_of_order")
    func eventsSwapped() throws {
        let path = try tamperedCopy("swapped") { t in
            let a = try t.logBytes(12), b = try t.logBytes(13)
            try t.put("records", key: Tamperer.key(12), value: b)
            try t.put("records", key: Tamperer.key(13), value: a)
        }
        let report = try Auditor.verify(dataDirectory: path)
        #expect(codes(report) == ["position_out_of_order@12"], "\(report.findings)")
    }

    @Test("a recordedAt moved backwards (and the chain recomputed) is recorded_at_backwards, and the reply time it changed a figures_mismatch")
    func recordedAtBackwards() throws {
        let path = try tamperedCopy("time") { t in
            // Position 13 is a seller message whose time the view later overwrites; the buyer's
            // reply to it was timed from it, so the buyer's stored reply time no longer matches.
            try t.rechain { r in if r.position == 13 { r.recordedAt = Timestamp(microseconds: r.recordedAt.microseconds - 3_600_000_000) } }
        }
        let report = try Auditor.verify(dataDirectory: path)
        #expect(codes(report) == ["recorded_at_backwards@13", "figures_mismatch@-"], "\(report.findings)")
        #expect(report.findings.last?.message.contains("reply times stored for u-17") == true, "\(report.findings)")
    }

    @Test("a recordedAt moved backwards without rehashing is also a hash_mismatch at the same position")
    func recordedAtBackwardsNaive() throws {
        let path = try tamperedCopy("time-naive") { t in
            var r = try t.record(13)
            r.recordedAt = Timestamp(microseconds: r.recordedAt.microseconds - 3_600_000_000)
            try t.put("records", key: Tamperer.key(13), value: r.canonicalBytes)
        }
        let report = try Auditor.verify(dataDirectory: path)
        #expect(Set(codes(report)) == ["hash_mismatch@13", "recorded_at_backwards@13", "figures_mismatch@-"], "\(report.findings)")
    }

    @Test("a replaced blob is a blob_hash_mismatch at the event that attached it")
    func blobReplaced() throws {
        let path = try tamperedCopy("blob") { t in
            let key = Hashing.bytes(fromHex: Hashing.sha256Hex(Fixture.evidenceBytes("A-1001")))!
            try t.put("blobs", key: key, value: Array("a different picture".utf8))
        }
        let report = try Auditor.verify(dataDirectory: path)
        #expect(codes(report) == ["blob_hash_mismatch@16"], "\(report.findings)")
    }

    @Test("a deleted blob is blob_missing")
    func blobDeleted() throws {
        let path = try tamperedCopy("blob-gone") { t in
            try t.delete("blobs", key: Hashing.bytes(fromHex: Hashing.sha256Hex(Fixture.evidenceBytes("A-1002")))!)
        }
        #expect(codes(try Auditor.verify(dataDirectory: path)) == ["blob_missing@26"])
    }

    @Test("an edited projection row is a view_mismatch of that order")
    func projectionEdited() throws {
        let path = try tamperedCopy("view") { t in
            let views = try t.table("views")
            var bytes = try t.viewsEnv.read { txn in Array(try txn.get(views, key: Array("A-1002".utf8))!) }
            let from = Array("\"refundedAmount\":0".utf8)
            let range = try #require(bytes.firstRange(of: from))
            bytes.replaceSubrange(range, with: Array("\"refundedAmount\":2500".utf8))
            try t.put("views", key: Array("A-1002".utf8), value: bytes)
        }
        let report = try Auditor.verify(dataDirectory: path)
        #expect(codes(report) == ["view_mismatch@30"], "\(report.findings)")
        #expect(report.findings.first?.order == "A-1002")
        #expect(report.findings.first?.message.contains("refundedAmount") == true)
    }

    @Test("a whole chain recomputed by a forger passes the chain checks but not the signed checkpoint")
    func forgedChain() throws {
        let path = try tamperedCopy("forged") { t in
            try t.rechain { r in if r.position == 5 { r.data = ["channel": "order", "text": "all items arrived, thanks"] } }
        }
        #expect(try Auditor.verify(dataDirectory: path).findings.isEmpty)
        let checkpoint = try Checkpoint(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: dir.sub("checkpoint.json")))))
        let publicKey = try Checkpoint.publicKey(fromFile: dir.sub("checkpoint.pub"))
        let report = try Auditor.verify(dataDirectory: path, options: VerifyOptions(checkpoint: checkpoint, publicKey: publicKey))
        #expect(codes(report) == ["checkpoint_mismatch@30", "merkle_mismatch@30"], "the chain and the tree of the signed head differ: \(report.findings)")
        let clean = try Auditor.verify(dataDirectory: original, options: VerifyOptions(checkpoint: checkpoint, publicKey: publicKey))
        #expect(clean.findings.isEmpty, "\(clean.findings)")
    }

    @Test("a stored Merkle node altered, removed or added is a merkle_mismatch; the untouched store is clean")
    func merkleNodes() throws {
        let altered = try tamperedCopy("merkle-altered") { t in
            try t.put("merkle", key: [4] + Tamperer.key(0), value: [UInt8](repeating: 0xEE, count: 32))
        }
        #expect(try Auditor.verify(dataDirectory: altered).findings.map(\.code) == [.merkleMismatch])
        let removed = try tamperedCopy("merkle-removed") { t in try t.delete("merkle", key: [4] + Tamperer.key(0)) }
        #expect(try Auditor.verify(dataDirectory: removed).findings.map(\.code) == [.merkleMismatch])
        let added = try tamperedCopy("merkle-added") { t in
            try t.put("merkle", key: [9] + Tamperer.key(0), value: [UInt8](repeating: 1, count: 32))
        }
        #expect(try Auditor.verify(dataDirectory: added).findings.map(\.code) == [.merkleMismatch])
        #expect(try Auditor.verify(dataDirectory: original).isClean)
    }

    @Test("a checkpoint whose rootHash is not the log's tree is a merkle_mismatch even with a valid signature")
    func checkpointRoot() throws {
        let path = dir.sub("root")
        try Fixture.copy(original, to: path)
        let copy = try ViewsRecoveryTests.open(path)
        // Signed over a log with one more event than the audited one has at that position's tree.
        try Fixture.commit(copy, [AppendRequest(order: "A-1000", events: [Fixture.event("extra", "support.note", Fixture.staff, ["text": "x"])])])
        try Fixture.writeCheckpoint(of: copy, to: dir.sub("root-checkpoint.json"))
        var body = try #require(JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dir.sub("root-checkpoint.json"))))).objectValue)
        // A signer that signed another tree: position and hash of 30, root of 31 — re-signed with the real key.
        let key = Fixture.signingKey
        body["position"] = 30
        body["treeSize"] = 30
        body["hash"] = .string(try Tamperer(original).record(30).hash)
        body["recordedAt"] = .string(try Tamperer(original).record(30).recordedAt.rfc3339)
        body.removeValue(forKey: "signature")
        body.removeValue(forKey: "note")
        body["signature"] = .string(Data(try key.signature(for: CanonicalJSON.encode(.object(body)))).base64EncodedString())
        let checkpoint = try Checkpoint(bytes: CanonicalJSON.encode(.object(body)))
        let report = try Auditor.verify(dataDirectory: original, options: VerifyOptions(checkpoint: checkpoint, publicKey: try Checkpoint.publicKey(fromFile: dir.sub("checkpoint.pub"))))
        #expect(codes(report) == ["merkle_mismatch@30"], "\(report.findings)")
    }

    @Test("verify --data checks every checkpoint the daemon kept in checkpoints.jsonl")
    func storedCheckpoints() throws {
        let path = dir.sub("journal")
        try Fixture.copy(original, to: path)
        try Fixture.writePublicKey(path + "/checkpoint.pub")
        let line = try String(contentsOfFile: dir.sub("checkpoint.json"), encoding: .utf8)
        try Data((line + "\n" + line + "\n").utf8).write(to: URL(fileURLWithPath: path + "/checkpoints.jsonl"))
        let clean = try Auditor.verify(dataDirectory: path)
        #expect(clean.isClean, "\(clean.findings)")
        #expect(clean.storedCheckpoints == 2)

        let forged = line.replacingOccurrences(of: "\"position\":30", with: "\"position\":29")
        #expect(forged != line)
        try Data((line + "\n" + forged + "\n" + "not json\n").utf8).write(to: URL(fileURLWithPath: path + "/checkpoints.jsonl"))
        let report = try Auditor.verify(dataDirectory: path)
        #expect(report.storedCheckpoints == 2)
        #expect(report.findings.map(\.code).contains(.checkpointSignatureInvalid), "\(report.findings)")
        #expect(report.findings.contains { $0.code == .checkpointMismatch && $0.message.contains("line 3") }, "\(report.findings)")
    }

    @Test("a checkpoint altered after signing, or checked with another key, fails its signature")
    func checkpointSignature() throws {
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: dir.sub("checkpoint.json"))))
        let range = try #require(bytes.firstRange(of: Array("\"position\":30".utf8)))
        bytes.replaceSubrange(range, with: Array("\"position\":29".utf8))
        let altered = try Checkpoint(bytes: bytes)
        let key = try Checkpoint.publicKey(fromFile: dir.sub("checkpoint.pub"))
        let report = try Auditor.verify(dataDirectory: original, options: VerifyOptions(checkpoint: altered, publicKey: key))
        #expect(report.findings.map(\.code).contains(.checkpointSignatureInvalid), "\(report.findings)")
        let checkpoint = try Checkpoint(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: dir.sub("checkpoint.json")))))
        let otherKey = Array(Curve25519.Signing.PrivateKey().publicKey.rawRepresentation)
        let wrongKey = try Auditor.verify(dataDirectory: original, options: VerifyOptions(checkpoint: checkpoint, publicKey: otherKey))
        #expect(wrongKey.findings.map(\.code) == [.checkpointSignatureInvalid, .checkpointSignatureInvalid, .checkpointSignatureInvalid], "key id, signature and note: \(wrongKey.findings)")
    }

    @Test("an event the catalog forbids, inserted by a forger who rehashes, is illegal_event")
    func illegalEvent() throws {
        let path = try tamperedCopy("illegal") { t in
            // Turn the seller's partial delivery into a buyer confirmation before anything was delivered.
            try t.rechain { r in
                if r.position == 4 { r.type = "delivery.confirmed"; r.actor = Fixture.buyer; r.data = .emptyObject }
            }
            // Keep the stored projections consistent with the forged log, as a careful forger would.
        }
        let report = try Auditor.verify(dataDirectory: path)
        #expect(report.findings.first?.code == .illegalEvent, "\(report.findings)")
        #expect(report.findings.first?.position == 4)
    }

    @Test("an edited participant row is a figures_mismatch naming the user and the field")
    func participantEdited() throws {
        let path = try tamperedCopy("figures") { t in
            let table = try t.table("participants")
            var bytes = try t.viewsEnv.read { txn in Array(try #require(try txn.get(table, key: Array("u-17".utf8)))) }
            let range = try #require(bytes.firstRange(of: Array("\"disputesOpened\":3".utf8)))
            bytes.replaceSubrange(range, with: Array("\"disputesOpened\":0".utf8))
            try t.put("participants", key: Array("u-17".utf8), value: bytes)
        }
        let report = try Auditor.verify(dataDirectory: path)
        #expect(codes(report) == ["figures_mismatch@-"], "\(report.findings)")
        #expect(report.findings.first?.message.contains("u-17") == true)
        #expect(report.findings.first?.message.contains("disputesOpened") == true)
    }

    /// The first row of `tableName`, as key and value.
    func firstRow(_ t: Tamperer, _ tableName: String) throws -> (key: [UInt8], value: [UInt8])? {
        let table = try t.table(tableName)
        return try t.viewsEnv.read { txn in
            try txn.withCursor(table) { cursor in try cursor.first().map { (Array($0.key), Array($0.value)) } }
        }
    }

    @Test("an edited reply-time row is a figures_mismatch naming the user")
    func replyTimeEdited() throws {
        var user = ""
        let path = try tamperedCopy("reply-times") { t in
            let row = try #require(try firstRow(t, "replyTimes"), "the fixture has replies")
            user = String(decoding: row.key.prefix { $0 != 0 }, as: UTF8.self)
            try t.put("replyTimes", key: row.key, value: Tamperer.key(1))
        }
        let report = try Auditor.verify(dataDirectory: path)
        #expect(codes(report) == ["figures_mismatch@-"], "\(report.findings)")
        #expect(report.findings.first?.message.contains("reply times stored for \(user)") == true, "\(report.findings)")
    }

    @Test("a deleted or moved timer row is an index_mismatch at its order's last position")
    func timerEdited() throws {
        var order = ""
        let deleted = try tamperedCopy("timer-deleted") { t in
            let row = try #require(try firstRow(t, "timers"), "the fixture has a due timer")
            order = String(decoding: row.key.dropFirst(8).drop(while: { $0 != 0 }).dropFirst(), as: UTF8.self)  // due (8 bytes, may hold a 0), kind, NUL, order
            try t.delete("timers", key: row.key)
        }
        let report = try Auditor.verify(dataDirectory: deleted)
        #expect(report.findings.count == 1 && report.findings.first?.code == .indexMismatch, "\(report.findings)")
        #expect(report.findings.first?.order == order && report.findings.first?.message.contains("timer table") == true, "\(report.findings)")
        let moved = try tamperedCopy("timer-moved") { t in
            let row = try #require(try firstRow(t, "timers"))
            try t.delete("timers", key: row.key)
            var later = row.key
            later[7] &+= 1  // one microsecond later... in the big-endian due time's last byte
            try t.put("timers", key: later, value: row.value)
        }
        #expect(try Auditor.verify(dataDirectory: moved).findings.map(\.code) == [.indexMismatch])
    }

    @Test("a projection version other than the tool's, or missing timer settings, is a finding, so editing them cannot hide tampered projections")
    func projectionMetaTampered() throws {
        let path = try tamperedCopy("old-version") { t in
            try t.put("meta", key: Array("projectionVersion".utf8), value: Tamperer.key(TimelineStore.projectionVersion - 1))
            try t.delete("disputeQueue", key: try #require(try firstRow(t, "disputeQueue")).key)
        }
        let report = try Auditor.verify(dataDirectory: path)
        #expect(report.findings.map(\.code) == [.viewMismatch], "one finding names the version: \(report.findings)")
        #expect(report.findings.first?.message.contains("projection version") == true)
        #expect(!report.isClean)
        let noSettings = try tamperedCopy("no-timer-settings") { t in
            try t.delete("meta", key: Array("timerSettings".utf8))
            try t.delete("timers", key: try #require(try firstRow(t, "timers")).key)
        }
        let second = try Auditor.verify(dataDirectory: noSettings)
        #expect(second.findings.map(\.code) == [.indexMismatch], "\(second.findings)")
        #expect(second.findings.first?.message.contains("timer settings") == true)
    }

    @Test("a chat message stripped of its moderation verdict by a forger who rehashes is malformed_record at its position")
    func moderationRemoved() throws {
        var chat: UInt64 = 0
        let path = try tamperedCopy("no-verdict") { t in
            chat = try #require(try t.positions().first { try t.record($0).type == "chat.message" })
            try t.rechain { r in if r.position == chat { r.moderation = nil } }
        }
        let report = try Auditor.verify(dataDirectory: path)
        let malformed = report.findings.filter { $0.code == .malformedRecord }
        #expect(malformed.map(\.position) == [chat], "\(report.findings)")
        #expect(malformed.first?.message.contains("without its moderation verdict") == true)
    }

    @Test("a dispute dropped from the queue is an index_mismatch at its order's last position")
    func disputeQueueEntryRemoved() throws {
        let path = try tamperedCopy("queue") { t in
            let table = try t.table("disputeQueue")
            let key: [UInt8]? = try t.viewsEnv.read { txn in
                try txn.withCursor(table) { cursor in
                    var entry = try cursor.first()
                    while let e = entry {
                        if Array(e.key).suffix(6) == Array("A-1001".utf8) { return Array(e.key) }
                        entry = try cursor.next()
                    }
                    return nil
                }
            }
            try t.delete("disputeQueue", key: try #require(key))
        }
        let report = try Auditor.verify(dataDirectory: path)
        #expect(codes(report) == ["index_mismatch@20"], "\(report.findings)")
        #expect(report.findings.first?.order == "A-1001")
    }

    @Test("a removed index entry is index_mismatch")
    func indexEntryRemoved() throws {
        let path = try tamperedCopy("index") { t in try t.delete("eventIds", key: Array("A-1000-3".utf8)) }
        #expect(codes(try Auditor.verify(dataDirectory: path)) == ["index_mismatch@3"])
    }

    @Test("a record overwritten with garbage is one unreadable_record at its position")
    func garbageRecord() throws {
        let path = try tamperedCopy("garbage") { t in try t.put("records", key: Tamperer.key(5), value: Array("{\"not\": a record".utf8)) }
        #expect(codes(try Auditor.verify(dataDirectory: path)) == ["unreadable_record@5"])
    }

    @Test("a record copied over its neighbour is a position_repeat, and the one it replaced is missing")
    func repeatedRecord() throws {
        let path = try tamperedCopy("repeat") { t in try t.put("records", key: Tamperer.key(22), value: try t.logBytes(21)) }
        let found = Set(codes(try Auditor.verify(dataDirectory: path)))
        #expect(found.contains("position_repeat@21") && found.contains("position_gap@22"), "\(found)")
    }

    @Test("an empty store verifies clean")
    func emptyStore() throws {
        var config = StoreConfiguration(path: dir.sub("empty"))
        config.durability = .relaxed
        _ = try TimelineStore(configuration: config, moderation: .builtIn())
        let report = try Auditor.verify(dataDirectory: dir.sub("empty"))
        #expect(report.findings.isEmpty && report.events == 0 && report.text.contains("an empty log"), "\(report.text)")
    }

    @Test("a store that cannot be read is an AuditError, not findings")
    func unreadable() throws {
        #expect(throws: AuditError.self) { try Auditor.verify(dataDirectory: dir.sub("nothing-here")) }
    }
}
