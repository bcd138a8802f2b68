import Testing
import TimelineModel

/// Parses `text` (as UTF-8).
func parse(_ text: String) throws(JSONParseError) -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

/// The refusal `bytes` get, or `nil` when they parse.
func refusal(_ bytes: [UInt8]) -> JSONParseError? {
    do { _ = try JSONParser.parse(bytes); return nil } catch { return error }
}

func refusal(_ text: String) -> JSONParseError? { refusal(Array(text.utf8)) }

@Suite("JSON parser")
struct JSONParserTests {
    // MARK: - Accepted documents

    @Test("an object with every kind of value parses to the matching JSONValue")
    func everyKind() throws {
        let value = try parse(#" { "s": "text", "i": -42, "d": 1.5, "t": true, "f": false, "n": null, "a": [1, [2], {}], "o": {"k": "v"} } "#)
        let expected: JSONValue = [
            "s": "text", "i": -42, "d": .double(1.5), "t": true, "f": false, "n": nil,
            "a": [1, [2], .emptyObject], "o": ["k": "v"],
        ]
        #expect(value == expected)
    }

    @Test("scalars at the top level and surrounding whitespace are accepted", arguments: [
        ("\"x\"", JSONValue.string("x")), ("0", .int(0)), ("-0", .int(0)), ("true", .bool(true)), ("null", .null),
        (" \t\r\n[]\n", .array([])), ("1E2", .double(100)), ("1e-2", .double(0.01)), ("-0.5", .double(-0.5)),
    ])
    func scalars(text: String, expected: JSONValue) throws {
        #expect(try parse(text) == expected)
    }

    @Test("escapes decode to the characters they name, surrogate pairs included")
    func escapes() throws {
        let value = try parse(#""\" \\ \/ \b \f \n \r \t \u00e9 \u20AC \ud83d\ude00""#)
        #expect(value == .string("\" \\ / \u{08} \u{0C} \n \r \t é € 😀"))
    }

    @Test("raw multi-byte UTF-8 in strings is kept")
    func rawUnicode() throws {
        #expect(try parse("\"Grüße, 世界 🎮\"") == .string("Grüße, 世界 🎮"))
    }

    @Test("integers up to Int64's bounds stay exact integers")
    func int64Bounds() throws {
        #expect(try parse("9223372036854775807") == .int(Int64.max))
        #expect(try parse("-9223372036854775808") == .int(Int64.min))
    }

    @Test("2^63 and larger integers become doubles", arguments: [
        ("9223372036854775808", 9_223_372_036_854_775_808.0),
        ("-9223372036854775809", -9_223_372_036_854_775_809.0),
        ("100000000000000000000", 1e20),
    ])
    func bigIntegers(text: String, expected: Double) throws {
        let value = try parse(text)
        #expect(value == .double(expected))
        #expect(value.intValue == nil)
    }

    @Test("nesting of exactly 64 levels is accepted")
    func maxDepth() throws {
        let text = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try parse(text) }
        let objects = String(repeating: #"{"a":"#, count: 63) + "{}" + String(repeating: "}", count: 63)
        #expect(throws: Never.self) { try parse(objects) }
    }

    // MARK: - Refusals, each with a message a person can act on

    @Test("invalid UTF-8 is refused", arguments: [
        [0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22],
        [0x22, 0x61, 0xF8, 0x88, 0x80, 0x80, 0x80, 0x22], [0x22, 0x5C, 0x6E, 0xFF, 0x22],
    ] as [[UInt8]])
    func invalidUTF8(bytes: [UInt8]) {
        #expect(refusal(bytes)?.message == "the message is not valid UTF-8")
    }

    @Test("invalid UTF-8 outside strings is refused as an unexpected character")
    func invalidUTF8OutsideStrings() {
        #expect(refusal([0xFF]) != nil)
        #expect(refusal([0x5B, 0xC3, 0xA9, 0x5D]) != nil)
    }

    @Test("raw control characters inside a string are refused", arguments: [0x01, 0x09, 0x0A, 0x0D, 0x1F] as [UInt8])
    func rawControl(byte: UInt8) {
        let error = refusal([0x22, 0x61, byte, 0x62, 0x22])
        #expect(error?.message == "a string contains a raw control character; escape it")
        #expect(error?.offset == 2)
    }

    @Test("a raw control character after an escape is refused too")
    func rawControlAfterEscape() {
        #expect(refusal([0x22, 0x5C, 0x6E, 0x07, 0x22])?.message == "a string contains a raw control character; escape it")
    }

    @Test("a NUL byte is refused wherever it appears, and so is the escape \\u0000")
    func nul() {
        #expect(refusal([0x22, 0x61, 0x00, 0x22])?.message == "the message contains a NUL byte")
        #expect(refusal([0x5B, 0x00, 0x5D])?.message == "the message contains a NUL byte")
        #expect(refusal([0x00])?.message == "the message contains a NUL byte")
        #expect(refusal(#""a\u0000b""#)?.message == "the message contains a NUL character")
    }

    @Test("lone surrogate escapes are refused", arguments: [
        #""\ud800""#, #""\udc00""#, #""\ud83d x""#, #""\ud83d\u0041""#, #""\ude00\ud83d""#, #""\ud83d\n""#,
    ])
    func loneSurrogates(text: String) {
        #expect(refusal(text)?.message == "a \\u escape holds a lone surrogate")
    }

    @Test("a key that appears twice in one object is refused, naming the key")
    func duplicateKeys() {
        let error = refusal(#"{"eventId": "a", "type": "x", "eventId": "b"}"#)
        #expect(error?.message == #"the key "eventId" appears twice in one object"#)
        // The same key in different objects is fine.
        #expect(refusal(#"{"a": {"k": 1}, "b": {"k": 2}}"#) == nil)
    }

    @Test("a key spelled once raw and once escaped is still a duplicate")
    func duplicateKeysThroughEscapes() {
        #expect(refusal(#"{"é": 1, "\u00e9": 2}"#)?.message.contains("appears twice") == true)
    }

    @Test("nesting deeper than 64 levels is refused", arguments: [65, 200, 10_000])
    func tooDeep(levels: Int) {
        let text = String(repeating: "[", count: levels) + String(repeating: "]", count: levels)
        #expect(refusal(text)?.message == "the JSON is nested deeper than 64 levels")
        let objects = String(repeating: #"{"a":"#, count: levels) + "1" + String(repeating: "}", count: levels)
        #expect(refusal(objects)?.message == "the JSON is nested deeper than 64 levels")
    }

    @Test("numbers that do not fit a Double are refused", arguments: ["1e400", "-1e400", "1E+309", "[2e308]"])
    func hugeNumbers(text: String) {
        #expect(refusal(text)?.message.hasSuffix("is too large") == true)
    }

    @Test("leading zeros are refused", arguments: ["01", "-01", "00", "[007]", "00.5"])
    func leadingZeros(text: String) {
        #expect(refusal(text)?.message == "numbers may not have leading zeros")
    }

    @Test("malformed numbers are refused", arguments: [
        ("-", "a number needs digits"), ("1.", "a decimal point must be followed by digits"),
        ("1.e5", "a decimal point must be followed by digits"), ("1e", "an exponent needs digits"),
        ("1e+", "an exponent needs digits"), ("+1", "unexpected character in JSON"), (".5", "unexpected character in JSON"),
    ])
    func malformedNumbers(text: String, message: String) {
        #expect(refusal(text)?.message == message)
    }

    @Test("text after the value is refused", arguments: ["{} {}", "1 2", "[] x", "true false", "{}garbage", "\"a\"\""])
    func trailingGarbage(text: String) {
        #expect(refusal(text)?.message == "unexpected text after the JSON value")
    }

    @Test("structural mistakes get a message naming what was expected", arguments: [
        ("", "the message is empty; send one JSON object per line"),
        ("   ", "the message is empty; send one JSON object per line"),
        ("{", "an object key must be a string in double quotes"),
        ("{\"a\" 1}", "expected ':' after an object key"),
        ("{\"a\":1 \"b\":2}", "expected ',' or '}' in an object"),
        ("{\"a\":1", "the JSON ends inside an object"),
        ("{a:1}", "an object key must be a string in double quotes"),
        ("{\"a\":1,}", "an object key must be a string in double quotes"),
        ("[1 2]", "expected ',' or ']' in an array"),
        ("[1", "the JSON ends inside an array"),
        ("[1,]", "unexpected character in JSON"),
        ("\"abc", "a string is not closed"),
        ("\"a\\", "a string is not closed"),
        ("\"\\x\"", "unknown escape sequence in a string"),
        ("\"\\u12\"", "a \\u escape needs four hex digits"),
        ("\"\\u12G4\"", "a \\u escape needs four hex digits"),
        ("tru", "the JSON ends too early"),
        ("nul1", "unexpected character in JSON"),
        ("True", "unexpected character in JSON"),
        ("'a'", "unexpected character in JSON"),
    ])
    func structuralErrors(text: String, message: String) {
        #expect(refusal(text)?.message == message)
    }

    @Test("the error's description names the byte offset")
    func errorOffset() {
        let error = refusal("[1, 2, x]")
        #expect(error?.offset == 7)
        #expect(error?.description == "unexpected character in JSON (at byte 7)")
    }

    @Test("a custom depth limit is honoured")
    func customDepth() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array("[[[1]]]".utf8), maxDepth: 2) }
        #expect(throws: Never.self) { try JSONParser.parse(Array("[[1]]".utf8), maxDepth: 2) }
    }

    @Test("parsing from a raw buffer gives the same value as from an array")
    func bufferParse() throws {
        let bytes = Array(#"{"a":[1,"b",null]}"#.utf8)
        let fromBuffer = try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in try JSONParser.parse(buffer: buffer) }
        #expect(fromBuffer == (try JSONParser.parse(bytes)))
    }
}
