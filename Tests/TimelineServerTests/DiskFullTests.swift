import Foundation
import TestSupport
import Testing
import TimelineClient
import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

/// An acknowledged event: what the daemon promised is durable.
struct Ack: Sendable, Hashable {
    var eventId: String
    var position: Int
    var order: String
    var revision: Int
}

@Suite("resource faults: the disk fills up", .serialized, .timeLimit(.minutes(5)))
struct DiskFullTests {
    /// A support note of about `length` characters, different for every `seed`.
    static func noteText(_ length: Int, _ seed: Int) -> String {
        String(String(repeating: "shipment log \(seed): crate checked, seal intact. ", count: length / 40 + 1).prefix(length))
    }

    @Test("a full disk answers storage_full, loses no acknowledged event, leaves the store verifiable, and appends resume without a restart once space returns")
    func diskFillsAndRecovers() async throws {
        let scratch = try ScratchDirectory()
        let mountPoint = try scratch.makeDirectory("fs")
        let fs: TmpfsMount
        do {
            fs = try TmpfsMount(at: mountPoint, megabytes: 16)
        } catch {
            try Test.cancel(Comment(rawValue: "skipped, no filesystem to fill: \(error)"))
        }
        defer { fs.unmount() }
        // Room to give back later: a filler file on the same filesystem.
        let filler = try fs.fill("filler", bytes: 4 << 20)

        var config = DaemonConfig()
        config.durability = "strict"
        // The map may grow far past the filesystem: the disk, not the map, is the limit.
        config.store = ["initialMapSizeBytes": 2 << 20, "mapGrowthBytes": 4 << 20, "maxMapSizeBytes": 1 << 30]
        let daemon = try DaemonProcess(config: config, scratch: scratch, dataDirectory: mountPoint + "/data")
        daemon.label = "disk full"
        try await offPool { try daemon.start() }
        defer { daemon.kill() }
        let pid = daemon.pid
        let client = try await connect(daemon)

        var acks: [Ack] = []
        func record(_ reply: JSONValue, _ order: String) {
            for entry in reply["events"]?.array ?? [] {
                acks.append(Ack(
                    eventId: entry["eventId"]?.stringValue ?? "", position: entry["position"]?.int ?? -1,
                    order: order, revision: entry["revision"]?.int ?? -1
                ))
            }
        }
        let orders = (0..<8).map { OrderFixture("DF\($0)") }
        for o in orders { record(try await o.create(client), o.order) }

        // Fill: batches of 20 notes of ~4 KB until the daemon says storage_full.
        var full: TimelineError?
        var batches = 0
        while full == nil && batches < 2000 {
            let o = orders[batches % orders.count]
            let events = (0..<20).map { k in o.note(Self.noteText(4000, batches * 20 + k)) }
            do {
                record(try await client.append(order: o.order, events: events), o.order)
            } catch {
                guard errorCode(of: error) == "storage_full", let remote = (error as? TimelineClientError)?.timelineError else {
                    Issue.record("a full disk must answer storage_full, not \(error); daemon log:\n\(daemon.log.suffix(4000))")
                    return
                }
                full = remote
            }
            batches += 1
        }
        let refusal = try #require(full, "16 MiB filled without storage_full after \(batches) batches (\(fs.availableBytes) bytes free)")
        #expect(refusal.message.contains("nothing was written"), "\(refusal.message)")
        #expect(daemon.isRunning && daemon.pid == pid, "the daemon survives a full disk:\n\(daemon.log.suffix(4000))")

        // Still full: more appends are refused the same way and write nothing.
        let headWhenFull = try await client.stats()["head"]?.int ?? -1
        #expect(headWhenFull == acks.count)
        var refusedAgain = 0
        for i in 0..<5 {
            let o = orders[i]
            do {
                record(try await client.append(order: o.order, events: (0..<20).map { k in o.note(Self.noteText(4000, 90_000 + i * 20 + k)) }), o.order)
            } catch {
                #expect(errorCode(of: error) == "storage_full", "\(error)")
                refusedAgain += 1
            }
        }
        #expect(refusedAgain > 0, "a filesystem with \(fs.availableBytes) bytes free took 5 more batches of 80 KB")
        #expect(try await client.stats()["head"]?.int == acks.count, "refused appends wrote nothing")

        // Nothing acknowledged was lost, the chain is whole, and the audit tool finds the store clean.
        try await expectIntact(client, acks: acks)
        var verify = try await offPool { try runAudit(["verify", "--data", daemon.dataDirectory]) }
        #expect(verify.status == 0, "timeline-audit verify on the full disk: \(verify)")

        // Space returns: appends succeed without a restart and chain onto the old head.
        try FileManager.default.removeItem(atPath: filler)
        let lastHash = try await client.readLog(fromPosition: UInt64(acks.count), limit: 1)["events"]?.array.first?["hash"]?.stringValue
        let headBefore = acks.count
        for i in 0..<10 {
            let o = orders[i % orders.count]
            let reply = try await client.append(order: o.order, events: (0..<20).map { k in o.note(Self.noteText(4000, 200_000 + i * 20 + k)) })
            record(reply, o.order)
        }
        #expect(daemon.isRunning && daemon.pid == pid, "recovered without a restart")
        let resumed = try await client.readLog(fromPosition: UInt64(headBefore + 1), limit: 1)["events"]?.array.first
        #expect(resumed?["prevHash"]?.stringValue == lastHash, "the first event after recovery chains onto the head from before")
        #expect(resumed?["position"]?.int == headBefore + 1)
        try await expectIntact(client, acks: acks)
        verify = try await offPool { try runAudit(["verify", "--data", daemon.dataDirectory]) }
        #expect(verify.status == 0, "timeline-audit verify after recovery: \(verify)")

        await client.close()
        let status = try await offPool { try daemon.stop() }
        #expect(status == 0, "the daemon drains and exits 0:\n\(daemon.log.suffix(4000))")
    }
}

// MARK: - Checks shared by the fault tests

/// Every acknowledged event is in the log exactly once at its position and
/// revision, positions run 1…head without a gap, revisions run 0… per order,
/// and every event chains onto the one before.
func expectIntact(_ client: TimelineClient, acks: [Ack], sourceLocation: SourceLocation = #_sourceLocation) async throws {
    // Pages of 500: large events make one 10 000-event reply a 40 MB line.
    var log: [JSONValue] = []
    var next: UInt64? = 1
    while let from = next {
        let page = try await client.readLog(fromPosition: from, limit: 500)
        log += page["events"]?.array ?? []
        next = page["next"]?.intValue.map(UInt64.init)
    }
    #expect(log.compactMap { $0["position"]?.int } == Array(1...max(1, log.count)), "positions are contiguous", sourceLocation: sourceLocation)
    var byId: [String: [JSONValue]] = [:]
    for event in log { byId[event["eventId"]?.stringValue ?? "", default: []].append(event) }
    let lost = acks.filter { ack in
        guard let found = byId[ack.eventId], found.count == 1 else { return true }
        return found[0]["position"]?.int != ack.position || found[0]["revision"]?.int != ack.revision || found[0]["order"]?.stringValue != ack.order
    }
    #expect(lost.isEmpty, "\(lost.count) acknowledged events are missing, duplicated or moved, e.g. \(lost.prefix(3))", sourceLocation: sourceLocation)
    var revisions: [String: Int] = [:]
    var previous = String(repeating: "0", count: 64)
    var broken: [String] = []
    for event in log {
        let position = event["position"]?.int ?? -1
        let order = event["order"]?.stringValue ?? ""
        let expected = revisions[order].map { $0 + 1 } ?? 0
        if event["revision"]?.int != expected { broken.append("position \(position): revision \(event["revision"]?.int ?? -1), expected \(expected)") }
        revisions[order] = expected
        if event["prevHash"]?.stringValue != previous { broken.append("position \(position) does not chain onto the one before") }
        previous = event["hash"]?.stringValue ?? ""
    }
    #expect(broken.isEmpty, "revisions are contiguous per order and every event chains: \(broken.prefix(5))", sourceLocation: sourceLocation)
}

/// Runs the built `timeline-audit` with `arguments` and waits for it.
func runAudit(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let outcome = try PackageBinary.run("timeline-audit", arguments)
    return (outcome.status, outcome.stdout + outcome.stderr)
}
