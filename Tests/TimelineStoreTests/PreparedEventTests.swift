import TestSupport
import Testing
import TimelineModel
import TimelineStore

/// `TimelineStore.prepare` moves data encoding, its hash and moderation off
/// the writer; a prepared request must commit to exactly the bytes an
/// unprepared one does.
@Suite("Store: prepared requests")
struct PreparedEventTests {
    @Test("prepared and unprepared requests record identical bytes, moderation and flags included")
    func sameBytes() throws {
        func run(prepared: Bool) throws -> [[UInt8]] {
            let h = try StoreHarness()
            var s = OrderScript(order: "P-1", quantity: 2)
            var requests = [
                AppendRequest(order: "P-1", events: [s.placed(), s.paid()]),
                AppendRequest(order: "P-1", events: [s.chat("sending now, trade offer at 18:30", by: s.seller)]),
                AppendRequest(order: "P-1", events: [s.chat("add me on d1sc0rd trader#4412", by: s.buyer), s.supportNote("ok")]),
                AppendRequest(order: "P-1", events: [s.chat("whats4pp +44 7700 900123", by: s.buyer)]),
                AppendRequest(order: "P-1", events: [s.chat("mail me at x@example.com", by: s.buyer)]),
                AppendRequest(order: "P-1", events: [s.chat("support here", by: Actor(role: .support, id: "agent-1"))]),
            ]
            if prepared { requests = requests.map { h.store.prepare($0) } }
            var bytes: [[UInt8]] = []
            for result in h.store.commit(requests) {
                bytes += try result.get().encodedRecords
            }
            return bytes
        }
        let plain = try run(prepared: false)
        let prepared = try run(prepared: true)
        #expect(plain.count >= 8)
        #expect(prepared == plain)
        let texts = plain.map { String(decoding: $0, as: UTF8.self) }
        #expect(texts.contains { $0.contains("\"verdict\":\"filtered\"") })
    }
}
