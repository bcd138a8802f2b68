import Testing
@testable import TimelineModel

/// The canonical-form check the audit and the rebuild trust before hashing stored
/// bytes: it accepts exactly what the canonical encoder writes, at any length and
/// with the special character at any place (its scan goes 16 bytes at a time).
@Suite("canonical validator")
struct CanonicalValidatorTests {
    static func accepts(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { b in
            var members = NoMembers()
            return Validator(b: b).topLevel(into: &members)
        }
    }

    static func document(_ text: String) -> [UInt8] { CanonicalJSON.encode(.object(["k": .string(text)])) }

    /// Every control character, a quote, a backslash, DEL, and non-ASCII text.
    static let specials: [String] = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) } + ["\"", "\\", "\u{7F}", "é", "😀"]

    @Test("what the encoder writes is accepted, the special character at every place of strings up to 40 long")
    func acceptsEncoderOutput() {
        for special in Self.specials {
            for length in 0...40 {
                for place in 0...length {
                    let text = String(repeating: "a", count: place) + special + String(repeating: "b", count: length - place)
                    #expect(Self.accepts(Self.document(text)), "\(Array(text.utf8))")
                }
            }
        }
    }

    @Test("raw control characters, escapes RFC 8785 would not write and unterminated strings are refused")
    func refusesNonCanonical() {
        for length in [0, 7, 15, 16, 17, 31, 40] {
            let pad = String(repeating: "x", count: length)
            for bad in ["\u{01}", "\n", "\\u0041", "\\/", "\\u000a", "\\u001F", "\\x"] {
                let text = "{\"k\":\"\(pad)\(bad)\(pad)\"}"
                #expect(!Self.accepts(Array(text.utf8)), "\(text)")
            }
            #expect(!Self.accepts(Array("{\"k\":\"\(pad)".utf8)))
            #expect(!Self.accepts(Array("{\"k\":\"\(pad)\\".utf8)))
            #expect(Self.accepts(Array("{\"k\":\"\(pad)\\u001f\(pad)\"}".utf8)))
        }
    }
}

/// The reader names roles and verdicts by comparing bytes: every case is found.
@Suite("canonical reader names")
struct CanonicalReaderNameTests {
    static func quoted<T>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>, Range<Int>) -> T) -> T {
        let bytes = Array("\"\(text)\"".utf8)
        return bytes.withUnsafeBufferPointer { body($0, 0..<bytes.count) }
    }

    @Test("every actor role and every moderation verdict is read back, and nothing else")
    func everyCase() {
        for role in ActorRole.allCases {
            #expect(Self.quoted(role.rawValue) { CanonicalRecordReader.role($0, $1) } == role)
        }
        for verdict in ModerationVerdictKind.allCases {
            #expect(Self.quoted(verdict.rawValue) { CanonicalRecordReader.verdictKind($0, $1) } == verdict)
        }
        for other in ["", "buyers", "Buyer", "hidde", "deliveredx"] {
            #expect(Self.quoted(other) { CanonicalRecordReader.role($0, $1) } == nil)
            #expect(Self.quoted(other) { CanonicalRecordReader.verdictKind($0, $1) } == nil)
        }
    }
}

/// ``CanonicalValue`` builds `data` from bytes the validator proved canonical: objects
/// of any size (members are gathered on the stack up to a point, then inserted),
/// nested, and with a member it cannot read, must come out as the parser reads them.
@Suite("canonical value builder")
struct CanonicalValueTests {
    /// `k` in two digits, so that keys sort as numbered.
    static func two(_ k: Int) -> String { k < 10 ? "0\(k)" : "\(k)" }

    static func built(_ bytes: [UInt8]) -> JSONValue? {
        bytes.withUnsafeBufferPointer { CanonicalValue.parse($0, 0..<bytes.count) }
    }

    @Test("objects of 0 to 20 members, flat and nested, read as the JSON parser reads them")
    func everySize() throws {
        for count in 0...20 {
            var members: [String: JSONValue] = [:]
            for k in 0..<count {
                let key = "m\(Self.two(k))"
                switch k % 4 {
                case 0: members[key] = .string("text \(k) é")
                case 1: members[key] = .int(Int64(k) * -1_000)
                case 2: members[key] = .object(["inner": .int(Int64(k)), "list": .array([.bool(true), .null, .string("x")])])
                default: members[key] = .object(Dictionary(uniqueKeysWithValues: (0..<k).map { ("n\(Self.two($0))", JSONValue.int(Int64($0))) }))
                }
            }
            let value = JSONValue.object(members)
            let bytes = CanonicalJSON.encode(value)
            #expect(Self.built(bytes) == value, "\(count) members")
            #expect(try JSONParser.parse(bytes) == value)
        }
    }

    @Test("keys that differ as bytes but are the same string are refused as the JSON parser refuses them, not a crash")
    func canonicallyEquivalentKeys() {
        // "e" + U+0301 sorts before "é" as bytes, so the validator accepts the object;
        // as Swift strings the two keys are equal.
        for fillers in [0, 3, 7, 8, 12] {
            let before = (0..<fillers).map { "\"a\(CanonicalValueTests.two($0))\":\($0)," }.joined()
            let bytes = Array("{\(before)\"e\u{301}\":1,\"\u{E9}\":2}".utf8)
            #expect(CanonicalValidatorTests.accepts(bytes), "the validator sees ascending, distinct byte keys")
            #expect(Self.built(bytes) == nil, "\(fillers) members before the pair")
            #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
        }
    }

    @Test("a member it cannot build, before or after the gathered ones, hands the object to the JSON parser")
    func escapedMember() {
        for place in [0, 3, 7, 8, 9, 15] {
            var members: [String: JSONValue] = [:]
            for k in 0..<16 { members["k\(Self.two(k))"] = .string(k == place ? "line\nbreak" : "v\(k)") }
            let value = JSONValue.object(members)
            #expect(Self.built(CanonicalJSON.encode(value)) == value, "escape in member \(place)")
        }
    }
}
