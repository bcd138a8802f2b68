import Crypto
import Foundation
import TestSupport
import Testing
import TimelineClient
import TimelineModel
import TimelineStore

@Suite("admin ops: rebuild, reloadModeration, backup, checkpoint", .timeLimit(.minutes(3)))
struct AdminTests {
    @Test("admin.rebuild derives the same projections from the log and reports events, orders and seconds")
    func rebuild() async throws {
        try await withDaemon { _, client in
            let (a, _) = try await ReadTests.disputedOrder(client)
            let b = OrderFixture()
            try await b.create(client)
            let before = [try await client.order(a.order), try await client.order(b.order)]
            let listBefore = try await client.call("orders.list")
            let summary = try await client.call("admin.rebuild")
            #expect(summary["events"]?.intValue == 10)
            #expect(summary["orders"]?.intValue == 2)
            switch summary["seconds"] {
            case .int(let i)?: #expect(i >= 0)
            case .double(let d)?: #expect(d >= 0)
            default: Issue.record("admin.rebuild should report seconds: \(text(summary))")
            }
            #expect([try await client.order(a.order), try await client.order(b.order)] == before)
            #expect(try await client.call("orders.list") == listBefore)
            // Appends go on after a rebuild.
            _ = try await client.append(order: b.order, events: [b.note("after rebuild")])
            #expect(try await client.order(b.order)["revision"]?.intValue == 2)
        }
    }

    @Test("admin.reloadModeration answers the rule count, and an unreadable rules file is an error that keeps serving")
    func reloadModeration() async throws {
        try await withDaemon { daemon, client in
            // The scratch config points at moderation.json in the scratch directory, which does not exist yet.
            let missing = await expectFailure("not_found") { try await client.call("admin.reloadModeration") }
            #expect(missing?.message.contains("moderation") == true)
            try moderationRules().write(to: URL(fileURLWithPath: daemon.scratch.file("moderation.json")))
            let reloaded = try await client.call("admin.reloadModeration")
            #expect((reloaded["rules"]?.intValue ?? -1) >= 0)
            try await client.ping()
        }
    }

    @Test("admin.backup writes a consistent copy with the head at the time; a second daemon serves it")
    func backupServedByDaemon() async throws {
        try await withDaemon { daemon, client in
            let (a, _) = try await ReadTests.disputedOrder(client)
            let stats = try await client.stats()
            let target = daemon.scratch.file("backup-1")
            let result = try await client.call("admin.backup", ["path": .string(target)])
            #expect(result["path"]?.stringValue == target)
            #expect((result["bytes"]?.intValue ?? 0) > 0)
            #expect(result["head"] == stats["head"])
            // Appends after the backup do not reach it.
            _ = try await client.append(order: a.order, events: [a.note("after the backup")])

            let second = try DaemonProcess(scratch: daemon.scratch, dataDirectory: target)
            try await offPool { try second.start() }
            let other = try await connect(second)
            let copied = try await other.stats()
            #expect(copied["head"] == stats["head"])
            #expect(copied["headHash"] == stats["headHash"])
            #expect(try await other.order(a.order)["revision"]?.intValue == 7)
            let log = try await readWholeLog(other)
            #expect(log == (try await readWholeLog(client)).dropLast())
            await other.close()
            #expect(try await offPool { try second.stop() } == 0)

            // The target must be new or empty.
            await expectFailure("bad_request") { try await client.call("admin.backup", ["path": .string(target)]) }
            await expectFailure("bad_request") { try await client.call("admin.backup") }
            // The caller's mistakes are bad_request, not internal (which means a bug).
            await expectFailure("bad_request") { try await client.call("admin.backup", ["path": "relative/backup"]) }
            await expectFailure("bad_request") { try await client.call("admin.backup", ["path": "/proc/no-such-dir/backup"]) }
        }
    }

    @Test("admin.backup taken while writers append is a consistent prefix of the log ending at the head it reports")
    func backupDuringWrites() async throws {
        try await withDaemon { daemon, client in
            let running = Counter()
            let writers = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for w in 0..<4 {
                        group.addTask {
                            let me = try await connect(daemon)
                            let o = OrderFixture("BK\(w)")
                            try await o.create(me)
                            for i in 0..<60 {
                                _ = try await me.append(order: o.order, events: (0..<5).map { o.note("w\(w) \(i).\($0)") })
                                running.add()
                            }
                            await me.close()
                        }
                    }
                    try await group.waitForAll()
                }
            }
            // Progress is the positive signal; on a loaded CI machine it can take a while.
            #expect(await eventually(timeout: 90) { running.current >= 20 }, "writers appended \(running.current) batches")
            let target = daemon.scratch.file("backup-hot")
            let result = try await client.call("admin.backup", ["path": .string(target)])
            try await writers.value
            let head = try #require(result["head"]?.int)
            let live = try await readWholeLog(client)
            #expect(head > 0 && head <= live.count)

            let copy = try DaemonProcess(scratch: daemon.scratch, dataDirectory: target)
            try await offPool { try copy.start() }
            let other = try await connect(copy)
            let copied = try await readWholeLog(other)
            #expect(copied.count == head, "the copy ends at the head the reply named")
            #expect(copied == Array(live.prefix(copied.count)), "the copy is a prefix of the live log")
            #expect(try await other.stats()["headHash"] == result["headHash"])
            // Its projections agree with its log: every order's revision matches its last event there.
            for o in Set(copied.compactMap { $0["order"]?.stringValue }) {
                let last = copied.last { $0["order"]?.stringValue == o }
                #expect(try await other.order(o)["revision"] == last?["revision"])
            }
            await other.close()
            #expect(try await offPool { try copy.stop() } == 0)
        }
    }

    @Test("an admin.backup copy opens with TimelineStore read-only and has the same head")
    func backupOpensReadOnly() async throws {
        try await withDaemon { daemon, client in
            let (a, _) = try await ReadTests.disputedOrder(client)
            let stats = try await client.stats()
            let target = daemon.scratch.file("backup-ro")
            _ = try await client.call("admin.backup", ["path": .string(target)])
            var configuration = StoreConfiguration(path: target)
            configuration.readOnly = true
            let copy = try TimelineStore(configuration: configuration, moderation: .builtIn())
            #expect(copy.head.position == UInt64(stats["head"]?.intValue ?? -1))
            #expect(copy.head.hash == stats["headHash"]?.stringValue)
            #expect(try copy.order(a.order)?.revision == 7)
            #expect(try copy.events(from: 1, limit: 100).count == stats["head"]?.int)
        }
    }

    @Test("admin.checkpoint signs the head with Ed25519 over canonical JSON, verifiable with checkpoint.pub")
    func checkpoint() async throws {
        try await withDaemon { daemon, client in
            let empty = try await client.call("admin.checkpoint")
            #expect(empty["position"]?.intValue == 0)
            #expect(empty["hash"]?.stringValue == String(repeating: "0", count: 64))
            #expect(empty["treeSize"]?.intValue == 0)
            #expect(empty["rootHash"]?.stringValue == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "the empty tree's root")

            _ = try await ReadTests.disputedOrder(client)
            let stats = try await client.stats()
            let log = try await readWholeLog(client)
            let checkpoint = try await client.call("admin.checkpoint")
            #expect(checkpoint["position"] == stats["head"])
            #expect(checkpoint["hash"] == log.last?["hash"])
            #expect(checkpoint["recordedAt"] == log.last?["recordedAt"])
            #expect(isDaemonTimestamp(checkpoint["signedAt"]))
            #expect(Set(checkpoint.objectValue?.keys.map { $0 } ?? []) == [
                "position", "hash", "recordedAt", "signedAt", "keyId", "treeSize", "rootHash", "note", "signature",
            ])
            #expect(checkpoint["treeSize"] == checkpoint["position"])

            let publicText = try String(contentsOfFile: daemon.dataDirectory + "/checkpoint.pub", encoding: .utf8)
            let publicRaw = try #require(Data(base64Encoded: publicText.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(publicRaw.count == 32)
            let key = try Curve25519.Signing.PublicKey(rawRepresentation: publicRaw)
            #expect(checkpoint["keyId"]?.stringValue == String(hex(SHA256.hash(data: publicRaw)).prefix(16)))

            // The note: a C2SP tlog-checkpoint signed by the same key (key id per c2sp.org/signed-note).
            let origin = "ordertimeline/0"
            let note = try #require(checkpoint["note"]?.stringValue)
            let root = try #require(Hashing.bytes(fromHex: checkpoint["rootHash"]?.stringValue ?? ""))
            let noteBody = "\(origin)\n\(stats["head"]?.intValue ?? -1)\n\(Data(root).base64EncodedString())\n"
            #expect(note.hasPrefix(noteBody + "\n\u{2014} \(origin) "), "\(note)")
            let signatureLine = try #require(note.split(separator: "\n").last)
            let noteSignature = try #require(Data(base64Encoded: String(signatureLine.split(separator: " ").last ?? "")))
            #expect(noteSignature.count == 68)
            #expect(Array(noteSignature.prefix(4)) == Array(SHA256.hash(data: Data(origin.utf8) + [0x0A, 0x01] + publicRaw).prefix(4)))
            #expect(key.isValidSignature(noteSignature.dropFirst(4), for: Data(noteBody.utf8)))

            guard case .object(var body) = checkpoint else { return }
            let signature = try #require(Data(base64Encoded: body.removeValue(forKey: "signature")?.stringValue ?? ""))
            #expect(key.isValidSignature(signature, for: Data(CanonicalJSON.encode(.object(body)))))
            // The signature covers the position: a forged one does not verify.
            body["position"] = .int(Int64(stats["head"]?.intValue ?? 0) + 1)
            #expect(!key.isValidSignature(signature, for: Data(CanonicalJSON.encode(.object(body)))))
        }
    }

    @Test("the checkpoint key survives a restart: the same keyId signs after restart")
    func checkpointKeyPersists() async throws {
        let daemon = try DaemonProcess()
        try await offPool { try daemon.start() }
        let first = try await connect(daemon)
        let keyId = try await first.call("admin.checkpoint")["keyId"]
        await first.close()
        #expect(try await offPool { try daemon.stop() } == 0)
        try await offPool { try daemon.start() }
        let second = try await connect(daemon)
        #expect(try await second.call("admin.checkpoint")["keyId"] == keyId)
        await second.close()
        #expect(try await offPool { try daemon.stop() } == 0)
    }
}
