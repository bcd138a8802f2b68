import Foundation
import Synchronization
import TestSupport
import Testing
import TimelineModel
import TimelineStore

/// The daemon's shape in miniature: many producers enqueue requests, one
/// writer drains the queue and commits each drained batch at once.
final class RequestQueue: Sendable {
    private struct State {
        var pending: [AppendRequest] = []
        var producersLeft: Int
    }
    private let state: Mutex<State>
    private let signal = DispatchSemaphore(value: 0)

    init(producers: Int) { state = Mutex(State(producersLeft: producers)) }

    func enqueue(_ request: AppendRequest) {
        state.withLock { $0.pending.append(request) }
        signal.signal()
    }

    func producerDone() {
        state.withLock { $0.producersLeft -= 1 }
        signal.signal()
    }

    /// Every pending request, waiting while none is; `nil` once all producers are done and the queue is empty.
    func drain() -> [AppendRequest]? {
        while true {
            let (batch, finished) = state.withLock { s -> ([AppendRequest], Bool) in
                defer { s.pending.removeAll() }
                return (s.pending, s.producersLeft == 0)
            }
            if !batch.isEmpty { return batch }
            if finished { return nil }
            signal.wait()
        }
    }
}

@Suite("Store: concurrent producers, one writer; the hash chain")
struct ConcurrencyChainTests {
    @Test("10k random appends over 100 orders from 4 threads leave positions and revisions contiguous")
    func concurrentAppends() throws {
        let h = try StoreHarness()
        let store = h.store!
        let producers = 4
        let ordersPerProducer = 25
        let eventsPerProducer = 2_500
        let queue = RequestQueue(producers: producers)
        let outcomes = Mutex<(recorded: Int, refused: [String], commits: Int, largest: Int)>((0, [], 0, 0))
        let group = DispatchGroup()

        // The one writer.
        group.enter()
        Thread.detachNewThread {
            while let batch = queue.drain() {
                let results = store.commit(batch)
                outcomes.withLock { o in
                    o.commits += 1
                    o.largest = max(o.largest, batch.count)
                    for r in results {
                        switch r {
                        case .success(let outcome): o.recorded += outcome.events.count
                        case .failure(let error): o.refused.append(error.description)
                        }
                    }
                }
            }
            group.leave()
        }
        // The producers: each owns its orders, so it knows their revisions without waiting for replies.
        for p in 0..<producers {
            group.enter()
            Thread.detachNewThread {
                var rng = SeededRandom(seed: UInt64(p) &* 7919 &+ 17)
                var scripts = (0..<ordersPerProducer).map { i in
                    OrderScript(order: "P\(p)-O\(i)", buyer: "u-b\(p)-\(i % 5)", seller: "u-s\(i % 7)")
                }
                var revisions = [Int64](repeating: -1, count: ordersPerProducer)
                var sent = 0
                while sent < eventsPerProducer {
                    let i = Int.random(in: 0..<ordersPerProducer, using: &rng)
                    var events: [EventInput]
                    if revisions[i] < 0 {
                        events = [scripts[i].placed(), scripts[i].paid()]
                    } else {
                        let n = min(Int.random(in: 1...3, using: &rng), eventsPerProducer - sent)
                        events = (0..<n).map { _ in
                            switch Int.random(in: 0..<10, using: &rng) {
                            case 0: scripts[i].availability(by: scripts[i].seller)
                            case 1: scripts[i].supportNote()
                            default: scripts[i].chat("msg \(sent)", by: Bool.random(using: &rng) ? scripts[i].buyer : scripts[i].seller)
                            }
                        }
                    }
                    if sent + events.count > eventsPerProducer { events = Array(events.prefix(eventsPerProducer - sent)) }
                    let check = Bool.random(using: &rng) ? revisions[i] : nil
                    queue.enqueue(AppendRequest(order: scripts[i].order, events: events, expectedRevision: check))
                    revisions[i] += Int64(events.count)
                    sent += events.count
                }
                queue.producerDone()
                group.leave()
            }
        }
        group.wait()

        let o = outcomes.withLock { $0 }
        #expect(o.refused.isEmpty, "\(o.refused.prefix(3))")
        #expect(o.recorded == producers * eventsPerProducer)
        #expect(o.commits > 1)
        #expect(h.store.head.position == UInt64(producers * eventsPerProducer))

        let log = try h.wholeLog()
        #expect(log.map(\.position) == Array(1...UInt64(producers * eventsPerProducer)))
        var nextRevision: [String: UInt64] = [:]
        var gaps: [String] = []
        for e in log {
            if e.revision != nextRevision[e.order, default: 0] { gaps.append("\(e.order)@\(e.position)") }
            nextRevision[e.order] = e.revision + 1
        }
        #expect(gaps.isEmpty, "\(gaps.prefix(5))")
        #expect(nextRevision.count == producers * ordersPerProducer)
        for (order, next) in nextRevision {
            let state = try #require(try h.store.order(order))
            #expect(state.revision == next - 1)
            #expect(try h.store.orderEvents(order).map(\.revision) == Array(0..<next))
        }
        #expect(try h.store.counts().orders == producers * ordersPerProducer)
    }

    @Test("every hash recomputes and chains, and recordedAt never decreases, across the whole log")
    func chain() throws {
        let h = try StoreHarness()
        var rng = SeededRandom(seed: 42)
        var scripts = (0..<10).map { OrderScript(order: "C-\($0)", buyer: "u-b\($0)", seller: "u-s") }
        for s in scripts.indices { try h.append(scripts[s].order, [scripts[s].placed(), scripts[s].paid()]) }
        for round in 0..<200 {
            let s = Int.random(in: 0..<scripts.count, using: &rng)
            if round % 17 == 0 { h.clock.set(Timestamp(microseconds: h.clock.now.microseconds - 5_000_000)) }
            h.clock.advance(microseconds: Int64.random(in: 0...2_000_000, using: &rng))
            let batch = (0..<Int.random(in: 1...3, using: &rng)).map { _ in scripts[s].chat("round \(round) ünïcødé \u{1F3AE}") }
            let requests = [AppendRequest(order: scripts[s].order, events: batch), AppendRequest(order: "C-0", events: [scripts[0].supportNote()])]
            _ = h.store.commit(requests)
        }
        let log = try h.wholeLog()
        #expect(log.count > 400)
        var previous = Hashing.zeroHash
        var lastTime = Timestamp(microseconds: Int64.min)
        var problems: [String] = []
        for (i, e) in log.enumerated() {
            if e.position != UInt64(i + 1) { problems.append("position \(e.position) at \(i)") }
            if e.prevHash != previous { problems.append("prevHash at \(e.position)") }
            if e.dataHash != Hashing.sha256Hex(CanonicalJSON.encode(e.data)) { problems.append("dataHash at \(e.position)") }
            // The audit rule: the whole record without hash and data.
            var fields = e.json().objectValue ?? [:]
            fields["hash"] = nil
            fields["data"] = nil
            if e.hash != Hashing.sha256Hex(CanonicalJSON.encode(.object(fields))) { problems.append("hash at \(e.position)") }
            if e.recordedAt < lastTime { problems.append("recordedAt goes back at \(e.position)") }
            previous = e.hash
            lastTime = e.recordedAt
        }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        #expect(h.store.head.hash == previous)
        #expect(log.first?.prevHash == String(repeating: "0", count: 64))
        // The stored bytes are exactly the canonical JSON the hash is defined over.
        let raw = try h.store.logBytes(from: 1, limit: 10).records
        for bytes in raw {
            let parsed = try JSONParser.parse(bytes)
            #expect(CanonicalJSON.encode(parsed) == bytes)
        }
    }
}
