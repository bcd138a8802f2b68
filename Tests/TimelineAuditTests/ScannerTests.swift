import Testing
import TimelineModel
@testable import TimelineAudit

/// The fast path reads canonical records exactly as the general path does, and
/// refuses whatever it cannot prove canonical.
@Suite("canonical record scanner")
struct ScannerTests {
    static func records() throws -> [[UInt8]] {
        let dir = TempDirectory("scanner")
        let store = try Fixture.makeStore(dir.sub("store"), orders: 2)
        return try store.logBytes(from: 1, limit: 100).records
    }

    @Test("every stored record scans to the same event and hash verdicts as the general path")
    func agreesWithGeneralPath() throws {
        let records = try Self.records()
        #expect(records.count == 20)
        for bytes in records {
            try bytes.withUnsafeBufferPointer { b in
                let fast = try #require(CanonicalRecordScanner.scan(b))
                let value = try JSONParser.parse(buffer: b)
                let slow = try RecordedEvent(json: value)
                var withoutHashes = slow
                (withoutHashes.dataHash, withoutHashes.prevHash, withoutHashes.hash) = ("", "", "")
                #expect(fast.record == withoutHashes)
                #expect(fast.hash?.hex == slow.hash && fast.prevHash?.hex == slow.prevHash)
                #expect(fast.hashes.dataHashOK && fast.hashes.hashOK)
                let general = ChainReplay.HashCheck(value, slow)
                #expect(general.dataHashOK && general.hashOK)
            }
        }
    }

    @Test("a digest is read from exactly 64 lower-case hex digits, each in every place")
    func digestHex() {
        let hex = "0123456789abcdef" + "fedcba9876543210" + "00ff00ff00ff00ff" + "a5a5a5a5a5a5a5a5"
        let digest = Digest32(hex: hex)
        #expect(digest == Digest32(w0: 0x0123_4567_89ab_cdef, w1: 0xfedc_ba98_7654_3210, w2: 0x00ff_00ff_00ff_00ff, w3: 0xa5a5_a5a5_a5a5_a5a5))
        #expect(digest?.hex == hex)
        for place in 0..<64 {
            for bad in ["A", "g", "G", " ", "/", ":", "`", "\u{0}"] {
                var chars = Array(hex)
                chars[place] = Character(bad)
                #expect(Digest32(hex: String(chars)) == nil, "\(place) \(bad)")
            }
        }
        #expect(Digest32(hex: String(hex.dropLast())) == nil)
        #expect(Digest32(hex: hex + "0") == nil)
    }

    @Test("a changed byte flips the verdict of the hash that covers it")
    func detectsChanges() throws {
        var bytes = try Self.records()[4]
        let range = try #require(bytes.firstRange(of: Array("got 1 of 2".utf8)))
        bytes[range.lowerBound + 4] = UInt8(ascii: "2")
        let item = try bytes.withUnsafeBufferPointer { try #require(CanonicalRecordScanner.scan($0)) }
        #expect(!item.hashes.dataHashOK && item.hashes.hashOK)
        var actor = try Self.records()[4]
        let at = try #require(actor.firstRange(of: Array("u-17".utf8)))
        actor[at.lowerBound + 3] = UInt8(ascii: "8")
        let changed = try actor.withUnsafeBufferPointer { try #require(CanonicalRecordScanner.scan($0)) }
        #expect(changed.hashes.dataHashOK && !changed.hashes.hashOK)
    }

    @Test("non-canonical bytes are left to the general path")
    func refusesNonCanonical() throws {
        let original = String(decoding: try Self.records()[0], as: UTF8.self)
        let variants = [
            original.replacingOccurrences(of: ",\"", with: ", \""),                  // whitespace
            original.replacingOccurrences(of: "\"position\":1", with: "\"position\":1.0"),  // not an integer
            original.replacingOccurrences(of: "{\"actor\"", with: "{\"zzz\":1,\"actor\""),  // keys out of order
            original.replacingOccurrences(of: "AK-47", with: "AK\\u002d47"),            // an escape RFC 8785 would not write
            original + " ",
        ]
        for v in variants {
            #expect(Array(v.utf8).withUnsafeBufferPointer { CanonicalRecordScanner.scan($0) } == nil, "\(v)")
        }
    }
}

extension ChainReplay.Item: Equatable {
    public static func == (a: Self, b: Self) -> Bool { a.record == b.record }
}
