import Foundation
import TestSupport
import Testing
import TimelineClient
import TimelineModel

@Suite("hello, ping and append over the socket", .timeLimit(.minutes(3)))
struct HelloAndAppendTests {
    @Test("hello names the server, protocol 1, the peer's role and the configured limits")
    func helloReportsRoleAndLimits() async throws {
        var config = DaemonConfig()
        config.limits = ["maxBatchEvents": 7, "maxEvidenceBytes": 4096, "maxFrameBytes": 65536, "subscriberBufferEvents": 123]
        try await withDaemon(config) { _, client in
            let hello = try await client.hello()
            #expect(hello["server"]?.stringValue == "timelined")
            #expect(hello["version"]?.stringValue?.isEmpty == false)
            #expect(hello["protocol"]?.intValue == 1)
            // No access section: the daemon's own uid (the test runs as the same user) is admin.
            #expect(hello["role"]?.stringValue == "admin")
            let limits = try #require(hello["limits"])
            #expect(limits["maxBatchEvents"]?.intValue == 7)
            #expect(limits["maxEvidenceBytes"]?.intValue == 4096)
            #expect(limits["maxFrameBytes"]?.intValue == 65536)
            #expect(limits["subscriberBufferEvents"]?.intValue == 123)
        }
    }

    @Test("hello reports the documented default limits when config sets none")
    func helloDefaults() async throws {
        try await withDaemon { _, client in
            let limits = try #require(try await client.hello()["limits"])
            #expect(limits["maxFrameBytes"]?.intValue == 16 << 20)
            #expect(limits["maxBatchEvents"]?.intValue == 1000)
            #expect(limits["maxEvidenceBytes"]?.intValue == 10 << 20)
            #expect(limits["subscriberBufferEvents"]?.intValue == 10_000)
        }
    }

    @Test("ping answers an empty object and echoes string and integer ids")
    func pingEchoesIds() async throws {
        try await withDaemon { daemon, client in
            #expect(try await client.call("ping") == .emptyObject)
            let raw = try RawConnection(path: daemon.socketPath)
            try raw.send("{\"id\":\"abc-1\",\"op\":\"ping\"}\n{\"id\":9007199254740993,\"op\":\"ping\"}\n")
            let lines = try await offPool { try raw.readLines(2) }
            let first = try parseLine(lines[0])
            let second = try parseLine(lines[1])
            #expect(first["id"] == "abc-1")
            #expect(first["ok"] == true)
            #expect(first["result"] == .emptyObject)
            #expect(second["id"]?.intValue == 9_007_199_254_740_993)
        }
    }

    @Test("append records a batch with contiguous positions and revisions, and the log holds it as recorded events")
    func appendRecords() async throws {
        try await withDaemon { _, client in
            let a = OrderFixture("A")
            let events = [a.placed(), a.paid(), a.delivered(1)]
            let reply = try await client.append(order: a.order, events: events, expectedRevision: -1)
            #expect(reply["order"]?.stringValue == a.order)
            #expect(reply["lastRevision"]?.intValue == 2)
            let entries = reply["events"]?.array ?? []
            #expect(entries.count == 3)
            for (i, entry) in entries.enumerated() {
                #expect(entry["eventId"] == events[i]["eventId"])
                #expect(entry["position"]?.int == i + 1)
                #expect(entry["revision"]?.int == i)
                #expect(entry["status"] == "recorded")
                #expect(entry["moderation"] == nil, "only chat messages carry a moderation verdict")
            }
            // A second order continues the global positions; its revisions restart at 0.
            let b = OrderFixture("B")
            let second = try await client.append(order: b.order, events: [b.placed()])
            #expect(second["events"]?.array.first?["position"]?.intValue == 4)
            #expect(second["events"]?.array.first?["revision"]?.intValue == 0)

            let log = try await readWholeLog(client)
            #expect(log.count == 4)
            let first = log[0]
            #expect(first["order"]?.stringValue == a.order)
            #expect(first["type"] == "order.placed")
            #expect(first["actor"] == ["role": "system", "id": "platform"])
            #expect(first["data"] == events[0]["data"])
            #expect(isDaemonTimestamp(first["recordedAt"]))
            #expect(first["occurredAt"] == nil, "absent optional fields are omitted, never null")
            #expect(first["moderation"] == nil)
        }
    }

    @Test("a retried batch answers duplicate with the original positions and writes nothing")
    func retryIsDuplicate() async throws {
        try await withDaemon { _, client in
            let a = OrderFixture()
            let batch = [a.placed(), a.paid()]
            let first = try await client.append(order: a.order, events: batch, expectedRevision: -1)
            _ = try await client.append(order: a.order, events: [a.note("checked payment")])
            // The retry carries the now stale expectedRevision: idempotency is checked first.
            let retry = try await client.append(order: a.order, events: batch, expectedRevision: -1)
            #expect(retry["lastRevision"]?.intValue == 1, "a duplicate reply names the batch's highest revision")
            let original = first["events"]?.array ?? []
            let again = retry["events"]?.array ?? []
            #expect(again.count == 2)
            for (o, r) in zip(original, again) {
                #expect(r["status"] == "duplicate")
                #expect(r["position"] == o["position"])
                #expect(r["revision"] == o["revision"])
                #expect(r["eventId"] == o["eventId"])
            }
            let stats = try await client.stats()
            #expect(stats["head"]?.intValue == 3, "the duplicate wrote nothing")
            #expect(stats["appends"]?["duplicates"]?.intValue == 2)
        }
    }

    @Test("chat messages carry a moderation verdict in the reply and in the recorded event; other types do not")
    func chatCarriesModeration() async throws {
        try await withDaemon { _, client in
            let a = OrderFixture()
            try await a.create(client)
            let reply = try await client.append(order: a.order, events: [a.chat("buyer", "Hi, when will the sword arrive?"), a.note("n")])
            let entries = reply["events"]?.array ?? []
            let verdict = try #require(entries.first?["moderation"])
            #expect(["delivered", "flagged", "filtered", "hidden"].contains(verdict["verdict"]?.stringValue ?? ""))
            #expect(verdict["rules"]?.arrayValue != nil)
            #expect(entries.last?["moderation"] == nil)
            let recorded = try await client.orderEvents(a.order, fromRevision: 2)["events"]?.array ?? []
            #expect(recorded.first?["moderation"] == verdict)
            #expect(recorded.last?["moderation"] == nil)
        }
    }

    @Test("a null optional data field counts as absent: the recorded event omits it, and a retry with null is a duplicate")
    func nullOptionalFieldIsOmitted() async throws {
        try await withDaemon { _, client in
            let a = OrderFixture()
            try await a.create(client)
            let delivery = OrderFixture.event("delivery.marked", "seller", a.seller, ["quantity": 1, "note": .null])
            let first = try await client.append(order: a.order, events: [delivery])
            #expect(first["events"]?.array.first?["status"] == "recorded")
            let recorded = try #require(try await client.orderEvents(a.order, fromRevision: 2)["events"]?.array.first)
            #expect(recorded["data"] == ["quantity": 1], "never null in a recorded event: \(text(recorded))")
            let retry = try await client.append(order: a.order, events: [delivery])
            #expect(retry["events"]?.array.first?["status"] == "duplicate")
        }
    }

    @Test("a batch is atomic: one bad event and nothing of the batch is written")
    func batchIsAtomic() async throws {
        try await withDaemon { _, client in
            let a = OrderFixture()
            let bad = OrderFixture.event("no.such.type", "system", "x")
            let error = await expectFailure("invalid_event") {
                _ = try await client.append(order: a.order, events: [a.placed(), a.paid(), bad])
            }
            #expect(error?.details["index"]?.intValue == 2)
            await expectFailure("not_found") { try await client.order(a.order) }
            let head = try await client.stats()["head"]
            #expect(head?.intValue == 0)
        }
    }

    @Test("expectedRevision -1 needs a new order; a matching revision passes; a stale one is refused with both revisions")
    func expectedRevision() async throws {
        try await withDaemon { _, client in
            let a = OrderFixture()
            _ = try await client.append(order: a.order, events: [a.placed()], expectedRevision: -1)
            let again = await expectFailure("wrong_expected_revision") {
                _ = try await client.append(order: a.order, events: [a.paid()], expectedRevision: -1)
            }
            #expect(again?.details["expectedRevision"]?.intValue == -1)
            #expect(again?.details["actualRevision"]?.intValue == 0)
            _ = try await client.append(order: a.order, events: [a.paid()], expectedRevision: 0)
            let stale = await expectFailure("wrong_expected_revision") {
                _ = try await client.append(order: a.order, events: [a.note("late")], expectedRevision: 0)
            }
            #expect(stale?.details["expectedRevision"]?.intValue == 0)
            #expect(stale?.details["actualRevision"]?.intValue == 1)
            let missing = OrderFixture()
            let notYet = await expectFailure("wrong_expected_revision") {
                _ = try await client.append(order: missing.order, events: [missing.placed()], expectedRevision: 3)
            }
            #expect(notYet?.details["actualRevision"]?.intValue == -1)
            #expect(try await client.stats()["head"]?.intValue == 2)
        }
    }

    @Test("invalid_event names the index of the offending event in the batch")
    func invalidEventIndex() async throws {
        try await withDaemon { _, client in
            let a = OrderFixture()
            try await a.create(client)
            // A seller may not append dispute.opened (buyer only).
            let wrongRole = OrderFixture.event("dispute.opened", "seller", a.seller, [
                "reason": "other", "requestedOutcome": "full_refund", "description": "x",
            ])
            let e1 = await expectFailure("invalid_event") {
                _ = try await client.append(order: a.order, events: [a.note("ok"), wrongRole])
            }
            #expect(e1?.details["index"]?.intValue == 1)
            // A fractional number in data.
            let fractional = OrderFixture.event("delivery.marked", "seller", a.seller, ["quantity": .double(1.5)])
            let e2 = await expectFailure("invalid_event") { try await client.append(order: a.order, events: [fractional]) }
            #expect(e2?.details["index"]?.intValue == 0)
            // A missing data field.
            let missing = OrderFixture.event("chat.message", "buyer", a.buyer, ["channel": "order"])
            let e3 = await expectFailure("invalid_event") {
                _ = try await client.append(order: a.order, events: [a.note("a"), a.note("b"), missing])
            }
            #expect(e3?.details["index"]?.intValue == 2)
            // A buyer who is not this order's buyer.
            let stranger = OrderFixture.event("chat.message", "buyer", "someone-else", ["channel": "order", "text": "hi"])
            await expectFailure("invalid_event") { try await client.append(order: a.order, events: [stranger]) }
            #expect(try await client.order(a.order)["revision"]?.intValue == 1)
        }
    }

    @Test("invalid_transition names the index, the state at that event and a reason")
    func invalidTransition() async throws {
        try await withDaemon { _, client in
            let a = OrderFixture()
            try await a.create(client, paid: false)
            // order.paid is fine; delivery.confirmed right after is not (state paid at that point).
            let confirm = OrderFixture.event("delivery.confirmed", "buyer", a.buyer)
            let error = await expectFailure("invalid_transition") {
                _ = try await client.append(order: a.order, events: [a.paid(), confirm])
            }
            #expect(error?.details["index"]?.intValue == 1)
            #expect(error?.details["state"]?.stringValue == "paid")
            #expect(error?.details["reason"]?.stringValue?.isEmpty == false)
            // An event on an order that does not exist.
            let ghost = OrderFixture()
            let none = await expectFailure("invalid_transition") { try await client.append(order: ghost.order, events: [ghost.paid()]) }
            #expect(none?.details["index"]?.intValue == 0)
            #expect(none?.details["state"]?.stringValue == "none")
            #expect(try await client.order(a.order)["state"]?.stringValue == "placed", "the refused batch wrote nothing")
        }
    }

    @Test("a recorded eventId with other content, or a batch mixing old and new ids, is idempotency_conflict")
    func idempotencyConflict() async throws {
        try await withDaemon { _, client in
            let a = OrderFixture()
            let placed = a.placed()
            _ = try await client.append(order: a.order, events: [placed])
            // Same eventId, different data.
            guard case .object(var changed) = placed else { return }
            changed["data"] = ["buyer": .string(a.buyer), "seller": .string(a.seller), "item": ["title": "Shield", "quantity": 1],
                               "price": ["amount": 10, "currency": "EUR"]]
            await expectFailure("idempotency_conflict") { try await client.append(order: a.order, events: [.object(changed)]) }
            // Part old, part new.
            await expectFailure("idempotency_conflict") { try await client.append(order: a.order, events: [placed, a.paid()]) }
            #expect(try await client.stats()["head"]?.intValue == 1)
        }
    }

    @Test("a batch over maxBatchEvents is too_large with the limit")
    func batchTooLarge() async throws {
        var config = DaemonConfig()
        config.limits = ["maxBatchEvents": 3]
        try await withDaemon(config) { _, client in
            let a = OrderFixture()
            try await a.create(client)
            let error = await expectFailure("too_large") {
                _ = try await client.append(order: a.order, events: (0..<4).map { a.note("n\($0)") })
            }
            #expect(error?.details["limit"]?.intValue == 3)
            let ok = try await client.append(order: a.order, events: (0..<3).map { a.note("n\($0)") })
            #expect(ok["lastRevision"]?.intValue == 4)
        }
    }

    @Test("the store refuses to grow past maxMapSizeBytes with storage_full and writes nothing")
    func storageFull() async throws {
        var config = DaemonConfig()
        config.store = ["initialMapSizeBytes": 1 << 20, "maxMapSizeBytes": 1 << 20, "mapGrowthBytes": 1 << 20]
        config.limits = ["maxEvidenceBytes": 4 << 20]
        try await withDaemon(config) { _, client in
            let a = OrderFixture()
            try await a.create(client)
            let big = Data((0..<(2 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }).base64EncodedString()
            await expectFailure("storage_full") {
                try await client.call("evidence.put", [
                    "order": .string(a.order), "eventId": "ev-big", "actor": ["role": "buyer", "id": .string(a.buyer)],
                    "filename": "big.bin", "mediaType": "application/octet-stream", "channel": "order", "contentBase64": .string(big),
                ])
            }
            let stats = try await client.stats()
            #expect(stats["head"]?.intValue == 2)
            #expect(stats["blobs"]?.intValue == 0)
            // Small appends still fit.
            _ = try await client.append(order: a.order, events: [a.note("still fine")])
        }
    }
}
