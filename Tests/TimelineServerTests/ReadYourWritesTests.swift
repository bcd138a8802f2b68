import Foundation
import TestSupport
import Testing
import TimelineClient
import TimelineModel

/// An `ok` reply to an append means durable in log/ AND applied to views/
/// (ARCHITECTURE.md v2): every reader on every connection sees it from then on,
/// even while other writers keep the writer and the applier busy.
@Suite("read-your-writes across connections", .timeLimit(.minutes(3)))
struct ReadYourWritesTests {
    @Test("after each ok, another connection's order.get, order.events, log.read and stats already show the append")
    func seenByOthers() async throws {
        try await withDaemon { daemon, client in
            let orders = (0..<8).map { OrderFixture("RYW\($0)") }
            for o in orders { try await o.create(client) }
            let stop = ManagedAtomicFlag()
            // Background load on other connections: batches keep coming while we check.
            let load = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for w in 0..<4 {
                        group.addTask {
                            let c = try await connect(daemon)
                            var i = 0
                            while !stop.isSet {
                                _ = try await c.append(order: orders[w].order, events: [orders[w].note("load \(i)")])
                                i += 1
                            }
                            await c.close()
                        }
                    }
                    try await group.waitForAll()
                }
            }
            let writer = try await connect(daemon)
            let reader = try await connect(daemon)
            let o = orders[7]
            for i in 0..<200 {
                let reply = try await writer.append(order: o.order, events: [o.note("mine \(i)")])
                let event = try #require(reply["events"]?.array.last)
                let position = try #require(event["position"]?.int)
                let revision = try #require(event["revision"]?.int)
                let view = try await reader.order(o.order)
                #expect(view["revision"]?.int == revision, "order.get on another connection shows revision \(revision)")
                let log = try await reader.readLog(fromPosition: UInt64(position), limit: 1)
                #expect(log["events"]?.array.first?["eventId"] == event["eventId"], "log.read on another connection returns position \(position)")
                let stats = try await reader.stats()
                #expect((stats["head"]?.int ?? 0) >= position, "stats' head is at least the acknowledged position")
                if i % 50 == 0 {
                    let events = try await reader.orderEvents(o.order, fromRevision: UInt64(revision))
                    #expect(events["events"]?.array.first?["eventId"] == event["eventId"])
                }
            }
            stop.set()
            try await load.value
            await writer.close()
            await reader.close()
        }
    }
}

/// A flag set once, read from many tasks.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
