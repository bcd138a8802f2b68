import TimelineModel

/// Mutations of a request, on its JSON tree (type swaps, removed and added
/// keys, other ops, odd ids, extreme numbers, long strings, floods of events,
/// deep nesting) and on its bytes (bit flips, inserts, deletes, truncation,
/// splices, number texts beyond 64 bits or doubles, invalid UTF-8, NUL bytes
/// and escapes, control characters, unbalanced nesting, duplicate keys).
///
/// Every mutation keeps the frame free of `\n` and within `maxFrameBytes`
/// (a longer result is cut there, which is one more truncation).
struct Mutator {
    let maxFrameBytes: Int
    let maxBatchEvents: Int

    /// Ops a swap may pick: every op of PROTOCOL.md but `admin.backup` and `admin.rebuild`.
    static let swappableOps = [
        "hello", "ping", "append", "evidence.put", "evidence.get", "order.get", "order.events", "log.read",
        "subscribe", "unsubscribe", "orders.list", "disputes.list", "participant.get", "stats",
        "admin.checkpoint", "admin.reloadModeration",
    ]
    /// Op names no daemon knows.
    static let unknownOps = [
        "", "APPEND", "append ", " ping", "order.get2", "admin", "admin.", "admin.backupx", "drop.tables",
        "log.read\u{0}", "ping\u{202E}", "💥", "order..get", String(repeating: "op", count: 200),
    ]
    static let numberTexts = [
        "1e400", "-1e400", "1e-400", "-0", "0.0", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "18446744073709551616", "123456789012345678901234567890", "1.5", "-1", "1E+2", "00", "01", "-", "1e", ".5",
        "5.", "+1", "NaN", "Infinity", "-Infinity", "0x10", "1_000", String(repeating: "9", count: 400),
        "1" + String(repeating: "0", count: 310), "4.9e-324", "1.7976931348623157e308",
    ]
    static let invalidUTF8: [[UInt8]] = [
        [0xFF], [0xFE, 0xFF], [0xC0, 0xAF], [0xC1, 0xBF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
        [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xBF, 0xBF], [0xF0, 0x9F, 0x92],
    ]
    static let escapes = [
        "\\u0000", "\\ud800", "\\udc00", "\\ud800\\u0041", "\\u12", "\\x41", "\\", "\\uZZZZ", "\\U0041", "\\/", "\\'",
        "\\u00e9", "\\ud83d\\udca5",
    ]
    static let interestingBytes: [UInt8] = Array("{}[]\":,\\0-e.tfn ".utf8) + [0x00, 0x01, 0x0D, 0x7F, 0x80, 0xC0, 0xFF]

    // MARK: - Tree mutations

    static let treeOperators = ["typeSwap", "removeKey", "addKey", "opSwap", "idVariant", "extremeNumber", "longString", "eventFlood", "deepWrap"]

    func mutateTree(_ value: JSONValue, _ name: String, _ rng: inout FuzzRandom) -> JSONValue {
        switch name {
        case "typeSwap":
            let paths = JSONPath.all(in: value)
            return value.replacing(at: rng.pick(paths), with: oddValue(&rng))
        case "removeKey":
            let paths = JSONPath.all(in: value).filter { $0.last?.isKey == true }
            guard !paths.isEmpty else { return value }
            return value.removing(at: rng.pick(paths))
        case "addKey":
            let paths = JSONPath.all(in: value).filter { value.at($0)?.objectValue != nil }
            guard !paths.isEmpty else { return value }
            let key = rng.pick(["extra", "id", "op", "order", "events", "data", "", "__proto__", "évènement", "\u{0}"])
            return value.inserting(key: key, value: oddValue(&rng), intoObjectAt: rng.pick(paths))
        case "opSwap":
            let op = rng.chance(0.5) ? rng.pick(Self.swappableOps) : rng.pick(Self.unknownOps + [randomASCII(&rng, count: rng.int(1...40))])
            return value.replacing(at: [.key("op")], with: .string(op))
        case "idVariant":
            let ids: [JSONValue] = [
                .null, .int(0), .int(-1), .int(Int64.max), .int(Int64.min), .double(1.5), .double(1e20), .string(""),
                .string("💥"), .string(String(repeating: "i", count: 3000)), .bool(true), .array([1]), .object(["id": 1]),
            ]
            return rng.chance(0.2) ? value.removing(at: [.key("id")]) : value.replacing(at: [.key("id")], with: rng.pick(ids))
        case "extremeNumber":
            let numbers: [JSONValue] = [
                .int(Int64.max), .int(Int64.min), .int(-1), .int(0), .int(Int64(maxBatchEvents) + 1), .double(1e308), .double(-1e308),
                .double(Double.leastNonzeroMagnitude), .double(-0.0), .double(0.5), .int(4_294_967_296),
            ]
            let paths = JSONPath.all(in: value).filter {
                switch value.at($0) {
                case .int?, .double?: return true
                default: return false
                }
            }
            let path = paths.isEmpty ? rng.pick(JSONPath.all(in: value)) : rng.pick(paths)
            return value.replacing(at: path, with: rng.pick(numbers))
        case "longString":
            let paths = JSONPath.all(in: value).filter { value.at($0)?.stringValue != nil }
            guard !paths.isEmpty else { return value }
            let unit = rng.pick(["a", "é", "💥", "\u{301}", "\u{202E}", "\u{FEFF}", " ", "\"", "\\", "\u{1}", "\u{7F}", "\u{10FFFF}"])
            let count = rng.pick([0, 1, 128, 129, 501, 1001, 10_001, 20_000])
            return value.replacing(at: rng.pick(paths), with: .string(String(repeating: unit, count: count)))
        case "eventFlood":
            // Small events, so even maxBatchEvents + 1 of them fit in a frame and reach the batch limit.
            guard case .array(let events)? = value["events"], let first = events.first else { return value }
            let count = rng.pick([0, 2, 50, maxBatchEvents, maxBatchEvents + 1])
            let small: [JSONValue] = (0..<count).map { i in
                ["eventId": .string("f\(i)"), "type": "order.paid", "actor": ["role": "system", "id": "p"]]
            }
            return value.replacing(at: [.key("events")], with: .array(rng.chance(0.2) ? Array(repeating: first, count: min(count, 50)) : small))
        default:  // deepWrap
            let depth = rng.pick([30, 62, 63, 64, 65, 100, 500])
            let paths = JSONPath.all(in: value)
            var wrapped = value.at(rng.pick(paths)) ?? .null
            for _ in 0..<depth { wrapped = rng.chance(0.5) ? .array([wrapped]) : .object(["a": wrapped]) }
            return value.replacing(at: rng.pick(paths), with: wrapped)
        }
    }

    /// A value of some kind, often not the one a field wants.
    func oddValue(_ rng: inout FuzzRandom) -> JSONValue {
        rng.pick([
            .null, .bool(true), .bool(false), .int(0), .int(-1), .int(1), .int(Int64.max), .int(Int64.min), .double(1.5),
            .double(-0.0), .double(1e308), .string(""), .string("x"), .string("0"), .string("-1"), .string("null"),
            .string("A-1001"), .array([]), .array([.null]), .array(["x", 1]), .object([:]), .object(["a": 1]),
        ])
    }

    // MARK: - Byte mutations

    static let byteOperators = [
        "flipBits", "insertBytes", "deleteBytes", "truncate", "duplicateRange", "splice", "numberText", "invalidUTF8",
        "escape", "controlChar", "deepNestText", "duplicateKey", "whitespace", "trailingGarbage",
    ]

    func mutateBytes(_ input: [UInt8], _ name: String, other: [UInt8], _ rng: inout FuzzRandom) -> [UInt8] {
        var b = input
        switch name {
        case "flipBits":
            guard !b.isEmpty else { return [rng.byte()] }
            for _ in 0..<rng.int(1...8) { b[rng.below(b.count)] ^= 1 << UInt8(rng.below(8)) }
        case "insertBytes":
            for _ in 0..<rng.int(1...4) {
                let byte = rng.chance(0.5) ? rng.pick(Self.interestingBytes) : rng.byte()
                b.insert(byte, at: rng.below(b.count + 1))
            }
        case "deleteBytes":
            guard !b.isEmpty else { return b }
            let start = rng.below(b.count)
            b.removeSubrange(start..<min(b.count, start + rng.int(1...16)))
        case "truncate":
            b = Array(b.prefix(rng.below(b.count + 1)))
        case "duplicateRange":
            guard !b.isEmpty else { return b }
            let start = rng.below(b.count)
            let slice = b[start..<min(b.count, start + rng.int(1...64))]
            b.insert(contentsOf: slice, at: rng.below(b.count + 1))
        case "splice":
            b = Array(b.prefix(rng.below(b.count + 1))) + Array(other.suffix(rng.below(other.count + 1)))
        case "numberText":
            let runs = Self.numberRuns(b)
            let text = Array(rng.pick(Self.numberTexts).utf8)
            if let run = runs.isEmpty ? nil : rng.pick(runs) {
                b.replaceSubrange(run, with: text)
            } else {
                b.insert(contentsOf: text, at: rng.below(b.count + 1))
            }
        case "invalidUTF8":
            b.insert(contentsOf: rng.pick(Self.invalidUTF8), at: insideString(b, &rng))
        case "escape":
            b.insert(contentsOf: Array(rng.pick(Self.escapes).utf8), at: insideString(b, &rng))
        case "controlChar":
            let control = rng.chance(0.3) ? 0 : UInt8(rng.pick(Array(1...9) + Array(11...31) + [127]))
            b.insert(control, at: rng.chance(0.7) ? insideString(b, &rng) : rng.below(b.count + 1))
        case "deepNestText":
            let depth = rng.pick([64, 65, 1000, 10_000, 40_000])
            let open: [UInt8] = rng.chance(0.5) ? Array("[".utf8) : Array("{\"a\":".utf8)
            var nest: [UInt8] = []
            for _ in 0..<depth { nest += open }
            if rng.chance(0.5) {
                nest += Array("1".utf8)
                for _ in 0..<depth { nest.append(open.count == 1 ? UInt8(ascii: "]") : UInt8(ascii: "}")) }
            }
            b.insert(contentsOf: nest, at: afterColon(b, &rng))
        case "duplicateKey":
            let key = rng.pick(["\"op\":\"ping\",", "\"id\":1,", "\"order\":\"A-1\",", "\"events\":[],", "\"id\":\"dup\","])
            let at = b.first == UInt8(ascii: "{") ? 1 : 0
            b.insert(contentsOf: Array(key.utf8), at: min(at, b.count))
        case "whitespace":
            if rng.chance(0.2) {
                b.insert(contentsOf: [0xEF, 0xBB, 0xBF], at: 0)
            } else {
                for _ in 0..<rng.int(1...6) { b.insert(rng.pick(Array(" \t\r".utf8)), at: rng.below(b.count + 1)) }
            }
        default:  // trailingGarbage
            b += Array(rng.pick(["}", ",", "]", " trailing", "{}", "\r", "\r\r", "\u{0}"]).utf8)
        }
        return b
    }

    /// Ranges of digits (with sign, point and exponent) in `bytes`.
    static func numberRuns(_ bytes: [UInt8]) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") {
                let start = i
                while i < bytes.count, (bytes[i] >= 0x30 && bytes[i] <= 0x39) || Array("-+.eE".utf8).contains(bytes[i]) { i += 1 }
                // Only numbers outside strings: the byte before is ':' '[' or ','.
                if start > 0, [UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: ",")].contains(bytes[start - 1]) {
                    runs.append(start..<i)
                }
            } else {
                i += 1
            }
        }
        return runs
    }

    /// A position just after an opening quote (inside some string), or anywhere.
    func insideString(_ b: [UInt8], _ rng: inout FuzzRandom) -> Int {
        let quotes = b.indices.filter { b[$0] == UInt8(ascii: "\"") }
        return quotes.isEmpty ? rng.below(b.count + 1) : rng.pick(quotes) + 1
    }

    /// A position just after a ':' (where a value starts), or anywhere.
    func afterColon(_ b: [UInt8], _ rng: inout FuzzRandom) -> Int {
        let colons = b.indices.filter { b[$0] == UInt8(ascii: ":") }
        return colons.isEmpty ? rng.below(b.count + 1) : rng.pick(colons) + 1
    }

    /// Keeps a frame a frame: no `\n` inside, at most `maxFrameBytes` long.
    func sanitized(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes.count > maxFrameBytes ? Array(bytes.prefix(maxFrameBytes)) : bytes
        for i in b.indices where b[i] == UInt8(ascii: "\n") { b[i] = UInt8(ascii: " ") }
        return b
    }
}

/// `count` random printable ASCII characters.
func randomASCII(_ rng: inout FuzzRandom, count: Int) -> String {
    String(decoding: (0..<count).map { _ in UInt8(rng.int(0x20...0x7E)) }, as: UTF8.self)
}
