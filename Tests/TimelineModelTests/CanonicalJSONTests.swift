import Testing
import TimelineModel

/// The canonical text of the document `text`.
func canonical(_ text: String) throws -> String { CanonicalJSON.string(try parse(text)) }

@Suite("Canonical JSON (RFC 8785, with DOMAIN.md's code-point key order)")
struct CanonicalJSONTests {
    // MARK: - RFC 8785 section 3.2.2: the published input and output

    @Test("RFC 8785 3.2.2: the whole example document")
    func rfcExample() throws {
        let input = #"""
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        let expected = #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(try canonical(input) == expected)
    }

    @Test("RFC 8785 3.2.2.2: a string with escapes is written minimally")
    func rfcString() throws {
        #expect(try canonical(#""\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/""#) == #""€$\u000f\nA'B\"\\\\\"/""#)
    }

    @Test("RFC 8785 3.2.2.3: numbers take the ECMAScript shortest form", arguments: [
        ("333333333.33333329", "333333333.3333333"), ("1E30", "1e+30"), ("4.50", "4.5"), ("2e-3", "0.002"),
        ("0.000000000000000000000000001", "1e-27"),
    ])
    func rfcNumbers(input: String, output: String) throws {
        #expect(try canonical(input) == output)
    }

    @Test("RFC 8785 3.2.2.1: literals are written as they are")
    func rfcLiterals() throws {
        #expect(try canonical("[null, true, false]") == "[null,true,false]")
    }

    /// RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text
    /// (cross-checked with node's Number.prototype.toString).
    @Test("RFC 8785 Appendix B: doubles format as ECMAScript does", arguments: [
        (0x0000_0000_0000_0000, "0"), (0x8000_0000_0000_0000, "0"), (0x0000_0000_0000_0001, "5e-324"),
        (0x8000_0000_0000_0001, "-5e-324"), (0x7FEF_FFFF_FFFF_FFFF, "1.7976931348623157e+308"),
        (0x4340_0000_0000_0000, "9007199254740992"), (0xC340_0000_0000_0000, "-9007199254740992"),
        (0x4430_0000_0000_0000, "295147905179352830000"), (0x44B5_2D02_C7E1_4AF5, "9.999999999999997e+22"),
        (0x44B5_2D02_C7E1_4AF6, "1e+23"), (0x44B5_2D02_C7E1_4AF7, "1.0000000000000001e+23"),
        (0x444B_1AE4_D6E2_EF4E, "999999999999999700000"), (0x444B_1AE4_D6E2_EF4F, "999999999999999900000"),
        (0x444B_1AE4_D6E2_EF50, "1e+21"), (0x3EB0_C6F7_A0B5_ED8C, "9.999999999999997e-7"),
        (0x3EB0_C6F7_A0B5_ED8D, "0.000001"), (0x41B3_DE43_5555_5553, "333333333.3333332"),
        (0x41B3_DE43_5555_5554, "333333333.33333325"), (0x41B3_DE43_5555_5555, "333333333.3333333"),
        (0x41B3_DE43_5555_5556, "333333333.3333334"), (0x41B3_DE43_5555_5557, "333333333.33333343"),
        (0xBECB_F647_612F_3696, "-0.0000033333333333333333"), (0x4314_3FF3_C1CB_0959, "1424953923781206.2"),
    ] as [(UInt64, String)])
    func appendixB(bits: UInt64, text: String) {
        #expect(CanonicalJSON.string(.double(Double(bitPattern: bits))) == text)
    }

    /// RFC 8785 3.2.3 sorts keys by UTF-16 code units, which puts the emoji
    /// (U+1F600, surrogates D83D DE00) before U+FB33. DOMAIN.md fixes key
    /// order as Unicode code point order instead, so U+FB33 comes first
    /// here. The two orders differ only for keys above U+FFFF; this
    /// deviation from the RFC is intended.
    @Test("RFC 8785 3.2.3: keys sort by code point (the RFC's example, emoji moved last on purpose)")
    func rfcSorting() throws {
        let input = #"""
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """#
        let expected = #"{"\r":"Carriage Return","1":"One","\#u{80}":"Control","ö":"Latin Small Letter O With Diaeresis","€":"Euro Sign","\#u{FB33}":"Hebrew Letter Dalet With Dagesh","😀":"Emoji: Grinning Face"}"#
        let output = try canonical(input)
        #expect(output == expected)
        // Byte for byte, so canonical equivalence in String comparison cannot hide a difference.
        #expect(Array(output.utf8) == Array(expected.utf8))
    }

    // MARK: - The rest of the audit rules

    @Test("nested objects are sorted at every level and insignificant whitespace is gone")
    func nested() throws {
        let input = #"{ "b" : [ { "z" : 1 , "a" : { "y" : true , "x" : null } } ] , "a" : { } }"#
        #expect(try canonical(input) == #"{"a":{},"b":[{"a":{"x":null,"y":true},"z":1}]}"#)
    }

    @Test("key order is code point order, not String order", arguments: [
        (#"{"b":1,"a":2,"B":3,"_":4,"aa":5,"":6}"#, #"{"":6,"B":3,"_":4,"a":2,"aa":5,"b":1}"#),
        (#"{"é":1,"z":2,"e":3}"#, #"{"e":3,"z":2,"é":1}"#),
    ])
    func keyOrder(input: String, output: String) throws {
        #expect(try canonical(input) == output)
    }

    @Test("integers are written in plain decimal", arguments: [
        (JSONValue.int(0), "0"), (.int(7), "7"), (.int(-7), "-7"), (.int(10), "10"), (.int(1_000_000), "1000000"),
        (.int(Int64.max), "9223372036854775807"), (.int(Int64.min), "-9223372036854775808"),
    ])
    func integers(value: JSONValue, text: String) {
        #expect(CanonicalJSON.string(value) == text)
    }

    @Test("whole doubles drop the fraction and large ones switch to exponent form at 1e21", arguments: [
        (1.0, "1"), (-2.0, "-2"), (100.0, "100"), (1e20, "100000000000000000000"), (1e21, "1e+21"),
        (0.1, "0.1"), (1e-6, "0.000001"), (1e-7, "1e-7"), (123e-20, "1.23e-18"), (-1.5e300, "-1.5e+300"),
    ])
    func doubles(value: Double, text: String) {
        #expect(CanonicalJSON.string(.double(value)) == text)
    }

    @Test("control characters use the short escapes where JSON has them and \\u00xx otherwise")
    func controlEscapes() {
        let all = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self)
        let expected = #""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f""#
        #expect(CanonicalJSON.string(.string(all)) == expected)
    }

    @Test("quote and backslash are escaped; slash, DEL and non-ASCII are not")
    func otherCharacters() {
        #expect(CanonicalJSON.string(.string("a\"b\\c/d\u{7F}é😀\u{2028}")) == "\"a\\\"b\\\\c/d\u{7F}é😀\u{2028}\"")
    }

    @Test("canonical output parses back to the same value")
    func roundTrip() throws {
        let value: JSONValue = [
            "text": "line\nbreak \"quoted\" € 😀", "n": -12, "d": .double(0.25), "list": [nil, true, [:], []],
            "nested": ["k": ["deeper": .double(1e-9)]],
        ]
        let bytes = CanonicalJSON.encode(value)
        #expect(try JSONParser.parse(bytes) == value)
        #expect(CanonicalJSON.encode(try JSONParser.parse(bytes)) == bytes)
    }

    @Test("write appends to what the buffer already holds")
    func writeAppends() {
        var out: [UInt8] = Array("x=".utf8)
        CanonicalJSON.write(["b": 1, "a": 2], into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"x={"a":2,"b":1}"#)
    }
}
