import Foundation
import TestSupport
import Testing
import TimelineClient
import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

@Suite("resource faults: stale reader slots of killed readers", .serialized, .timeLimit(.minutes(5)))
struct StaleReaderTests {
    /// Appends `count` single-event requests spread over `orders`, one at a time
    /// (one commit each, so every commit frees the pages it replaced).
    static func churn(_ client: TimelineClient, _ orders: [OrderFixture], count: Int, tag: String) async throws {
        for i in 0..<count {
            let o = orders[i % orders.count]
            _ = try await client.append(order: o.order, events: [o.note("\(tag) \(i)")])
        }
    }

    static func usedBytes(_ client: TimelineClient) async throws -> Int {
        try #require(try await client.stats()["mapUsedBytes"]?.int)
    }

    static func staleCleared(_ client: TimelineClient) async throws -> Int {
        try #require(try await client.stats()["readers"]?["staleCleared"]?.int)
    }

    @Test("a reader killed inside its read transaction stops pinning pages once the daemon's periodic reader check clears its slot")
    func killedReaderStopsPinningPages() async throws {
        var config = DaemonConfig()
        config.store = ["initialMapSizeBytes": 1 << 20, "mapGrowthBytes": 4 << 20, "readerCheckSeconds": 1]
        try await withDaemon(config) { daemon, client in
            let orders = (0..<20).map { OrderFixture("SR\($0)") }
            for o in orders { try await o.create(client) }
            try await Self.churn(client, orders, count: 200, tag: "warm-up")

            // A live reader of views/ (where every commit replaces pages; log/ only appends)
            // pins its snapshot: every page replaced after it stays allocated.
            let directory = daemon.dataDirectory + "/views"
            let reader = try await offPool { try ReaderProcess(dataDirectory: directory) }
            var before = try await Self.usedBytes(client)
            try await Self.churn(client, orders, count: 400, tag: "pinned")
            let pinnedGrowth = try await Self.usedBytes(client) - before

            // kill -9 inside the transaction: the slot stays taken until the daemon clears it.
            let clearedBefore = try await Self.staleCleared(client)
            reader.kill()
            let cleared = try await eventually(timeout: 15) { try await Self.staleCleared(client) > clearedBefore }
            #expect(cleared, "the daemon clears the dead reader's slot within a few reader-check intervals")

            before = try await Self.usedBytes(client)
            try await Self.churn(client, orders, count: 400, tag: "after")
            let freedGrowth = try await Self.usedBytes(client) - before
            #expect(pinnedGrowth > 1 << 20, "a live reader makes the same churn allocate new pages (grew \(pinnedGrowth) bytes)")
            #expect(
                freedGrowth * 4 < pinnedGrowth,
                "after the slot is cleared, freed pages are reused: the map grew \(freedGrowth) bytes, against \(pinnedGrowth) while pinned"
            )
        }
    }

    @Test("readers killed while holding every reader slot do not exhaust them: reads and appends go on, and more readers than slots can come and go")
    func killedReadersDoNotExhaustSlots() async throws {
        let maxReaders = 6
        var config = DaemonConfig()
        // No periodic check in this test: the daemon must reclaim slots when a read finds them all taken.
        config.store = ["maxReaders": maxReaders, "readerCheckSeconds": 3600]
        // Nor timer checks, whose reads would take a slot while the readers fill them.
        config.timers = ["checkIntervalSeconds": 3600]
        try await withDaemon(config) { daemon, client in
            let slots = try #require(try await client.stats()["readers"]?["maxReaders"]?.int)
            #expect(slots == maxReaders)
            let o = OrderFixture("SRF")
            try await o.create(client)
            var killed = 0
            var acked = 2
            for round in 0..<3 {
                // Take every slot of views/ (which every read opens) with a separate process, then kill -9 them all.
                let directory = daemon.dataDirectory + "/views"
                var readers: [ReaderProcess] = []
                while readers.count <= maxReaders {
                    do {
                        readers.append(try await offPool { try ReaderProcess(dataDirectory: directory) })
                    } catch let error as ReaderProcessError where error.isReadersFull {
                        break
                    }
                }
                #expect(readers.count == maxReaders, "round \(round): \(readers.count) readers took the \(maxReaders) slots")
                for reader in readers { reader.kill() }
                killed += readers.count

                // Every slot belongs to a dead process now: reads must still work, and appends too.
                let view = try await client.order(o.order)
                #expect(view["revision"]?.int == acked - 1)
                _ = try await client.append(order: o.order, events: [o.note("round \(round)")])
                acked += 1
                let log = try await readWholeLog(client)
                #expect(log.count == acked)
            }
            #expect(killed > maxReaders, "more readers than slots came and went")
            #expect(try await Self.staleCleared(client) == killed, "every dead reader's slot was cleared, and counted in stats")
            let verify = try await offPool { try runAudit(["verify", "--data", daemon.dataDirectory]) }
            #expect(verify.status == 0, "timeline-audit verify beside the daemon: \(verify)")
        }
    }
}
