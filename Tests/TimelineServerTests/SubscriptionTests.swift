import Foundation
import TestSupport
import Testing
import TimelineClient
import TimelineModel

@Suite("subscribe and unsubscribe", .timeLimit(.minutes(3)))
struct SubscriptionTests {
    /// Collects pushed events until one at `position` or later arrived.
    static func collect(
        _ events: AsyncThrowingStream<JSONValue, any Error>, through position: Int, timeout: Duration = .seconds(60)
    ) async throws -> [JSONValue] {
        try await withThrowingTaskGroup(of: [JSONValue]?.self) { group in
            group.addTask {
                var seen: [JSONValue] = []
                for try await event in events {
                    seen.append(event)
                    if (event["position"]?.int ?? 0) >= position { break }
                }
                return seen
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            guard let first else { throw RawConnectionError("no event at position \(position) within \(timeout)") }
            return first
        }
    }

    @Test("a subscription without fromPosition gets only new events, filtered by orders and types")
    func liveWithFilters() async throws {
        try await withDaemon { daemon, client in
            let a = OrderFixture("S")
            let b = OrderFixture("T")
            try await a.create(client)
            let watcher = try await connect(daemon)
            let all = try await watcher.subscribe()
            #expect(all.head == 2)
            let filtered = try await watcher.subscribe(orders: [a.order], types: ["chat.message"])
            #expect(filtered.subscription != all.subscription)
            try await b.create(client)
            _ = try await client.append(order: a.order, events: [a.chat("buyer", "hello"), a.note("n1")])
            _ = try await client.append(order: b.order, events: [b.chat("seller", "hi there")])
            _ = try await client.append(order: a.order, events: [a.chat("seller", "hello back")])
            let everything = try await Self.collect(all.events, through: 8)
            #expect(everything.compactMap { $0["position"]?.int } == [3, 4, 5, 6, 7, 8])
            let chats = try await Self.collect(filtered.events, through: 8)
            #expect(chats.compactMap { $0["position"]?.int } == [5, 8])
            #expect(chats.allSatisfy { $0["order"]?.stringValue == a.order && $0["type"] == "chat.message" })
            #expect(isDaemonTimestamp(chats.first?["recordedAt"]))
            await watcher.close()
        }
    }

    @Test("a subscription without fromPosition starts right after the head its reply names, even behind a pipelined append")
    func liveStartsAtReportedHead() async throws {
        var config = DaemonConfig()
        config.durability = "strict"  // a slower commit widens the window between subscribe and its reply
        try await withDaemon(config) { daemon, client in
            let a = OrderFixture()
            try await a.create(client)
            for round in 0..<5 {
                let raw = try RawConnection(path: daemon.socketPath)
                let note = text(a.note("pipelined before subscribe \(round)"))
                try raw.send(#"{"id":1,"op":"append","order":"\#(a.order)","events":[\#(note)]}"# + "\n" + #"{"id":2,"op":"subscribe"}"# + "\n")
                let replies = try await offPool { try raw.readLines(2) }.map(parseLine)
                #expect(replies[0]["ok"] == true)
                let head = try #require(replies[1]["result"]?["head"]?.int)
                _ = try await client.append(order: a.order, events: [a.note("after subscribe \(round)")])
                let push = try parseLine(try #require(try await offPool { try raw.readLine() }))
                #expect(push["event"]?["position"]?.int == head + 1, "round \(round): the reply named head \(head), so the first push must be \(head + 1), got \(text(push))")
            }
        }
    }

    @Test("one commit with more matching events than subscriberBufferEvents ends the subscription, naming the last position written")
    func bigCommitCutsOff() async throws {
        var config = DaemonConfig()
        config.limits = ["subscriberBufferEvents": 5]
        try await withDaemon(config) { daemon, client in
            let a = OrderFixture("G")
            try await a.create(client)
            let raw = try RawConnection(path: daemon.socketPath)
            try raw.send("{\"id\":\"sub\",\"op\":\"subscribe\"}\n")
            #expect(try await eventually { try await client.stats()["subscriptions"]?.intValue == 1 })
            _ = try await client.append(order: a.order, events: (0..<10).map { a.note("big \($0)") })
            let lines = try await offPool { () -> [JSONValue] in
                var out: [JSONValue] = []
                while let line = try raw.readLine(timeout: 20) {
                    let message = try parseLine(line)
                    out.append(message)
                    if message["error"] != nil { break }
                }
                return out
            }
            let error = try #require(lines.last?["error"], "\(lines)")
            #expect(error["code"] == "subscriber_too_slow")
            #expect(lines.dropFirst().dropLast().isEmpty, "none of the ten was written before the cut: \(lines)")
            #expect(error["lastPosition"]?.int == 2, "resume at 3 and nothing is lost")
            // The subscription ended: it no longer exists.
            let id = try #require(error["subscription"]?.stringValue ?? lines.last?["subscription"]?.stringValue)
            try raw.send("{\"id\":\"u\",\"op\":\"unsubscribe\",\"subscription\":\"\(id)\"}\n")
            let unsubscribed = try parseLine(try #require(try await offPool { try raw.readLine(timeout: 20) }))
            #expect(unsubscribed["error"]?["code"] == "not_found", "\(unsubscribed)")
        }
    }

    @Test("unsubscribe ends the pushes; an unknown subscription is not_found; bad filters are bad_request")
    func unsubscribe() async throws {
        try await withDaemon { daemon, client in
            let a = OrderFixture()
            try await a.create(client)
            let raw = try RawConnection(path: daemon.socketPath)
            try raw.send("{\"id\":1,\"op\":\"subscribe\"}\n")
            let reply = try parseLine(try #require(try await offPool { try raw.readLine() }))
            let subscription = try #require(reply["result"]?["subscription"]?.stringValue)
            #expect(reply["result"]?["head"]?.intValue == 2)
            _ = try await client.append(order: a.order, events: [a.note("one")])
            let push = try parseLine(try #require(try await offPool { try raw.readLine() }))
            #expect(push["subscription"]?.stringValue == subscription)
            #expect(push["event"]?["position"]?.intValue == 3)
            #expect(push["id"] == nil && push["ok"] == nil, "a push is not a reply")

            try raw.send("{\"id\":2,\"op\":\"unsubscribe\",\"subscription\":\"\(subscription)\"}\n")
            let done = try parseLine(try #require(try await offPool { try raw.readLine() }))
            #expect(done["id"]?.intValue == 2)
            #expect(done["result"] == .emptyObject)
            _ = try await client.append(order: a.order, events: [a.note("two")])
            try raw.send("{\"id\":3,\"op\":\"ping\"}\n")
            let next = try parseLine(try #require(try await offPool { try raw.readLine() }))
            #expect(next["id"]?.intValue == 3, "no push after unsubscribe: \(text(next))")
            #expect(try await client.stats()["subscriptions"]?.intValue == 0)

            await expectFailure("not_found") { try await client.call("unsubscribe", ["subscription": "s-does-not-exist"]) }
            await expectFailure("bad_request") { try await client.call("subscribe", ["types": ["no.such.type"]]) }
            await expectFailure("bad_request") { try await client.call("subscribe", ["fromPosition": 0]) }
            await expectFailure("bad_request") { try await client.call("subscribe", ["orders": "not-an-array"]) }
        }
    }

    @Test("a subscriber from position 1 while writers run sees every event exactly once, in order, without gaps")
    func catchUpFlowsIntoLive() async throws {
        try await withDaemon { daemon, client in
            // History first: 300 events.
            for _ in 0..<30 {
                let o = OrderFixture("H")
                _ = try await client.append(order: o.order, events: [o.placed(), o.paid()] + (0..<8).map { o.note("history \($0)") })
            }
            let watcher = try await connect(daemon)
            let subscription = try await watcher.subscribe(fromPosition: 1)
            #expect(subscription.head == 300)
            // Writers: 8 connections × 40 appends of 2 events, racing the catch-up.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<8 {
                    group.addTask {
                        let writer = try await connect(daemon)
                        let o = OrderFixture("W\(w)")
                        try await o.create(writer)
                        for i in 0..<40 {
                            _ = try await writer.append(order: o.order, events: [o.note("live \(i)a"), o.note("live \(i)b")])
                        }
                        await writer.close()
                    }
                }
                try await group.waitForAll()
            }
            let head = try #require(try await client.stats()["head"]?.int)
            #expect(head == 300 + 8 * 82)
            let seen = try await Self.collect(subscription.events, through: head)
            let positions = seen.compactMap { $0["position"]?.int }
            #expect(positions == Array(1...head), "every position exactly once, in order")
            let log = try await readWholeLog(client)
            #expect(seen.compactMap { $0["eventId"]?.stringValue } == log.compactMap { $0["eventId"]?.stringValue })
            await watcher.close()
        }
    }

    @Test("a subscriber that never reads is cut off with subscriber_too_slow while appends go on at full speed")
    func slowSubscriberIsCutOff() async throws {
        var config = DaemonConfig()
        config.limits = ["subscriberBufferEvents": 100]
        try await withDaemon(config) { daemon, client in
            // The same 3000 events appended once without any subscriber give this run's pace:
            // the machine is shared, so the bound below is relative to it.
            let padding = String(repeating: "x", count: 200)
            func appendRounds(_ o: OrderFixture) async throws -> Duration {
                try await o.create(client)
                let started = ContinuousClock.now
                for round in 0..<30 {
                    _ = try await client.append(order: o.order, events: (0..<100).map { o.note("\(round)-\($0) \(padding)") })
                }
                return ContinuousClock.now - started
            }
            let unhindered = try await appendRounds(OrderFixture("P"))

            let stuck = try RawConnection(path: daemon.socketPath, receiveBufferBytes: 4096)
            try stuck.send("{\"id\":\"sub\",\"op\":\"subscribe\"}\n")
            // The stuck connection is not read at all until the writers are done.
            #expect(try await eventually { try await client.stats()["subscriptions"]?.intValue == 1 })
            let o = OrderFixture("F")
            let elapsed = try await appendRounds(o)
            #expect(
                elapsed < unhindered * 4 + .seconds(5),
                "3000 appended events took \(elapsed) with a stuck subscriber, \(unhindered) without one"
            )
            #expect(try await client.stats()["subscriptions"]?.intValue == 0, "the stuck subscription was ended")

            // Now read what the stuck connection was sent: pushes in order, then the error.
            let lines = try await offPool { () -> [JSONValue] in
                var out: [JSONValue] = []
                while let line = try stuck.readLine(timeout: 20) {
                    let message = try parseLine(line)
                    out.append(message)
                    if message["error"] != nil { break }
                }
                return out
            }
            let reply = try #require(lines.first)
            #expect(reply["id"] == "sub" && reply["ok"] == true, "the subscribe reply comes first: \(text(reply))")
            let subscription = try #require(reply["result"]?["subscription"]?.stringValue)
            let error = try #require(lines.last?["error"])
            #expect(error["code"] == "subscriber_too_slow")
            #expect(error["message"]?.stringValue?.isEmpty == false)
            #expect(lines.last?["subscription"]?.stringValue == subscription)
            let positions = lines.dropFirst().dropLast().compactMap { $0["event"]?["position"]?.int }
            #expect(positions.count < 3000, "it was cut off before the end")
            if let first = positions.first { #expect(positions == Array(first..<(first + positions.count)), "no gap before the cut") }
            #expect(error["lastPosition"]?.int == positions.last, "the cut-off push names the last position delivered")
            // The connection itself stays usable.
            try stuck.send("{\"id\":\"after\",\"op\":\"ping\"}\n")
            let pong = try parseLine(try #require(try await offPool { try stuck.readLine() }))
            #expect(pong["id"] == "after")
        }
    }
}
