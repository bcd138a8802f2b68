import Foundation
import TestSupport
import Testing
import TimelineClient
import TimelineModel

@Suite("backup under load, and restore as docs/OPERATIONS.md describes", .timeLimit(.minutes(5)))
struct BackupRestoreTests {
    static var config: DaemonConfig {
        var c = DaemonConfig()
        c.durability = "strict"
        c.logLevel = "warning"
        return c
    }

    /// Four writers appending two support notes per request to their own orders until `stop`.
    static func startWriters(_ daemon: DaemonProcess, _ acknowledged: AcknowledgedAppends, _ stop: StopFlag) -> Task<Void, any Error> {
        Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<4 {
                    group.addTask {
                        let me = try await connect(daemon)
                        let o = OrderFixture("BR\(w)")
                        let opening = [o.placed(), o.paid()]
                        let created = try await me.append(order: o.order, events: opening)
                        acknowledged.add(.init(writer: w, order: o.order, events: opening, acknowledged: AcknowledgedEvent.all(in: created, order: o.order)))
                        var i = 0
                        while !stop.isRaised && i < 2000 {
                            let events = [o.note("w\(w) append \(i) a"), o.note("w\(w) append \(i) b")]
                            let reply = try await me.append(order: o.order, events: events)
                            acknowledged.add(.init(writer: w, order: o.order, events: events, acknowledged: AcknowledgedEvent.all(in: reply, order: o.order)))
                            i += 1
                        }
                        await me.close()
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    /// `timeline-audit verify --json` on `directory`: its exit status and report.
    static func audit(_ directory: String) async throws -> (status: Int32, report: JSONValue, outcome: PackageBinary.Outcome) {
        let outcome = try await offPool { try PackageBinary.run("timeline-audit", ["verify", "--data", directory, "--json"]) }
        let report = (try? JSONParser.parse(Array(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines).utf8))) ?? .null
        return (outcome.status, report, outcome)
    }

    @Test("admin.backup under concurrent writers verifies clean and a second daemon serves it at its head; restoring it gives a daemon that serves it and chains new appends")
    func backupUnderLoadThenRestore() async throws {
        let daemon = try DaemonProcess(config: Self.config)
        daemon.label = "backup-restore"
        try await offPool { try daemon.start() }
        let client = try await connect(daemon)
        let acknowledged = AcknowledgedAppends()
        let stop = StopFlag()

        // A checkpoint signed before anything else, to check against the restored store later.
        let first = OrderFixture("BR-early")
        try await first.create(client)
        let earlyCheckpoint = try await client.call("admin.checkpoint")
        let earlyCheckpointFile = daemon.scratch.file("early-checkpoint.json")
        try Data((text(earlyCheckpoint) + "\n").utf8).write(to: URL(fileURLWithPath: earlyCheckpointFile))

        // The backup, taken while writers append.
        let writers = Self.startWriters(daemon, acknowledged, stop)
        #expect(await eventually { acknowledged.count >= 40 }, "the writers are appending")
        let backupDirectory = daemon.scratch.file("backup")
        let backup = try await client.call("admin.backup", ["path": .string(backupDirectory)])
        let countAtBackup = acknowledged.count
        #expect(await eventually { acknowledged.count >= countAtBackup + 40 }, "appends go on after the backup")
        stop.raise()
        try await writers.value
        let backupHead = try #require(backup["head"]?.int)
        let backupHash = try #require(backup["headHash"]?.stringValue)
        let acked = acknowledged.events
        #expect(acked.contains { $0.position <= backupHead } && acked.contains { $0.position > backupHead }, "the backup was taken in the middle of the appends")
        let live = try await readWholeLog(client)

        // The copy verifies clean on its own.
        let audited = try await Self.audit(backupDirectory)
        #expect(audited.status == 0, "timeline-audit verify --data BACKUP: \(audited.outcome)")
        #expect(audited.report["clean"] == true && audited.report["events"]?.int == backupHead, "\(audited.outcome)")

        // A second daemon serves the copy at the backup's head.
        let second = try DaemonProcess(config: Self.config, scratch: daemon.scratch, dataDirectory: backupDirectory)
        second.label = "serving the backup"
        try await offPool { try second.start() }
        let other = try await connect(second)
        let copiedStats = try await other.stats()
        #expect(copiedStats["head"]?.int == backupHead)
        #expect(copiedStats["headHash"]?.stringValue == backupHash)
        let copied = try await readWholeLog(other)
        #expect(copied.count == backupHead && copied == Array(live.prefix(backupHead)), "the copy is the live log up to the backup's head")
        let copiedIds = Set(copied.map(AcknowledgedEvent.init(recorded:)))
        let missing = acked.filter { $0.position <= backupHead && !copiedIds.contains($0) }
        #expect(missing.isEmpty, "acknowledged before the backup's head but not in the copy: \(missing.prefix(5))")
        for o in Set(acked.map(\.order)) {
            let last = copied.last { $0["order"]?.stringValue == o }
            let view = try await other.order(o)
            #expect(view["revision"] == last?["revision"], "order.get of \(o) on the copy agrees with its log")
            let events = try await other.orderEvents(o)
            #expect(events["events"]?.array.count == (last?["revision"]?.int).map { $0 + 1 }, "order.events of \(o) returns its events")
        }
        await other.close()
        #expect(try await offPool { try second.stop() } == 0)

        // Restore, step by step as docs/OPERATIONS.md "Restore" says.
        await client.close()
        // 1. Stop the daemon.
        #expect(try await offPool { try daemon.stop() } == 0)
        // 2. Verify the backup (above) and check the early checkpoint against it with the daemon's public key.
        let data = daemon.dataDirectory
        let aside = data + ".before-restore"
        let earlyOnBackup = try await offPool {
            try PackageBinary.run("timeline-audit", ["checkpoint", "verify", "--checkpoint", earlyCheckpointFile, "--data", backupDirectory, "--public-key", data + "/checkpoint.pub"])
        }
        #expect(earlyOnBackup.status == 0, "an older checkpoint holds on the backup: \(earlyOnBackup)")
        // 3. Move the data directory aside; a fresh one gets the backup's log/ and views/ and the old key files.
        let files = FileManager.default
        try files.moveItem(atPath: data, toPath: aside)
        try files.createDirectory(atPath: data, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o750])
        for env in ["log", "views"] { try files.copyItem(atPath: backupDirectory + "/" + env, toPath: data + "/" + env) }
        for key in ["checkpoint.key", "checkpoint.pub"] { try files.copyItem(atPath: aside + "/" + key, toPath: data + "/" + key) }
        // 4. Start the daemon: it serves the backup's head.
        try await offPool { try daemon.start() }
        let restored = try await connect(daemon)
        let restoredStats = try await restored.stats()
        #expect(restoredStats["head"]?.int == backupHead)
        #expect(restoredStats["headHash"]?.stringValue == backupHash)
        #expect(try await readWholeLog(restored) == copied)

        // 5. Clients resend what was acknowledged after the backup: recorded again, in order, chained on.
        var position = backupHead
        for writer in 0..<4 {
            for append in acknowledged.all where append.writer == writer && (append.acknowledged.first?.position ?? 0) > backupHead {
                let reply = try await restored.append(order: append.order, events: append.events)
                let again = AcknowledgedEvent.all(in: reply, order: append.order)
                #expect(again.map(\.eventId) == append.acknowledged.map(\.eventId), "a resent append is recorded again")
                #expect(again.map(\.revision) == append.acknowledged.map(\.revision), "with the revisions it had before the restore")
                #expect(again.first?.position == position + 1, "at the next positions after the restored head")
                position += again.count
            }
        }
        let fresh = OrderFixture("BR-after")
        let created = try await fresh.create(restored)
        #expect(created["events"]?.array.first?["position"]?.int == position + 1)
        let after = try await readWholeLog(restored, from: UInt64(backupHead + 1))
        #expect(after.first?["prevHash"]?.stringValue == backupHash, "the first new event chains onto the restored head")
        for (a, b) in zip(after, after.dropFirst()) { #expect(b["prevHash"] == a["hash"]) }
        #expect(Set(live.compactMap { $0["eventId"]?.stringValue }).isSubset(of: Set(try await readWholeLog(restored).compactMap { $0["eventId"]?.stringValue })),
                "after the resends every event of the old log is back")

        // The restored key signs: a new checkpoint verifies with the old public key.
        let checkpointFile = daemon.scratch.file("restored-checkpoint.json")
        try Data((text(try await restored.call("admin.checkpoint")) + "\n").utf8).write(to: URL(fileURLWithPath: checkpointFile))
        await restored.close()
        #expect(try await offPool { try daemon.stop() } == 0)
        let verify = try await Self.audit(data)
        #expect(verify.status == 0 && verify.report["clean"] == true, "timeline-audit verify after the restore: \(verify.outcome)")
        let signed = try await offPool {
            try PackageBinary.run("timeline-audit", ["checkpoint", "verify", "--checkpoint", checkpointFile, "--data", data, "--public-key", aside + "/checkpoint.pub"])
        }
        #expect(signed.status == 0, "a checkpoint of the restored daemon verifies with the key from before: \(signed)")
    }
}
