#if canImport(Glibc)
import Glibc
#endif

/// Reads a stored record that is already in canonical form (as the daemon
/// writes it) without building a JSON tree for its envelope: the fast path of
/// the rebuild and of the audit's replay.
///
/// Sound because canonical form is unique: when the bytes are canonical, the
/// `data` member's bytes are canonical(data), and the record's bytes with the
/// `data` and `hash` members cut out are canonical(record without them) — exactly
/// what DOMAIN.md hashes. Anything unusual (whitespace, unsorted keys, escapes in
/// the envelope, fractional numbers, non-ASCII ids) returns `nil`, and the caller
/// takes the general path, ``RecordedEvent/init(bytes:)``.
public enum CanonicalRecordReader {
    /// One top-level member: the key (without quotes) and its value's bytes.
    public struct Member: Sendable {
        public var key: Range<Int>
        public var value: Range<Int>
        /// From the key's opening quote to the value's end: what a canonical member is.
        public var whole: Range<Int> { (key.lowerBound - 1)..<value.upperBound }
    }

    /// A record read on the fast path, with where its hashed members lie.
    ///
    /// The record's `dataHash`, `prevHash` and `hash` strings are left empty
    /// (building them costs more than the rest of a record); the members give their bytes.
    public struct Read {
        public var record: RecordedEvent
        public var data: Member
        public var dataHash: Member
        public var hash: Member
        public var prevHash: Member
        public var recordedAt: Member
        /// Top-level members that are not fields of a recorded event (hashed like the others).
        public var unknownMembers: Int
        /// `recordedAt` is in the daemon's form, `"YYYY-MM-DDTHH:MM:SS.ffffffZ"` (PROTOCOL.md).
        public var recordedAtInDaemonForm: Bool
    }

    /// The raw value of the ``RecordField`` whose key is at `key` (searched from
    /// `start`), or nil for a key a recorded event does not have.
    static func memberIndex(_ b: UnsafeBufferPointer<UInt8>, _ key: Range<Int>, from start: Int) -> Int? {
        // Canonical keys ascend, so a known key is never before the previous one found.
        let names = RecordField.utf8Names
        outer: for i in start..<names.count {
            let name = names[i]
            guard name.count == key.count else { continue }
            for k in 0..<key.count where b[key.lowerBound + k] != name[k] { continue outer }
            return i
        }
        return nil
    }

    /// The record in `b`, or `nil` when `b` is not provably canonical.
    public static func read(_ b: UnsafeBufferPointer<UInt8>) -> Read? {
        // The validator files each member under its name as it finds it (one pass:
        // both lists are in code-point order), into room on the stack.
        return withUnsafeTemporaryAllocation(of: Member?.self, capacity: RecordField.allCases.count) { found in
            found.initialize(repeating: nil)
            var filed = FiledMembers(b: b, found: found)
            guard Validator(b: b).topLevel(into: &filed) else { return nil }
            return read(b, found: UnsafeBufferPointer(found), unknownMembers: filed.unknown)
        }
    }

    /// Files top-level members by their ``RecordField`` raw value; counts the others.
    private struct FiledMembers: MemberSink {
        let b: UnsafeBufferPointer<UInt8>
        let found: UnsafeMutableBufferPointer<Member?>
        var unknown = 0
        var next = 0

        mutating func take(_ member: Member) {
            guard let i = memberIndex(b, member.key, from: next) else { unknown += 1; return }
            found[i] = member
            next = i + 1
        }
    }

    /// The record from its members, filed by their ``RecordField`` raw value.
    private static func read(_ b: UnsafeBufferPointer<UInt8>, found: UnsafeBufferPointer<Member?>, unknownMembers: Int) -> Read? {
        func member(_ field: RecordField) -> Member? { found[field.rawValue] }
        guard let actorM = member(.actor), let dataM = member(.data), let dataHashM = member(.dataHash),
              let eventIdM = member(.eventId), let hashM = member(.hash), let orderM = member(.order),
              let positionM = member(.position), let prevHashM = member(.prevHash), let recordedAtM = member(.recordedAt),
              let revisionM = member(.revision), let typeM = member(.type)
        else { return nil }
        guard let position = integer(b, positionM.value), let revision = integer(b, revisionM.value),
              let order = plainString(b, orderM.value), let eventId = plainString(b, eventIdM.value),
              let type = plainString(b, typeM.value), let (recordedAt, daemonForm) = time(b, recordedAtM.value),
              dataHashM.value.count == 66, prevHashM.value.count == 66, hashM.value.count == 66
        else { return nil }
        var occurredAt: String?
        if let m = member(.occurredAt) {
            guard let s = plainString(b, m.value) else { return nil }
            occurredAt = s
        }
        guard let actor = actor(b, actorM.value), let data = CanonicalValue.parse(b, dataM.value), case .object = data else { return nil }
        var moderation: ModerationVerdict?
        if let m = member(.moderation) {
            guard let verdict = moderationVerdict(b, m.value) else { return nil }
            moderation = verdict
        }
        return Read(
            record: RecordedEvent(
                position: position, order: order, revision: revision, eventId: eventId, type: type,
                actor: actor, recordedAt: recordedAt, occurredAt: occurredAt, data: data,
                moderation: moderation
            ),
            data: dataM, dataHash: dataHashM, hash: hashM, prevHash: prevHashM,
            recordedAt: recordedAtM, unknownMembers: unknownMembers, recordedAtInDaemonForm: daemonForm
        )
    }

    /// `{"id":"…","role":"…"}` in canonical form; anything else goes to the JSON parser.
    static func actor(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Actor? {
        let idKey: StaticString = "{\"id\":"
        if r.count > idKey.utf8CodeUnitCount, startsWith(b, r.lowerBound, idKey),
           let idEnd = stringEnd(b, r.lowerBound + idKey.utf8CodeUnitCount),
           let id = plainString(b, (r.lowerBound + idKey.utf8CodeUnitCount)..<idEnd),
           startsWith(b, idEnd, ",\"role\":"), b[r.upperBound - 1] == UInt8(ascii: "}"),
           let actorRole = role(b, (idEnd + 8)..<(r.upperBound - 1)) {
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
           let verdict = verdictKind(b, (r.lowerBound + empty.utf8CodeUnitCount)..<(r.upperBound - 1)) {
            return ModerationVerdict(verdict: verdict, rules: [])
        }
        guard let value = try? JSONParser.parse(buffer: slice(b, r)),
              let kind = value["verdict"]?.stringValue.flatMap(ModerationVerdictKind.init(rawValue:)),
              let rules = value["rules"]?.arrayValue?.compactMap({ $0.stringValue })
        else { return nil }
        return ModerationVerdict(verdict: kind, rules: rules)
    }

    /// The role a quoted string value at `r` names (compared as bytes: no string is made).
    static func role(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> ActorRole? {
        if isQuoted(b, r, "buyer") { return .buyer }
        if isQuoted(b, r, "seller") { return .seller }
        if isQuoted(b, r, "support") { return .support }
        if isQuoted(b, r, "system") { return .system }
        return nil
    }

    /// The verdict a quoted string value at `r` names (compared as bytes).
    static func verdictKind(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> ModerationVerdictKind? {
        if isQuoted(b, r, "delivered") { return .delivered }
        if isQuoted(b, r, "flagged") { return .flagged }
        if isQuoted(b, r, "filtered") { return .filtered }
        if isQuoted(b, r, "hidden") { return .hidden }
        return nil
    }

    /// Whether the bytes at `r` are exactly `"text"`, quotes included.
    static func isQuoted(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, _ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard r.count == n + 2, b[r.lowerBound] == 0x22, b[r.upperBound - 1] == 0x22 else { return false }
        for k in 0..<n where b[r.lowerBound + 1 + k] != text.utf8Start[k] { return false }
        return true
    }

    /// `"YYYY-MM-DDTHH:MM:SS.ffffffZ"`, the daemon's form; others via ``Timestamp/init(rfc3339:)``.
    /// Also says whether the text was in the daemon's form.
    static func time(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> (Timestamp, daemonForm: Bool)? {
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
                let days = Timestamp.days(fromCivil: y, mo, d)
                let t = Timestamp(microseconds: ((days * 86_400 + h * 3600 + mi * 60 + sec) * 1_000_000) + us)
                // Day-of-month beyond the month's length: let the general parser decide.
                if d <= 28 { return (t, true) }
            }
        }
        guard let text = plainString(b, r), let t = Timestamp(rfc3339: text) else { return nil }
        return (t, isDaemonTimeForm(text))
    }

    /// Whether `text` is a time in the daemon's form, `YYYY-MM-DDTHH:MM:SS.ffffffZ`
    /// (PROTOCOL.md: "always 6 fractional digits and Z").
    public static func isDaemonTimeForm(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count == 27 else { return false }
        for i in 0..<27 {
            let c = text[i]
            switch i {
            case 4, 7: if c != UInt8(ascii: "-") { return false }
            case 10: if c != UInt8(ascii: "T") { return false }
            case 13, 16: if c != UInt8(ascii: ":") { return false }
            case 19: if c != UInt8(ascii: ".") { return false }
            case 26: if c != UInt8(ascii: "Z") { return false }
            default: if c < 48 || c > 57 { return false }
            }
        }
        return true
    }

    /// ``isDaemonTimeForm(_:)`` of a string's UTF-8.
    public static func isDaemonTimeForm(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { isDaemonTimeForm($0) }
    }

    static func startsWith(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ prefix: StaticString) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard at + n <= b.count, let base = b.baseAddress else { return false }
        return memcmp(base + at, prefix.utf8Start, n) == 0
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

    public static func slice(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> UnsafeBufferPointer<UInt8> {
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

}
