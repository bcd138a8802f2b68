import Foundation
import TestSupport
import Testing
import TimelineClient
import TimelineModel

@Suite("pipelining and concurrent writers", .timeLimit(.minutes(3)))
struct ConcurrencyTests {
    @Test("200 mixed requests in one write are answered in request order")
    func pipelinedInOrder() async throws {
        try await withDaemon { daemon, client in
            let a = OrderFixture("P")
            try await a.create(client)
            var stream = ""
            var expected: [String] = []  // "ok" or an error code per request
            for i in 0..<200 {
                let line: String
                switch i % 8 {
                case 0:
                    let note = text(a.note("pipelined \(i)"))
                    line = #"{"id":\#(i),"op":"append","order":"\#(a.order)","events":[\#(note)]}"#
                    expected.append("ok")
                case 1: line = #"{"id":\#(i),"op":"ping"}"#; expected.append("ok")
                case 2: line = #"{"id":\#(i),"op":"order.get","order":"\#(a.order)"}"#; expected.append("ok")
                case 3: line = #"{"id":\#(i),"op":"log.read","fromPosition":1,"limit":5}"#; expected.append("ok")
                case 4: line = #"{"id":\#(i),"op":"no.such.op"}"#; expected.append("unknown_op")
                case 5: line = #"{"id":\#(i),"op":"order.get","order":"missing-\#(i)"}"#; expected.append("not_found")
                case 6:
                    // An append that fails on the writer (stale expectedRevision) between ones that succeed.
                    let note = text(a.note("stale \(i)"))
                    line = #"{"id":\#(i),"op":"append","order":"\#(a.order)","expectedRevision":0,"events":[\#(note)]}"#
                    expected.append("wrong_expected_revision")
                default: line = #"{"id":\#(i),"op":"stats"}"#; expected.append("ok")
                }
                stream += line + "\n"
            }
            let raw = try RawConnection(path: daemon.socketPath)
            try raw.send(stream)
            let lines = try await offPool { try raw.readLines(200, timeout: 60) }
            let replies = try lines.map(parseLine)
            #expect(replies.compactMap { $0["id"]?.int } == Array(0..<200), "replies come back in request order")
            for (i, reply) in replies.enumerated() {
                let outcome = reply["ok"] == true ? "ok" : reply["error"]?["code"]?.stringValue ?? "?"
                #expect(outcome == expected[i], "request \(i): \(text(reply))")
            }
            // The 25 appends were recorded in request order.
            let appended = replies.enumerated().filter { $0.offset % 8 == 0 }.compactMap { $0.element["result"]?["events"]?.array.first?["revision"]?.int }
            #expect(appended == Array(2..<27))
        }
    }

    @Test("a request pipelined after a write on the same connection sees that write; replies stay in order")
    func readsSeeEarlierWrites() async throws {
        try await withDaemon { daemon, client in
            let a = OrderFixture("RW")
            let placed = text(a.placed())
            let note = text(a.note("seen by the next read"))
            let stream = [
                #"{"id":1,"op":"append","order":"\#(a.order)","events":[\#(placed)]}"#,
                #"{"id":2,"op":"order.get","order":"\#(a.order)"}"#,
                #"{"id":3,"op":"append","order":"\#(a.order)","events":[\#(note)]}"#,
                #"{"id":4,"op":"append","order":"\#(a.order)","expectedRevision":0,"events":[\#(text(a.note("stale")))]}"#,
                #"{"id":5,"op":"order.events","order":"\#(a.order)"}"#,
                #"{"id":6,"op":"ping"}"#,
            ].joined(separator: "\n") + "\n"
            let raw = try RawConnection(path: daemon.socketPath)
            try raw.send(stream)
            let replies = try await offPool { try raw.readLines(6, timeout: 30) }.map(parseLine)
            #expect(replies.compactMap { $0["id"]?.int } == Array(1...6))
            #expect(replies[1]["result"]?["revision"]?.int == 0, "order.get sees the append before it: \(text(replies[1]))")
            #expect(replies[3]["error"]?["code"] == "wrong_expected_revision", "the third request's append is already recorded")
            #expect(replies[4]["result"]?["events"]?.array.count == 2, "order.events sees both recorded appends: \(text(replies[4]))")

            // A peer that leaves while requests wait for its write: they never run
            // (no phantom subscription is counted), and the write still commits.
            let connectedBefore = try await client.stats()["connections"]?.intValue
            do {
                let leaving = try RawConnection(path: daemon.socketPath)
                let last = text(a.note("written after the peer left"))
                try leaving.send(#"{"id":1,"op":"append","order":"\#(a.order)","events":[\#(last)]}"# + "\n" + #"{"id":2,"op":"subscribe"}"# + "\n")
            }  // closed here, before the append is answered
            #expect(try await eventually { try await client.orderEvents(a.order)["events"]?.array.count == 3 })
            // Once the daemon has let the peer go (as many connections as before it came),
            // its queued subscribe is gone with it: no subscription may be left.
            #expect(try await eventually { try await client.stats()["connections"]?.intValue == connectedBefore })
            #expect(try await client.stats()["subscriptions"]?.intValue == 0)
        }
    }

    @Test("64 clients appending to 8 orders with expectedRevision lose and duplicate nothing")
    func contendedWriters() async throws {
        try await withDaemon { daemon, client in
            let orders = (0..<8).map { OrderFixture("C\($0)") }
            for o in orders { try await o.create(client, paid: false) }
            let perClient = 6
            let acked = try await withThrowingTaskGroup(of: [String: [String]].self) { group in
                for c in 0..<64 {
                    group.addTask {
                        let me = try await connect(daemon)
                        let o = orders[c % orders.count]
                        var mine: [String] = []
                        var expected: Int64 = 0
                        for i in 0..<perClient {
                            let event = o.note("client \(c) note \(i)")
                            var attempts = 0
                            while true {
                                attempts += 1
                                do {
                                    let reply = try await me.append(order: o.order, events: [event], expectedRevision: expected)
                                    expected = reply["lastRevision"]?.intValue ?? expected + 1
                                    mine.append(event["eventId"]?.stringValue ?? "")
                                    break
                                } catch let error as TimelineClientError {
                                    guard let remote = error.timelineError, remote.code == .wrongExpectedRevision,
                                          let actual = remote.details["actualRevision"]?.intValue, attempts < 10_000
                                    else { throw error }
                                    expected = actual
                                }
                            }
                        }
                        await me.close()
                        return [o.order: mine]
                    }
                }
                var all: [String: [String]] = [:]
                for try await part in group { all.merge(part) { $0 + $1 } }
                return all
            }
            let log = try await readWholeLog(client)
            #expect(log.count == 8 + 64 * perClient)
            #expect(log.compactMap { $0["position"]?.int } == Array(1...log.count), "positions are contiguous from 1")
            let ids = log.compactMap { $0["eventId"]?.stringValue }
            #expect(Set(ids).count == ids.count, "no eventId twice")
            for o in orders {
                let events = log.filter { $0["order"]?.stringValue == o.order }
                #expect(events.compactMap { $0["revision"]?.int } == Array(0..<events.count), "revisions of \(o.order) are contiguous")
                let notes = Set(events.dropFirst().compactMap { $0["eventId"]?.stringValue })
                #expect(notes == Set(acked[o.order] ?? []), "exactly the acknowledged events of \(o.order)")
                #expect(try await client.order(o.order)["revision"]?.int == 8 * perClient)
            }
        }
    }

    @Test("with maxQueuedAppends 1 a burst of appends gets busy for some, and only the others are written")
    func busyWhenQueueFull() async throws {
        var config = DaemonConfig()
        config.durability = "strict"
        config.limits = ["maxQueuedAppends": 1]
        try await withDaemon(config) { daemon, client in
            let orders = (0..<16).map { OrderFixture("B\($0)") }
            // 16 connections each pipeline 20 appends in one write.
            let connections = try orders.map { _ in try RawConnection(path: daemon.socketPath) }
            for (o, raw) in zip(orders, connections) {
                var stream = ""
                for i in 0..<20 {
                    let events = i == 0 ? "\(text(o.placed()))" : text(o.note("burst \(i)"))
                    stream += #"{"id":\#(i),"op":"append","order":"\#(o.order)","events":[\#(events)]}"# + "\n"
                }
                try raw.send(stream)
            }
            var ok = 0
            var busy = 0
            var other: [String] = []
            for raw in connections {
                let replies = try await offPool { try raw.readLines(20, timeout: 60) }.map(parseLine)
                for reply in replies {
                    if reply["ok"] == true { ok += 1 } else if reply["error"]?["code"] == "busy" { busy += 1 } else {
                        other.append(text(reply))
                    }
                }
            }
            #expect(busy > 0, "a full queue sheds load with busy")
            // A note on an order whose order.placed was shed is invalid_transition; nothing else may fail.
            #expect(other.allSatisfy { $0.contains("invalid_transition") }, "\(other.prefix(3))")
            #expect(try await client.stats()["head"]?.int == ok, "only acknowledged appends were written")
        }
    }

    @Test("a client that pipelines without reading is held back by back-pressure, then gets every reply in order")
    func backPressure() async throws {
        try await withDaemon { daemon, client in
            let raw = try RawConnection(path: daemon.socketPath)
            let count = 40_000
            var stream: [UInt8] = []
            for i in 0..<count { stream += Array(#"{"id":\#(i),"op":"ping"}"#.utf8) + [UInt8(ascii: "\n")] }
            let bytes = stream
            // Nobody reads the replies. With back-pressure the daemon stops reading once its
            // buffers and the kernel's fill (a few hundred KB here), however long the client
            // keeps trying; without it, it reads all 1 MB and piles the replies up in memory.
            // Send until everything went, or nothing went for 1.5 s (or 12 s passed).
            let sent = try await offPool { () -> Int in
                var sent = 0
                var idle = 0
                let started = Date()
                while sent < bytes.count && idle < 3 && Date().timeIntervalSince(started) < 12 {
                    let n = try raw.send(Array(bytes[sent...]), timeout: 0.5)
                    sent += n
                    idle = n == 0 ? idle + 1 : 0
                }
                return sent
            }
            #expect(sent < bytes.count, "the daemon read all \(bytes.count) bytes of requests while none of its replies were read")
            try await client.ping()  // other connections are served meanwhile
            // Now read: the rest of the requests go through and every reply arrives, in order.
            async let rest: Void = offPool { try raw.send(Array(bytes[sent...])) }
            let ids = try await offPool { try raw.readLines(count, timeout: 60).map { try parseLine($0)["id"]?.int ?? -1 } }
            try await rest
            #expect(ids == Array(0..<count))
        }
    }

    @Test("a connection over maxConnections gets one busy line and is closed; others keep working")
    func maxConnections() async throws {
        var config = DaemonConfig()
        config.limits = ["maxConnections": 2]
        try await withDaemon(config) { daemon, client in
            #expect(try await eventually { try await client.stats()["connections"]?.intValue == 1 })
            let second = try RawConnection(path: daemon.socketPath)
            try second.send("{\"id\":1,\"op\":\"ping\"}\n")
            #expect(try await offPool { try second.readLineText() }?.contains("\"ok\":true") == true)
            let third = try RawConnection(path: daemon.socketPath)
            let refusal = try parseLine(try #require(try await offPool { try third.readLine() }))
            #expect(refusal["error"]?["code"] == "busy")
            #expect(refusal["id"] == .null)
            #expect(try await offPool { third.waitForClose() })
            try await client.ping()
            try second.send("{\"id\":2,\"op\":\"ping\"}\n")
            #expect(try await offPool { try second.readLineText() }?.contains("\"id\":2") == true)
            second.shutdownWrite()
            #expect(try await offPool { second.waitForClose() })
            #expect(try await eventually { try await client.stats()["connections"]?.intValue == 1 })
            let fourth = try RawConnection(path: daemon.socketPath)
            try fourth.send("{\"id\":4,\"op\":\"ping\"}\n")
            #expect(try await offPool { try fourth.readLineText() }?.contains("\"ok\":true") == true, "a freed slot is usable again")
        }
    }
}
