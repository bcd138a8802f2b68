#if canImport(Glibc)
import Glibc
#endif

/// Where the ``Validator`` hands the top-level members it finds.
protocol MemberSink {
    mutating func take(_ member: CanonicalRecordReader.Member)
}

/// Ignores members (those of nested objects).
struct NoMembers: MemberSink {
    mutating func take(_ member: CanonicalRecordReader.Member) {}
}

/// Checks that bytes are canonical JSON (no whitespace, keys strictly ascending,
/// minimal escapes, canonical integers) and finds the top-level members. Returns
/// nil for anything it cannot prove canonical; the general path then decides.
struct Validator {
    let b: UnsafeBufferPointer<UInt8>

    /// Validates the whole document, an object, handing its members to `sink` in order.
    func topLevel<Sink: MemberSink>(into sink: inout Sink) -> Bool {
        guard b.count >= 2, b[0] == UInt8(ascii: "{") else { return false }
        return object(0, depth: 0, sink: &sink) == b.count
    }

    /// Validates the object at `i`; hands its members to `sink` at the top level.
    func object<Sink: MemberSink>(_ i: Int, depth: Int, sink: inout Sink) -> Int? {
        var j = i + 1
        guard j < b.count else { return nil }
        if b[j] == UInt8(ascii: "}") { return j + 1 }
        var previous: Range<Int>?
        while true {
            guard j < b.count, b[j] == 0x22, let (keyEnd, escaped) = string(j), !escaped else { return nil }
            let key = (j + 1)..<(keyEnd - 1)
            if let previous, !ascending(previous, key) { return nil }
            previous = key
            j = keyEnd
            guard j < b.count, b[j] == UInt8(ascii: ":") else { return nil }
            let start = j + 1
            guard let end = value(start, depth: depth + 1) else { return nil }
            if depth == 0 { sink.take(.init(key: key, value: start..<end)) }
            j = end
            guard j < b.count else { return nil }
            if b[j] == UInt8(ascii: ",") { j += 1; continue }
            if b[j] == UInt8(ascii: "}") { return j + 1 }
            return nil
        }
    }

    /// Whether the bytes at `a` sort strictly before those at `b` (keys are short:
    /// an inline loop beats a call to `memcmp`).
    func ascending(_ a: Range<Int>, _ c: Range<Int>) -> Bool {
        let n = min(a.count, c.count)
        var k = 0
        while k < n {
            let x = b[a.lowerBound + k], y = b[c.lowerBound + k]
            if x != y { return x < y }
            k += 1
        }
        return a.count < c.count
    }

    func value(_ i: Int, depth: Int) -> Int? {
        guard i < b.count, depth < 64 else { return nil }
        switch b[i] {
        case UInt8(ascii: "{"):
            var nested = NoMembers()
            return object(i, depth: depth, sink: &nested)
        case UInt8(ascii: "["):
            var j = i + 1
            guard j < b.count else { return nil }
            if b[j] == UInt8(ascii: "]") { return j + 1 }
            while true {
                guard let end = value(j, depth: depth + 1), end < b.count else { return nil }
                if b[end] == UInt8(ascii: ",") { j = end + 1; continue }
                if b[end] == UInt8(ascii: "]") { return end + 1 }
                return nil
            }
        case 0x22: return string(i)?.end
        case UInt8(ascii: "t"): return literal(i, "true")
        case UInt8(ascii: "f"): return literal(i, "false")
        case UInt8(ascii: "n"): return literal(i, "null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return integer(i)
        default: return nil
        }
    }

    func literal(_ i: Int, _ text: StaticString) -> Int? {
        let n = text.utf8CodeUnitCount
        guard i + n <= b.count else { return nil }
        for k in 0..<n where b[i + k] != text.utf8Start[k] { return nil }
        return i + n
    }

    /// `-?(0|[1-9][0-9]*)` of at most 18 digits, not followed by a fraction or exponent.
    func integer(_ i: Int) -> Int? {
        var j = i
        if b[j] == UInt8(ascii: "-") { j += 1 }
        let digitsStart = j
        while j < b.count, b[j] >= 48, b[j] <= 57 { j += 1 }
        let digits = j - digitsStart
        guard digits >= 1, digits <= 18 else { return nil }
        if b[digitsStart] == 48 && (digits > 1 || digitsStart > i) { return nil }  // leading zero, or -0
        if j < b.count, b[j] == UInt8(ascii: ".") || b[j] == UInt8(ascii: "e") || b[j] == UInt8(ascii: "E") { return nil }
        return j
    }

    /// The end of the string at `i` and whether it holds escapes; escapes must be RFC 8785's minimal ones.
    func string(_ i: Int) -> (end: Int, escaped: Bool)? {
        var j = i + 1
        var escaped = false
        guard let base = b.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        let quotes = SIMD16<UInt8>(repeating: 0x22), backslashes = SIMD16<UInt8>(repeating: 0x5C), spaces = SIMD16<UInt8>(repeating: 0x20)
        while true {
            // Go to the next quote, backslash or control character: 16 bytes a step while 16 are left.
            if j + 16 <= b.count {
                let v = raw.loadUnaligned(fromByteOffset: j, as: SIMD16<UInt8>.self)
                // Lanes are 0x00 or 0xFF: as two words, the first set byte is the first special one.
                let lanes = unsafeBitCast((v .== quotes) .| (v .== backslashes) .| (v .< spaces), to: SIMD2<UInt64>.self)
                let low = UInt64(littleEndian: lanes[0]), high = UInt64(littleEndian: lanes[1])
                if low == 0 && high == 0 { j += 16; continue }
                j += low != 0 ? low.trailingZeroBitCount / 8 : 8 + high.trailingZeroBitCount / 8
            } else {
                while j < b.count, b[j] != 0x22, b[j] != 0x5C, b[j] >= 0x20 { j += 1 }
                guard j < b.count else { return nil }
            }
            let c = b[j]
            if c == 0x22 { return (j + 1, escaped) }
            guard c == 0x5C, j + 1 < b.count else { return nil }  // a control character, or a backslash at the end
            escaped = true
            switch b[j + 1] {
            case 0x22, 0x5C, UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                j += 2
            case UInt8(ascii: "u"):
                guard j + 5 < b.count, b[j + 2] == 48, b[j + 3] == 48 else { return nil }
                guard let hi = lowerHex(b[j + 4]), let lo = lowerHex(b[j + 5]) else { return nil }
                let scalar = hi << 4 | lo
                // RFC 8785 writes \b \t \n \f \r as such, and \u00XX only for the other control characters.
                guard scalar < 0x20, scalar != 8, scalar != 9, scalar != 10, scalar != 12, scalar != 13 else { return nil }
                j += 6
            default:
                return nil
            }
        }
    }

    func lowerHex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        default: return nil
        }
    }
}

/// Builds a ``JSONValue`` from bytes the ``Validator`` already proved canonical
/// (so: no whitespace, valid structure, integers only). Strings with escapes or
/// invalid UTF-8 go to ``JSONParser``.
enum CanonicalValue {
    static func parse(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> JSONValue? {
        var i = r.lowerBound
        guard let v = value(b, &i), i == r.upperBound else {
            return try? JSONParser.parse(buffer: UnsafeBufferPointer(rebasing: b[r]))
        }
        return v
    }

    static func value(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> JSONValue? {
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            if b[i] == UInt8(ascii: "}") { i += 1; return .object([:]) }
            return object(b, &i)
        case UInt8(ascii: "["):
            i += 1
            var elements: [JSONValue] = []
            if b[i] == UInt8(ascii: "]") { i += 1; return .array(elements) }
            while true {
                guard let v = value(b, &i) else { return nil }
                elements.append(v)
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                i += 1
                return .array(elements)
            }
        case 0x22:
            return string(b, &i).map { .string($0) }
        case UInt8(ascii: "t"): i += 4; return .bool(true)
        case UInt8(ascii: "f"): i += 5; return .bool(false)
        case UInt8(ascii: "n"): i += 4; return .null
        default:
            var negative = false
            if b[i] == UInt8(ascii: "-") { negative = true; i += 1 }
            var v: Int64 = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 { v = v * 10 + Int64(b[i] - 48); i += 1 }
            return .int(negative ? -v : v)
        }
    }

    /// Members gathered on the stack before the object's dictionary is made (more go straight in).
    static let gatheredMembers = 8

    /// The members of the non-empty object whose first key starts at `i`, or nil
    /// when two keys are the same string (the JSON parser then refuses the object).
    ///
    /// They are gathered first and the dictionary made for their number at once:
    /// `Dictionary(minimumCapacity:)` is an unspecialized call into the standard
    /// library that looks up the storage class's generic metadata on every call,
    /// and growing by insertion rehashes. Keys the validator proved strictly
    /// ascending as bytes can still be equal strings (`é` and `e` + U+0301 are
    /// canonically equivalent), so duplicates are looked for, never assumed away.
    static func object(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> JSONValue? {
        withUnsafeTemporaryAllocation(of: (String, JSONValue).self, capacity: gatheredMembers) { gathered in
            var count = 0  // gathered and not yet moved into `members`
            defer { gathered.baseAddress?.deinitialize(count: count) }
            var members: [String: JSONValue]?
            /// Moves the gathered members into a dictionary; false on a duplicate key.
            func make() -> Bool {
                var duplicate = false
                members = Dictionary(Moved(gathered, count: count)) { first, _ in duplicate = true; return first }
                count = 0
                return !duplicate
            }
            while true {
                guard let key = string(b, &i) else { return nil }
                i += 1  // ':'
                guard let v = value(b, &i) else { return nil }
                if members == nil, count < gathered.count {
                    gathered.initializeElement(at: count, to: (key, v))
                    count += 1
                } else {
                    if members == nil { guard make() else { return nil } }
                    guard members?.updateValue(v, forKey: key) == nil else { return nil }
                }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                i += 1  // '}'
                if members == nil { guard make() else { return nil } }
                return members.map { .object($0) }
            }
        }
    }

    /// Moves the first `count` elements out of a buffer, in order (nothing is copied or retained).
    struct Moved<Element>: Sequence, IteratorProtocol {
        let buffer: UnsafeMutableBufferPointer<Element>
        let count: Int
        var taken = 0

        init(_ buffer: UnsafeMutableBufferPointer<Element>, count: Int) {
            self.buffer = buffer
            self.count = count
        }

        var underestimatedCount: Int { count - taken }

        mutating func next() -> Element? {
            guard taken < count else { return nil }
            defer { taken += 1 }
            return buffer.moveElement(from: taken)
        }
    }

    static func string(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> String? {
        let start = i + 1
        var j = start
        var high = false
        while b[j] != 0x22 {
            if b[j] == 0x5C { return nil }
            if b[j] >= 0x80 { high = true }
            j += 1
        }
        let slice = UnsafeBufferPointer(rebasing: b[start..<j])
        i = j + 1
        if !high { return String(decoding: slice, as: UTF8.self) }
        return String(validating: slice, as: UTF8.self)
    }
}
