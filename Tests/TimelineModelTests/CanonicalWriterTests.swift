import TestSupport
import Testing
import TimelineModel

/// The hand-written canonical writers (records, stored views, participant
/// figures) against the generic `CanonicalJSON.encode` of the same value.
/// `Replay` checks the same at every step of every catalog and scenario test;
/// these cover what scenarios rarely reach: escapes, non-ASCII and runtime keys.
@Suite("Canonical writers")
struct CanonicalWriterTests {
    @Test("a view with escapes, non-ASCII text and several runtime keys encodes as the generic encoder does")
    func awkwardView() throws {
        var r = try Replay.disputed(quantity: 3, delivering: 1)
        try r.append(r.script.availability(by: r.script.buyer, until: "2026-11-27T18:00:00Z", note: "zurück \"morgen\"\n"))
        try r.append(r.script.availability(by: r.script.seller))
        try r.append(r.script.chat("tab\there \u{1F600} é", by: r.script.seller), moderation: ModerationVerdict(verdict: .filtered, rules: ["contact", "payment"]))
        try r.append(r.script.chat("ok", by: r.script.buyer), moderation: ModerationVerdict(verdict: .filtered, rules: ["harassment"]))
        try r.append(r.script.offer(by: r.script.seller, outcome: "partial_refund", amount: 100, note: "ctrl \u{01} char"))
        var state = try #require(r.state)
        state.filteredByUser["\u{1F600}-user"] = 2
        state.filteredByUser["Zed"] = 1
        state.filteredByUser["zed"] = 3
        state.availability["\u{00E9}"] = "x"
        state.availability["\u{FFFF}"] = "y"
        #expect(state.availability.count >= 3 && state.filteredByUser.count >= 4)
        #expect(state.storageBytes == CanonicalJSON.encode(state.storageJSON))
        #expect(state.viewBytes == CanonicalJSON.encode(state.viewJSON))
        let back = try OrderState(storageJSON: JSONParser.parse(state.storageBytes))
        #expect(back == state)
    }

    @Test("participant figures encode as the generic encoder does")
    func participantFigures() {
        var f = ParticipantFigures(user: "u-\u{00FC}ber\"1\"")
        for effect: ParticipantEffect in [.orderAsBuyer(user: "x"), .orderAsSeller(user: "x"), .disputeOpened(user: "x"), .disputeReceived(user: "x"), .filteredMessage(user: "x"), .reply(user: "x", microseconds: 5)] {
            f.apply(effect)
        }
        f.ordersAsBuyer = 1_234_567_890_123
        #expect(f.storageBytes == CanonicalJSON.encode(f.storageJSON))
    }

    @Test("integers encode in decimal at the edges", arguments: [0, 9, 10, -1, -10, 1_000_000, Int64.max, Int64.min] as [Int64])
    func integers(value: Int64) {
        var out: [UInt8] = []
        CanonicalJSON.writeInteger(value, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == String(value))
    }

    @Test("a sealed record's bytes are its canonical JSON, with and without moderation and occurredAt")
    func sealedRecords() {
        let actor = Actor(role: .buyer, id: "b-\u{1F600}")
        for (moderation, occurredAt) in [(nil, nil), (ModerationVerdict(verdict: .hidden, rules: ["a", "b"]), "2026-11-26T14:59:00+01:00")] as [(ModerationVerdict?, String?)] {
            var e = RecordedEvent(
                position: 42, order: "A-\"1\"", revision: 7, eventId: "e\\1", type: "chat.message", actor: actor,
                recordedAt: Timestamp(microseconds: 1_795_000_000_123_456), occurredAt: occurredAt,
                data: ["text": "line\nbreak", "channel": "order", "n": .double(1.5)], moderation: moderation
            )
            let bytes = e.seal(prevHash: Hashing.zeroHash)
            #expect(bytes == CanonicalJSON.encode(e.json()))
            #expect(e.hash == Hashing.sha256Hex(CanonicalJSON.encode(e.json(includeData: false, includeHash: false))))
            #expect(e.dataHash == Hashing.sha256Hex(CanonicalJSON.encode(e.data)))
        }
    }
}
