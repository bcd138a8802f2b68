import Foundation
import TestSupport
import Testing
import TimelineClient
import TimelineModel

@Suite("moderation on the wire", .timeLimit(.minutes(3)))
struct ModerationWireTests {
    @Test("filtered and hidden chat messages say so in the reply with a hint, are recorded in full, and count in the view")
    func verdictsOnTheWire() async throws {
        try await withDaemon { _, client in
            let a = OrderFixture("MOD")
            try await a.create(client)
            let contact = a.chat("buyer", "just email me at dragon.trader@gmail.com and we settle it there")
            let long = a.chat("seller", String(repeating: "This sword is great. ", count: 100))
            let fine = a.chat("seller", "Sent 1 of 2 swords, level 60, the second one at 18:00.")
            let reply = try await client.append(order: a.order, events: [contact, long, fine])
            let entries = reply["events"]?.array ?? []
            #expect(entries[0]["moderation"]?["verdict"] == "filtered", "\(text(reply))")
            #expect(entries[0]["hint"]?.stringValue?.isEmpty == false)
            #expect(entries[1]["moderation"]?["verdict"] == "hidden", "\(text(reply))")
            #expect(entries[1]["hint"]?.stringValue?.isEmpty == false)
            #expect(entries[2]["moderation"]?["verdict"] == "delivered", "prices, levels and times pass: \(text(reply))")
            #expect(entries[2]["hint"] == nil)
            let recorded = try await client.orderEvents(a.order, fromRevision: 2)["events"]?.array ?? []
            #expect(recorded.first?["data"]?["text"] == contact["data"]?["text"], "a filtered message is recorded in full")
            #expect(recorded.first?["moderation"] == entries[0]["moderation"])
            let view = try await client.order(a.order)
            #expect(view["messages"] == ["visible": 1, "filtered": 1, "hidden": 1, "flagged": 0])
        }
    }

    @Test("the third filtered message of a user on an order makes the daemon append moderation.flagged")
    func flagAfterFiltered() async throws {
        try await withDaemon { _, client in
            let a = OrderFixture("FLG")
            try await a.create(client)
            var lastRevision: Int64 = 1
            var messages: [JSONValue] = []
            for i in 0..<3 {
                messages.append(a.chat("buyer", "write me on telegram @dragon_trader\(i) instead"))
                let reply = try await client.append(order: a.order, events: [messages[i]])
                #expect(reply["events"]?.array.first?["moderation"]?["verdict"] == "filtered", "\(text(reply))")
                lastRevision = reply["lastRevision"]?.intValue ?? -1
            }
            #expect(lastRevision == 5, "revisions 0–1 place and pay, 2–4 are the messages, 5 the flag, which counts in lastRevision")
            let retry = try await client.append(order: a.order, events: [messages[2]])
            #expect(retry["events"]?.array.first?["status"] == "duplicate")
            #expect(retry["lastRevision"]?.intValue == 5, "a retry answers what the original reply said, the flag included")
            let earlier = try await client.append(order: a.order, events: [messages[1]])
            #expect(earlier["lastRevision"]?.intValue == 3, "an earlier message's retry: no flag followed it")
            let events = try await client.orderEvents(a.order, fromRevision: 5)["events"]?.array ?? []
            let flag = try #require(events.first)
            #expect(flag["type"] == "moderation.flagged")
            #expect(flag["actor"]?["role"] == "system")
            #expect(flag["data"]?["actorId"]?.stringValue == a.buyer)
            #expect(flag["data"]?["count"]?.intValue == 3)
            #expect(try await client.order(a.order)["moderationFlags"]?.intValue == 1)
        }
    }
}
