import Crypto
import Foundation
import TestSupport
import Testing
import TimelineClient
import TimelineModel

@Suite("reads: order.get, order.events, log.read, orders.list, disputes.list, stats", .timeLimit(.minutes(3)))
struct ReadTests {
    /// place (2 swords) → pay → deliver 1 → buyer chat → evidence → dispute → seller offer → seller availability.
    static func disputedOrder(_ client: TimelineClient) async throws -> (OrderFixture, paidPosition: Int) {
        let a = OrderFixture("D")
        let created = try await a.create(client)
        let paidPosition = created["events"]?.array.last?["position"]?.int ?? -1
        _ = try await client.append(order: a.order, events: [a.delivered(1), a.chat("buyer", "Only one sword arrived, where is the second?")])
        _ = try await client.call("evidence.put", EvidenceTests.putParams(a, Array("inventory screenshot".utf8)))
        _ = try await client.append(order: a.order, events: [
            a.disputeOpened(), a.offer("seller"), a.availability("seller", until: "2026-12-01T18:00:00Z"),
        ])
        return (a, paidPosition)
    }

    @Test("order.get returns every field of the order view DOMAIN.md lists")
    func orderViewFields() async throws {
        try await withDaemon { _, client in
            let (a, _) = try await Self.disputedOrder(client)
            let v = try await client.order(a.order)
            #expect(v["order"]?.stringValue == a.order)
            #expect(v["state"] == "delivered")
            #expect(v["buyer"]?.stringValue == a.buyer)
            #expect(v["seller"]?.stringValue == a.seller)
            #expect(v["item"] == ["title": "Dragon Sword +5", "quantity": 2])
            #expect(v["price"] == ["amount": 1500, "currency": "EUR"])
            #expect(isDaemonTimestamp(v["placedAt"]))
            #expect(isDaemonTimestamp(v["paidAt"]))
            #expect(isDaemonTimestamp(v["deliveredAt"]))
            #expect(v["completedAt"] == .null)
            #expect(v["deliveredQuantity"]?.intValue == 1)
            #expect(v["refundedAmount"]?.intValue == 0)
            let d = try #require(v["dispute"])
            #expect(d["status"] == "open")
            #expect(d["reason"] == "incomplete")
            #expect(d["requestedOutcome"] == "deliver_missing")
            #expect(d["openedBy"] == "buyer")
            #expect(isDaemonTimestamp(d["openedAt"]))
            #expect(d["offers"]?.array.count == 1)
            #expect(d["offers"]?.array.first?["by"] == "seller")
            #expect(d["offers"]?.array.first?["outcome"] == "deliver_missing")
            #expect(d["resolution"] == .null)
            #expect(d["closedAt"] == .null)
            #expect(v["messages"] == ["visible": 1, "filtered": 0, "hidden": 0, "flagged": 0])
            #expect(v["evidence"]?.array.count == 1)
            #expect(v["awaitingReplyFrom"] == "seller", "the buyer's message waits for the seller")
            #expect(isDaemonTimestamp(v["awaitingSince"]))
            #expect(v["availability"] == ["seller": "2026-12-01T18:00:00Z"])
            #expect(v["revision"]?.intValue == 7)
            #expect(v["lastPosition"]?.intValue == 8)
        }
    }

    @Test("order.get atPosition shows the order as it stood after that position, and not_found before it existed")
    func timeTravel() async throws {
        try await withDaemon { _, client in
            let other = OrderFixture("O")
            try await other.create(client)  // positions 1–2
            let (a, paidPosition) = try await Self.disputedOrder(client)
            let now = try await client.order(a.order)
            let past = try await client.order(a.order, atPosition: UInt64(paidPosition))
            #expect(past["state"] == "paid")
            #expect(past["revision"]?.intValue == 1)
            #expect(past["lastPosition"]?.int == paidPosition)
            #expect(past["deliveredAt"] == .null)
            #expect(past["deliveredQuantity"]?.intValue == 0)
            #expect(past["dispute"] == .null)
            #expect(past["messages"]?["visible"]?.intValue == 0)
            #expect(past["evidence"]?.array.isEmpty == true)
            #expect(past["paidAt"] == now["paidAt"])
            #expect(past["placedAt"] == now["placedAt"])
            // At the head the time-travelled view equals the current one.
            let head = try await client.stats()["head"]?.intValue ?? 0
            #expect(try await client.order(a.order, atPosition: UInt64(head)) == now)
            // Before the order's first event.
            await expectFailure("not_found") { try await client.order(a.order, atPosition: 2) }
            await expectFailure("not_found") { try await client.order("no-such-order") }
            await expectFailure("bad_request") { try await client.call("order.get", ["order": "bad id with spaces"]) }
        }
    }

    @Test("order.events pages forward and backward with limit and next")
    func orderEventsPaging() async throws {
        try await withDaemon { _, client in
            let (a, _) = try await Self.disputedOrder(client)  // revisions 0…7
            let f1 = try await client.orderEvents(a.order, limit: 3)
            #expect(f1["events"]?.array.compactMap { $0["revision"]?.int } == [0, 1, 2])
            #expect(f1["next"]?.intValue == 3)
            let f2 = try await client.orderEvents(a.order, fromRevision: 3)
            #expect(f2["events"]?.array.compactMap { $0["revision"]?.int } == [3, 4, 5, 6, 7])
            #expect(f2["next"] == .null)
            let b1 = try await client.orderEvents(a.order, limit: 3, backward: true)
            #expect(b1["events"]?.array.compactMap { $0["revision"]?.int } == [7, 6, 5])
            #expect(b1["next"]?.intValue == 4)
            let b2 = try await client.orderEvents(a.order, fromRevision: 2, limit: 10, backward: true)
            #expect(b2["events"]?.array.compactMap { $0["revision"]?.int } == [2, 1, 0])
            #expect(b2["next"] == .null)
            #expect(b2["events"]?.array.allSatisfy { $0["order"]?.stringValue == a.order } == true)
            await expectFailure("not_found") { try await client.orderEvents("missing-order") }
            await expectFailure("bad_request") {
                try await client.call("order.events", ["order": .string(a.order), "direction": "sideways"])
            }
            await expectFailure("bad_request") { try await client.call("order.events", ["order": .string(a.order), "limit": 10_001]) }
        }
    }

    @Test("log.read pages by fromPosition and limit, with next and head")
    func logReadPaging() async throws {
        try await withDaemon { _, client in
            let empty = try await client.readLog()
            #expect(empty["events"]?.array.isEmpty == true)
            #expect(empty["next"] == .null)
            #expect(empty["head"]?.intValue == 0)
            for _ in 0..<3 { try await OrderFixture().create(client) }  // 6 events
            let p1 = try await client.readLog(fromPosition: 1, limit: 4)
            #expect(p1["events"]?.array.compactMap { $0["position"]?.int } == [1, 2, 3, 4])
            #expect(p1["next"]?.intValue == 5)
            #expect(p1["head"]?.intValue == 6)
            let p2 = try await client.readLog(fromPosition: 5, limit: 4)
            #expect(p2["events"]?.array.compactMap { $0["position"]?.int } == [5, 6])
            #expect(p2["next"] == .null)
            let past = try await client.readLog(fromPosition: 7)
            #expect(past["events"]?.array.isEmpty == true)
            // Defaults: fromPosition 1, limit 1000.
            let all = try await client.call("log.read")
            #expect(all["events"]?.array.count == 6)
            await expectFailure("bad_request") { try await client.call("log.read", ["fromPosition": 0]) }
        }
    }

    @Test("recorded events chain: dataHash, hash and prevHash follow DOMAIN.md's audit rules")
    func hashChain() async throws {
        try await withDaemon { _, client in
            let (a, _) = try await Self.disputedOrder(client)
            _ = try await client.append(order: a.order, events: [a.note("chained")])
            let log = try await readWholeLog(client)
            #expect(log.count == 9)
            var previous = String(repeating: "0", count: 64)
            var lastTime = ""
            for (i, event) in log.enumerated() {
                guard case .object(var o) = event else { Issue.record("not an object"); continue }
                #expect(o["position"]?.int == i + 1)
                let data = try #require(o["data"])
                #expect(o["dataHash"]?.stringValue == hex(SHA256.hash(data: CanonicalJSON.encode(data))))
                #expect(o["prevHash"]?.stringValue == previous)
                let hash = try #require(o.removeValue(forKey: "hash")?.stringValue)
                o.removeValue(forKey: "data")
                #expect(hash == hex(SHA256.hash(data: CanonicalJSON.encode(.object(o)))), "hash covers every field but data and hash")
                let time = o["recordedAt"]?.stringValue ?? ""
                #expect(time >= lastTime, "recordedAt never decreases with position")
                lastTime = time
                previous = hash
            }
            #expect(try await client.stats()["headHash"]?.stringValue == previous)
        }
    }

    @Test("orders.list filters by participant and state and pages with limit and after")
    func ordersList() async throws {
        try await withDaemon { _, client in
            let alice = "alice-\(UUID().uuidString.prefix(6))"
            var alices: [OrderFixture] = []
            for i in 0..<5 {
                let o = OrderFixture("L\(i)", buyer: alice)
                try await o.create(client, paid: i % 2 == 0)
                alices.append(o)
            }
            let stranger = OrderFixture("M")
            try await stranger.create(client)

            let all = try await client.call("orders.list")
            #expect(all["orders"]?.array.count == 6)
            let mine = try await client.call("orders.list", ["participant": .string(alice)])
            let mineIds = mine["orders"]?.array.compactMap { $0["order"]?.stringValue } ?? []
            #expect(Set(mineIds) == Set(alices.map(\.order)))
            #expect(mineIds == mineIds.sorted(), "in order-id order")
            let summary = try #require(mine["orders"]?.array.first)
            #expect(summary["buyer"]?.stringValue == alice)
            #expect(summary["state"]?.stringValue != nil)
            #expect(summary["revision"]?.intValue != nil)

            let placed = try await client.call("orders.list", ["state": "placed"])
            #expect(Set(placed["orders"]?.array.compactMap { $0["order"]?.stringValue } ?? []) == Set([alices[1].order, alices[3].order]))
            let paidOfAlice = try await client.call("orders.list", ["participant": .string(alice), "state": "paid"])
            #expect(paidOfAlice["orders"]?.array.count == 3)
            #expect(paidOfAlice["orders"]?.array.allSatisfy { $0["state"] == "paid" } == true)

            // Paging: 2 at a time through alice's 5 orders.
            var seen: [String] = []
            var after: JSONValue = .null
            var pages = 0
            repeat {
                var params: [String: JSONValue] = ["participant": .string(alice), "limit": 2]
                if after != .null { params["after"] = after }
                let page = try await client.call("orders.list", params)
                let ids = page["orders"]?.array.compactMap { $0["order"]?.stringValue } ?? []
                #expect(ids.count <= 2)
                seen += ids
                after = page["after"] ?? .null
                pages += 1
            } while after != .null && pages < 10
            #expect(seen == mineIds)
            #expect(pages == 3)
            await expectFailure("bad_request") { try await client.call("orders.list", ["state": "lost"]) }
        }
    }

    @Test("disputes.list is oldest first, filters by status and reports slaBreached")
    func disputesList() async throws {
        try await withDaemon { _, client in
            var orders: [OrderFixture] = []
            for i in 0..<3 {
                let o = OrderFixture("Q\(i)")
                try await o.create(client)
                _ = try await client.append(order: o.order, events: [o.disputeOpened()])
                orders.append(o)
                try await Task.sleep(for: .milliseconds(5))
            }
            _ = try await client.append(order: orders[1].order, events: [orders[1].escalated()])
            let plain = OrderFixture("R")
            try await plain.create(client)

            let all = try await client.call("disputes.list")
            let rows = all["disputes"]?.array ?? []
            #expect(rows.compactMap { $0["order"]?.stringValue } == orders.map(\.order), "oldest first")
            let openedAt = rows.compactMap { $0["openedAt"]?.stringValue }
            #expect(openedAt == openedAt.sorted())
            for row in rows {
                #expect(row["slaBreached"] == false, "a dispute opened just now is within the 24 h SLA")
                #expect(row["reason"] == "incomplete")
            }
            let escalated = try await client.call("disputes.list", ["status": "escalated"])
            #expect(escalated["disputes"]?.array.compactMap { $0["order"]?.stringValue } == [orders[1].order])
            #expect(escalated["disputes"]?.array.first?["status"] == "escalated")
            let open = try await client.call("disputes.list", ["status": "open", "limit": 1])
            #expect(open["disputes"]?.array.compactMap { $0["order"]?.stringValue } == [orders[0].order])
            await expectFailure("bad_request") { try await client.call("disputes.list", ["status": "angry"]) }
        }
    }

    @Test("participant.get (extension) counts a user's orders and disputes; an unknown user is not_found")
    func participant() async throws {
        try await withDaemon { _, client in
            let (a, _) = try await Self.disputedOrder(client)
            let second = OrderFixture("P2", buyer: a.buyer)
            try await second.create(client)
            let buyer = try await client.call("participant.get", ["participant": .string(a.buyer)])
            #expect(buyer["ordersAsBuyer"]?.intValue == 2)
            #expect(buyer["ordersAsSeller"]?.intValue == 0)
            #expect(buyer["disputesOpened"]?.intValue == 1)
            #expect(buyer["disputesReceived"]?.intValue == 0)
            let seller = try await client.call("participant.get", ["participant": .string(a.seller)])
            #expect(seller["ordersAsSeller"]?.intValue == 1)
            #expect(seller["disputesReceived"]?.intValue == 1)
            await expectFailure("not_found") { try await client.call("participant.get", ["participant": "nobody-at-all"]) }
        }
    }

    @Test("stats reports head, counts, map figures, connections, subscriptions, uptime, appends and commits")
    func stats() async throws {
        try await withDaemon { daemon, client in
            let a = OrderFixture()
            try await a.create(client)
            try await OrderFixture().create(client)
            _ = try await client.call("evidence.put", EvidenceTests.putParams(a, [9, 8, 7]))
            let second = try await connect(daemon)
            let (subscription, _, _) = try await second.subscribe()
            let s = try await client.stats()
            #expect(s["head"]?.intValue == 5)
            #expect(s["orders"]?.intValue == 2)
            #expect(s["events"]?.intValue == 5)
            #expect(s["blobs"]?.intValue == 1)
            let mapSize = try #require(s["mapSizeBytes"]?.intValue)
            let used = try #require(s["mapUsedBytes"]?.intValue)
            #expect(mapSize > 0 && used > 0 && used <= mapSize)
            #expect((s["connections"]?.intValue ?? 0) >= 2)
            #expect(s["subscriptions"]?.intValue == 1)
            #expect((s["uptimeSeconds"]?.intValue ?? -1) >= 0)
            #expect(s["appends"]?["requests"]?.intValue == 3)
            #expect(s["appends"]?["eventsRecorded"]?.intValue == 5)
            #expect((s["commits"]?["count"]?.intValue ?? 0) >= 1)
            _ = try await second.call("unsubscribe", ["subscription": .string(subscription)])
            #expect(try await client.stats()["subscriptions"]?.intValue == 0)
            await second.close()
        }
    }
}

/// Lower-case hex of a digest.
func hex(_ digest: some Sequence<UInt8>) -> String { digest.map { String(format: "%02x", $0) }.joined() }
