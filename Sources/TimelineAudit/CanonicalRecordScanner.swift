import Crypto
import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

/// The fast path of the replay: reads a stored record that is already in
/// canonical form (as the daemon writes it) without building a JSON tree for
/// its envelope, and checks `dataHash` and `hash` over the stored bytes.
///
/// Sound because canonical form is unique: when the bytes are canonical, the
/// `data` member's bytes are canonical(data), and the record's bytes with the
/// `data` and `hash` members cut out are canonical(record without them) — exactly
/// what DOMAIN.md hashes. Anything unusual (whitespace, unsorted keys, escapes in
/// the envelope, fractional numbers, non-ASCII ids) returns `nil`, and the caller
/// takes the general path: parse, decode, re-encode.
enum CanonicalRecordScanner {
    /// One top-level member: the key (without quotes) and its value's bytes.
    struct Member {
        var key: Range<Int>
        var value: Range<Int>
        /// From the key's opening quote to the value's end: what a canonical member is.
        var whole: Range<Int> { (key.lowerBound - 1)..<value.upperBound }
    }

    static func scan(_ b: UnsafeBufferPointer<UInt8>) -> ChainReplay.Item? {
        var v = Validator(b: b)
        guard let members = v.topLevel() else { return nil }
        func find(_ name: StaticString) -> Member? {
            let n = name.utf8CodeUnitCount
            let p = name.utf8Start
            outer: for m in members where m.key.count == n {
                for i in 0..<n where b[m.key.lowerBound + i] != p[i] { continue outer }
                return m
            }
            return nil
        }
        guard let actorM = find("actor"), let dataM = find("data"), let dataHashM = find("dataHash"),
              let eventIdM = find("eventId"), let hashM = find("hash"), let orderM = find("order"),
              let positionM = find("position"), let prevHashM = find("prevHash"), let recordedAtM = find("recordedAt"),
              let revisionM = find("revision"), let typeM = find("type")
        else { return nil }
        guard let position = integer(b, positionM.value), let revision = integer(b, revisionM.value),
              let order = plainString(b, orderM.value), let eventId = plainString(b, eventIdM.value),
              let type = plainString(b, typeM.value), let recordedAt = time(b, recordedAtM.value),
              let dataHash = plainString(b, dataHashM.value), let prevHash = plainString(b, prevHashM.value),
              let hash = plainString(b, hashM.value)
        else { return nil }
        var occurredAt: String?
        if let m = find("occurredAt") {
            guard let s = plainString(b, m.value) else { return nil }
            occurredAt = s
        }
        guard let actor = actor(b, actorM.value), let data = CanonicalValue.parse(b, dataM.value), data.objectValue != nil else { return nil }
        var moderation: ModerationVerdict?
        if let m = find("moderation") {
            guard let verdict = moderationVerdict(b, m.value) else { return nil }
            moderation = verdict
        }
        let record = RecordedEvent(
            position: position, order: order, revision: revision, eventId: eventId, type: type,
            actor: actor, recordedAt: recordedAt, occurredAt: occurredAt, data: data,
            moderation: moderation, dataHash: dataHash, prevHash: prevHash, hash: hash
        )
        // dataHash over the data member's bytes; hash over every other member but hash.
        var dataHasher = SHA256()
        dataHasher.update(bufferPointer: UnsafeRawBufferPointer(slice(b, dataM.value)))
        let dataDigest = dataHasher.finalize()
        var hasher = SHA256()
        // The separators are the record's own bytes: "{" at 0, "}" at the end, "," before each member.
        hasher.update(bufferPointer: UnsafeRawBufferPointer(slice(b, 0..<1)))
        var first = true
        for m in members where m.key != dataM.key && m.key != hashM.key {
            let from = first ? m.whole.lowerBound : m.whole.lowerBound - 1  // later members: with the comma before them
            hasher.update(bufferPointer: UnsafeRawBufferPointer(slice(b, from..<m.whole.upperBound)))
            first = false
        }
        hasher.update(bufferPointer: UnsafeRawBufferPointer(slice(b, (b.count - 1)..<b.count)))
        let hashDigest = hasher.finalize()
        return ChainReplay.Item(
            record: record,
            hashes: ChainReplay.HashCheck(
                dataHashOK: matches(dataDigest, b, dataHashM.value), hashOK: matches(hashDigest, b, hashM.value)
            )
        )
    }

    /// `{"id":"…","role":"…"}` in canonical form; anything else goes to the JSON parser.
    static func actor(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Actor? {
        let idKey: StaticString = "{\"id\":"
        if r.count > idKey.utf8CodeUnitCount, startsWith(b, r.lowerBound, idKey),
           let idEnd = stringEnd(b, r.lowerBound + idKey.utf8CodeUnitCount),
           let id = plainString(b, (r.lowerBound + idKey.utf8CodeUnitCount)..<idEnd),
           startsWith(b, idEnd, ",\"role\":"), let role = plainString(b, (idEnd + 8)..<(r.upperBound - 1)),
           b[r.upperBound - 1] == UInt8(ascii: "}"), let actorRole = ActorRole(rawValue: role) {
            return Actor(role: actorRole, id: id)
        }
        guard let value = try? JSONParser.parse(buffer: slice(b, r)),
              let role = value["role"]?.stringValue.flatMap(ActorRole.init(rawValue:)), let id = value["id"]?.stringValue
        else { return nil }
        return Actor(role: role, id: id)
    }

    /// `{"rules":[…],"verdict":"…"}`.
    static func moderationVerdict(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> ModerationVerdict? {
        let empty: StaticString = "{\"rules\":[],\"verdict\":"
        if startsWith(b, r.lowerBound, empty), b[r.upperBound - 1] == UInt8(ascii: "}"),
           let verdict = plainString(b, (r.lowerBound + empty.utf8CodeUnitCount)..<(r.upperBound - 1)).flatMap(ModerationVerdictKind.init(rawValue:)) {
            return ModerationVerdict(verdict: verdict, rules: [])
        }
        guard let value = try? JSONParser.parse(buffer: slice(b, r)),
              let kind = value["verdict"]?.stringValue.flatMap(ModerationVerdictKind.init(rawValue:)),
              let rules = value["rules"]?.arrayValue?.compactMap({ $0.stringValue })
        else { return nil }
        return ModerationVerdict(verdict: kind, rules: rules)
    }

    /// `"YYYY-MM-DDTHH:MM:SS.ffffffZ"`, the daemon's form; others via ``Timestamp/init(rfc3339:)``.
    static func time(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Timestamp? {
        let s = r.lowerBound + 1
        if r.count == 29, b[s + 4] == 45, b[s + 7] == 45, b[s + 10] == UInt8(ascii: "T"), b[s + 13] == 58, b[s + 16] == 58,
           b[s + 19] == 46, b[s + 26] == UInt8(ascii: "Z") {
            func num(_ from: Int, _ count: Int) -> Int64? {
                var v: Int64 = 0
                for i in (s + from)..<(s + from + count) {
                    let c = b[i]
                    guard c >= 48 && c <= 57 else { return nil }
                    v = v * 10 + Int64(c - 48)
                }
                return v
            }
            if let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
               let sec = num(17, 2), let us = num(20, 6), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, sec < 60 {
                // days from civil (Howard Hinnant)
                let yy = mo <= 2 ? y - 1 : y
                let era = (yy >= 0 ? yy : yy - 399) / 400
                let yoe = yy - era * 400
                let doy = (153 * ((mo + 9) % 12) + 2) / 5 + d - 1
                let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
                let days = era * 146_097 + doe - 719_468
                let t = Timestamp(microseconds: ((days * 86_400 + h * 3600 + mi * 60 + sec) * 1_000_000) + us)
                // Day-of-month beyond the month's length: let the general parser decide.
                if d <= 28 { return t }
            }
        }
        guard let text = plainString(b, r) else { return nil }
        return Timestamp(rfc3339: text)
    }

    static func startsWith(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ prefix: StaticString) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard at + n <= b.count else { return false }
        return memcmp(b.baseAddress! + at, prefix.utf8Start, n) == 0
    }

    /// The end (after the closing quote) of the string starting at `at`.
    static func stringEnd(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> Int? {
        guard at < b.count, b[at] == 0x22 else { return nil }
        var j = at + 1
        while j < b.count {
            if b[j] == 0x22 { return j + 1 }
            if b[j] == 0x5C { return nil }
            j += 1
        }
        return nil
    }

    static func slice(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: b[r])
    }

    /// A non-negative canonical integer that fits comfortably in Int64.
    static func integer(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> UInt64? {
        guard !r.isEmpty, r.count <= 18 else { return nil }
        var v: UInt64 = 0
        for i in r {
            let c = b[i]
            guard c >= 48 && c <= 57 else { return nil }
            v = v * 10 + UInt64(c - 48)
        }
        return v
    }

    /// A string value of printable ASCII without escapes, or nil.
    static func plainString(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> String? {
        guard r.count >= 2, b[r.lowerBound] == 0x22, b[r.upperBound - 1] == 0x22 else { return nil }
        let inner = (r.lowerBound + 1)..<(r.upperBound - 1)
        for i in inner where b[i] == 0x5C || b[i] >= 0x80 { return nil }
        return String(decoding: slice(b, inner), as: UTF8.self)
    }

    /// Whether the 32-byte `digest` is spelled by the lower-case hex string value at `r`.
    static func matches(_ digest: some Sequence<UInt8>, _ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        guard r.count == 66 else { return false }
        let hex: StaticString = "0123456789abcdef"
        let digits = hex.utf8Start
        var i = r.lowerBound + 1
        for byte in digest {
            if b[i] != digits[Int(byte >> 4)] || b[i + 1] != digits[Int(byte & 0xF)] { return false }
            i += 2
        }
        return true
    }
}

/// Checks that bytes are canonical JSON (no whitespace, keys strictly ascending,
/// minimal escapes, canonical integers) and finds the top-level members. Returns
/// nil for anything it cannot prove canonical; the general path then decides.
private struct Validator {
    let b: UnsafeBufferPointer<UInt8>

    mutating func topLevel() -> [CanonicalRecordScanner.Member]? {
        guard b.count >= 2, b[0] == UInt8(ascii: "{") else { return nil }
        var members: [CanonicalRecordScanner.Member] = []
        members.reserveCapacity(14)
        guard let end = object(0, depth: 0, members: &members), end == b.count else { return nil }
        return members
    }

    /// Validates the object at `i`; collects its members when asked (top level only).
    func object(_ i: Int, depth: Int, members: inout [CanonicalRecordScanner.Member]) -> Int? {
        var j = i + 1
        guard j < b.count else { return nil }
        if b[j] == UInt8(ascii: "}") { return j + 1 }
        var previous: Range<Int>?
        while true {
            guard j < b.count, b[j] == 0x22, let (keyEnd, escaped) = string(j), !escaped else { return nil }
            let key = (j + 1)..<(keyEnd - 1)
            if let previous {
                let n = min(previous.count, key.count)
                let c = memcmp(b.baseAddress! + previous.lowerBound, b.baseAddress! + key.lowerBound, n)
                if c > 0 || (c == 0 && previous.count >= key.count) { return nil }
            }
            previous = key
            j = keyEnd
            guard j < b.count, b[j] == UInt8(ascii: ":") else { return nil }
            let start = j + 1
            guard let end = value(start, depth: depth + 1) else { return nil }
            if depth == 0 { members.append(.init(key: key, value: start..<end)) }
            j = end
            guard j < b.count else { return nil }
            if b[j] == UInt8(ascii: ",") { j += 1; continue }
            if b[j] == UInt8(ascii: "}") { return j + 1 }
            return nil
        }
    }

    func value(_ i: Int, depth: Int) -> Int? {
        guard i < b.count, depth < 64 else { return nil }
        switch b[i] {
        case UInt8(ascii: "{"):
            var none: [CanonicalRecordScanner.Member] = []
            return object(i, depth: depth, members: &none)
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
        while j < b.count {
            let c = b[j]
            if c == 0x22 { return (j + 1, escaped) }
            if c < 0x20 { return nil }
            if c == 0x5C {
                escaped = true
                guard j + 1 < b.count else { return nil }
                switch b[j + 1] {
                case 0x22, 0x5C, UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    j += 2
                case UInt8(ascii: "u"):
                    guard j + 5 < b.count, b[j + 2] == 48, b[j + 3] == 48 else { return nil }
                    guard let hi = lowerHex(b[j + 4]), let lo = lowerHex(b[j + 5]) else { return nil }
                    let scalar = hi << 4 | lo
                    guard scalar < 0x20, ![8, 9, 10, 12, 13].contains(scalar) else { return nil }
                    j += 6
                default:
                    return nil
                }
                continue
            }
            j += 1
        }
        return nil
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
            var members: [String: JSONValue] = Dictionary(minimumCapacity: 4)
            if b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                guard let key = string(b, &i) else { return nil }
                i += 1  // ':'
                guard let v = value(b, &i) else { return nil }
                members[key] = v
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                i += 1  // '}'
                return .object(members)
            }
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
