import Testing
import TimelineModel

@Suite("Recorded events: hashes per the audit rules, JSON form")
struct RecordedEventTests {
    static let zeros = String(repeating: "0", count: 64)

    /// Position 1: a buyer's chat message, sealed after the zero hash.
    static func first() -> RecordedEvent {
        var e = RecordedEvent(
            position: 1, order: "A-1", revision: 0, eventId: "e-1", type: "chat.message", actor: Actor(role: .buyer, id: "u-1"),
            recordedAt: Timestamp(rfc3339: "2026-11-26T15:00:00.123456Z")!, data: ["channel": "order", "text": "hi €"],
            moderation: ModerationVerdict(verdict: .delivered, rules: [])
        )
        e.seal(prevHash: Hashing.zeroHash)
        return e
    }

    /// Position 2: `order.paid` with empty data and an `occurredAt`, chained after ``first()``.
    static func second() -> RecordedEvent {
        var e = RecordedEvent(
            position: 2, order: "A-1", revision: 1, eventId: "e-2", type: "order.paid", actor: Actor(role: .system, id: "payments"),
            recordedAt: Timestamp(rfc3339: "2026-11-26T15:00:01Z")!, occurredAt: "2026-11-26T14:59:00Z", data: .emptyObject
        )
        e.seal(prevHash: first().hash)
        return e
    }

    // The expected digests below were computed outside Swift (Python's
    // hashlib over the canonical text written out by hand in each test).

    @Test("SHA-256 hex matches the FIPS 180-2 test vector and the zero hash is 64 zeros")
    func sha256Vector() {
        #expect(Hashing.sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hashing.zeroHash == Self.zeros)
    }

    @Test("dataHash is SHA-256 of canonical(data), written out by hand")
    func dataHash() {
        let e = Self.first()
        #expect(CanonicalJSON.string(e.data) == #"{"channel":"order","text":"hi €"}"#)
        #expect(e.dataHash == "163b3ba747cfe569d9adde70d4d5fcd5466b3324767d3af48c0239c2b49fa6eb")
        // Empty data hashes as "{}".
        #expect(Self.second().dataHash == "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
    }

    @Test("hash covers every field but hash and data, prevHash and dataHash included")
    func hash() {
        let e = Self.first()
        let hashed = #"{"actor":{"id":"u-1","role":"buyer"},"dataHash":"163b3ba747cfe569d9adde70d4d5fcd5466b3324767d3af48c0239c2b49fa6eb","eventId":"e-1","moderation":{"rules":[],"verdict":"delivered"},"order":"A-1","position":1,"prevHash":"\#(Self.zeros)","recordedAt":"2026-11-26T15:00:00.123456Z","revision":0,"type":"chat.message"}"#
        #expect(CanonicalJSON.string(e.json(includeData: false, includeHash: false)) == hashed)
        #expect(e.prevHash == Self.zeros)
        #expect(e.hash == "d7dd3c6ce7a91c84d814ebd6d0ffa1644ccfcf8b3c3ddb67fdee27fe4eeaeb7e")
        #expect(e.computedHash == e.hash)
        #expect(e.computedDataHash == e.dataHash)
    }

    @Test("the next event chains on the previous hash and its hash covers occurredAt")
    func chain() {
        let e = Self.second()
        #expect(e.prevHash == "d7dd3c6ce7a91c84d814ebd6d0ffa1644ccfcf8b3c3ddb67fdee27fe4eeaeb7e")
        #expect(e.hash == "ae765b739e5f5ce7ce4ad14faf7e703d439a253b39ce88845df8c239db297af6")
    }

    @Test("changing any covered field changes the hash")
    func tamperEvident() {
        let original = Self.first()
        var changes: [RecordedEvent] = []
        var e = original; e.position = 2; changes.append(e)
        e = original; e.revision = 1; changes.append(e)
        e = original; e.actor = Actor(role: .seller, id: "u-1"); changes.append(e)
        e = original; e.recordedAt = Timestamp(microseconds: e.recordedAt.microseconds + 1); changes.append(e)
        e = original; e.prevHash = String(repeating: "1", count: 64); changes.append(e)
        e = original; e.moderation = ModerationVerdict(verdict: .filtered, rules: ["contact"]); changes.append(e)
        e = original; e.occurredAt = "2026-11-26T15:00:00Z"; changes.append(e)
        for changed in changes { #expect(changed.computedHash != original.hash) }
        // Changing data changes dataHash, and so the hash once resealed.
        e = original
        e.data = ["channel": "order", "text": "hi $"]
        #expect(e.computedDataHash != original.dataHash)
        e.seal(prevHash: original.prevHash)
        #expect(e.hash != original.hash)
    }

    @Test("RecordField lists PROTOCOL.md's members in code-point order; hash covers all but data and hash")
    func recordFields() {
        #expect(RecordField.names == [
            "actor", "data", "dataHash", "eventId", "hash", "moderation", "occurredAt", "order", "position", "prevHash",
            "recordedAt", "revision", "type",
        ])
        #expect(RecordField.names == RecordField.names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        // The audit's fast path cuts exactly these two members out of the stored bytes.
        #expect(RecordField.allCases.filter { !$0.isHashed } == [.data, .hash])
        #expect(RecordField.allCases.filter(\.isOptional) == [.data, .moderation, .occurredAt])
        for field in RecordField.allCases { #expect(RecordField(name: field.name) == field) }
        #expect(RecordField(name: "Position") == nil)
        // Every member of a full record is one of the fields, and every required one is there.
        let keys = Set(Self.first().json().objectValue?.keys.map { $0 } ?? [])
        #expect(keys == Set(RecordField.names.filter { $0 != "occurredAt" }))
        // A redacted record leaves data out (it is not null).
        #expect(Self.first().redacted.json().objectValue?["data"] == nil)
        #expect(Self.first().redacted.json(.data) == nil)
    }

    @Test("the JSON form omits absent optional fields rather than writing null")
    func omitsAbsent() {
        let e = Self.second()
        guard case .object(let o) = e.json() else { Issue.record("not an object"); return }
        #expect(o["moderation"] == nil)
        #expect(o["occurredAt"] == .string("2026-11-26T14:59:00Z"))
        #expect(Set(o.keys) == [
            "position", "order", "revision", "eventId", "type", "actor", "recordedAt", "occurredAt", "data", "dataHash", "prevHash", "hash",
        ])
        #expect(!CanonicalJSON.string(e.json()).contains("null"))
        #expect(Self.first().json()["occurredAt"] == nil)
    }

    @Test("a record round trips through its canonical bytes", arguments: [first(), second()])
    func roundTrip(event: RecordedEvent) throws {
        let bytes = event.canonicalBytes
        let back = try bytes.withUnsafeBufferPointer { try RecordedEvent(bytes: $0) }
        #expect(back == event)
        #expect(back.canonicalBytes == bytes)
        #expect(back.computedHash == event.hash)
    }

    @Test("malformed records are refused with a reason", arguments: [
        (#"[]"#, "a record must be a JSON object"),
        (#"{"actor":{"role":"buyer","id":"u"},"recordedAt":"2026-11-26T15:00:00Z","data":{}}"#, "field position is missing or not a non-negative integer"),
        (#"{"actor":{"role":"king","id":"u"}}"#, "field actor is missing or malformed"),
        (#"{"actor":{"role":"buyer","id":"u"},"recordedAt":"yesterday"}"#, "field recordedAt is not RFC 3339"),
        (#"{"actor":{"role":"buyer","id":"u"},"recordedAt":"2026-11-26T15:00:00Z","data":[]}"#, "field data is not an object"),
        (#"{"actor":{"role":"buyer","id":"u"},"recordedAt":"2026-11-26T15:00:00Z","data":{},"moderation":{"verdict":"maybe","rules":[]}}"#, "field moderation is malformed"),
        (#"{"#, "the record is not valid JSON: an object key must be a string in double quotes"),
    ])
    func malformed(text: String, message: String) {
        let bytes = Array(text.utf8)
        do {
            _ = try bytes.withUnsafeBufferPointer { try RecordedEvent(bytes: $0) }
            Issue.record("accepted \(text)")
        } catch let error as RecordDecodingError {
            #expect(error.message == message)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("hex helpers: bytes from hex accept either case and refuse odd length or other characters")
    func hex() {
        #expect(Hashing.bytes(fromHex: "00ff10Ab") == [0x00, 0xFF, 0x10, 0xAB])
        #expect(Hashing.bytes(fromHex: "abc") == nil)
        #expect(Hashing.bytes(fromHex: "zz") == nil)
        #expect(Hashing.hex([0x00, 0xFF, 0x10]) == "00ff10")
        #expect(Hashing.isSHA256Hex(String(repeating: "a", count: 64)))
        #expect(!Hashing.isSHA256Hex(String(repeating: "A", count: 64)))
        #expect(!Hashing.isSHA256Hex(String(repeating: "a", count: 63)))
    }

    @Test("order ids and event ids follow PROTOCOL.md's syntax")
    func identifiers() {
        #expect(Identifiers.isValidOrderId("A-1001"))
        #expect(Identifiers.isValidOrderId("a.b_c:d-9"))
        #expect(Identifiers.isValidOrderId(String(repeating: "x", count: 128)))
        #expect(!Identifiers.isValidOrderId(String(repeating: "x", count: 129)))
        #expect(!Identifiers.isValidOrderId(""))
        #expect(!Identifiers.isValidOrderId("A 1"))
        #expect(!Identifiers.isValidOrderId("A/1"))
        #expect(!Identifiers.isValidOrderId("Ä-1"))
        #expect(Identifiers.isValidEventId("any printable ~!@#$%^&*()"))
        #expect(!Identifiers.isValidEventId(""))
        #expect(!Identifiers.isValidEventId("tab\there"))
        #expect(!Identifiers.isValidEventId("é"))
        #expect(!Identifiers.isValidEventId(String(repeating: "x", count: 129)))
    }
}
