import TimelineModel

extension ChainReplay {
    /// A decoded record with the verdicts of its own hashes (they do not depend on its neighbours).
    ///
    /// On the fast path the record's `dataHash`, `prevHash` and `hash` strings are
    /// left empty (building them costs more than the rest of a record): use
    /// ``hash`` and ``prevHash``, nil when the stored text is not 64 lower-case hex digits.
    struct Item: Sendable, InPlace {
        var record: RecordedEvent
        var hashes: HashCheck
        var hash: Digest32?
        var prevHash: Digest32?
        /// What of PROTOCOL.md's recorded-event form the stored text breaks (fields
        /// it does not know, `null` members, a `recordedAt` not in the daemon's form,
        /// a bad eventId or `occurredAt`, a moderation verdict on the wrong type).
        /// The order id is checked once per order, by the replay.
        var formProblems: [String]
        /// ``FNV1a`` of the eventId, to compare with the eventId index.
        var idHash: UInt64

        /// The general path: the parsed record and its JSON.
        init(record: RecordedEvent, hashes: HashCheck, json: JSONValue) {
            var problems: [String] = []
            if case .object(let members) = json {
                let unknown = members.keys.filter { RecordField(name: $0) == nil }.sorted()
                if !unknown.isEmpty { problems.append("fields a recorded event does not have (\(unknown.joined(separator: ", ")))") }
                let nulls = members.filter { $0.value.isNull }.keys.sorted()
                if !nulls.isEmpty { problems.append("null fields (\(nulls.joined(separator: ", "))) where absent ones are omitted") }
                if let time = members["recordedAt"]?.stringValue, !CanonicalRecordReader.isDaemonTimeForm(time) {
                    problems.append("recordedAt \(time) not in the daemon's form (6 fractional digits and Z)")
                }
            }
            self.init(record: record, hashes: hashes, hash: Digest32(hex: record.hash), prevHash: Digest32(hex: record.prevHash), formProblems: problems)
        }

        /// The fast path: verdicts and digests computed from the stored bytes.
        init(record: RecordedEvent, hashes: HashCheck, hash: Digest32?, prevHash: Digest32?, formProblems: [String] = []) {
            var problems = formProblems
            // Computed before the record is stored: a mutating check on `self` here made
            // the optimizer copy the whole item once more.
            idHash = Self.inspect(record, into: &problems)
            self.record = record
            self.hashes = hashes
            self.hash = hash
            self.prevHash = prevHash
            self.formProblems = problems
        }

        /// The checks of the record on its own, beside its hashes; returns the eventId's
        /// ``FNV1a``. (Its shape in the catalog is checked by the replay: the
        /// catalog's shared rules would make the cores fight over their reference counts.)
        static func inspect(_ record: borrowing RecordedEvent, into problems: inout [String]) -> UInt64 {
            // (Compared through the verdict kind: `!= nil` on the whole verdict would copy it.)
            let moderated = record.moderation?.verdict != nil
            if (record.type == "chat.message") != moderated {
                problems.append(!moderated ? "a chat.message without its moderation verdict" : "a moderation verdict on a \(record.type)")
            }
            var eventId = record.eventId
            let (validId, idHash) = eventId.withUTF8 { (Identifiers.isValidEventId(utf8: $0), FNV1a.hash($0)) }
            if !validId { problems.append("eventId \"\(record.eventId.prefix(140))\" breaks the eventId rule") }
            if let occurredAt = record.occurredAt, Timestamp(rfc3339: occurredAt) == nil {
                problems.append("occurredAt \"\(occurredAt.prefix(64))\" is not an RFC 3339 time (append refuses such a value)")
            }
            return idHash
        }
    }

    /// Whether `dataHash` and `hash` match the record as stored. The hash input is
    /// canonical(every stored member but `hash` and `data`), unknown members included.
    struct HashCheck: Sendable {
        var dataHashOK: Bool
        var hashOK: Bool

        /// Verdicts computed elsewhere (the fast path).
        init(dataHashOK: Bool, hashOK: Bool) {
            self.dataHashOK = dataHashOK
            self.hashOK = hashOK
        }

        /// The keys of the members `hash` covers (``RecordField/isHashed``), in code-point order.
        static let hashedKeys = RecordField.allCases.filter(\.isHashed).map(\.name)

        /// The general path: re-encodes the parsed record canonically and hashes that.
        init(_ value: JSONValue, _ record: RecordedEvent) {
            // A redacted event has no data to hash: the redaction checks judge it instead.
            dataHashOK = record.isRedacted || Hashing.sha256Hex(CanonicalJSON.encode(record.data)) == record.dataHash
            guard case .object(let members) = value else { hashOK = false; return }
            var out: [UInt8] = []
            out.reserveCapacity(512)
            out.append(UInt8(ascii: "{"))
            var written = 0
            for key in Self.hashedKeys {
                guard let member = members[key] else { continue }
                if written > 0 { out.append(UInt8(ascii: ",")) }
                CanonicalJSON.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                CanonicalJSON.write(member, into: &out)
                written += 1
            }
            out.append(UInt8(ascii: "}"))
            let unhashed = RecordField.allCases.filter { !$0.isHashed }.map(\.name)
            if written + unhashed.filter({ members[$0] != nil }).count != members.count {
                // Members the format does not know: hash them too, the general (sorting) way.
                var rest = members
                for key in unhashed { rest.removeValue(forKey: key) }
                out = CanonicalJSON.encode(.object(rest))
            }
            hashOK = Hashing.sha256Hex(out) == record.hash
        }
    }
}

/// A SHA-256 digest as four words, so the chain is compared without building strings.
struct Digest32: Hashable, Sendable {
    var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    /// 64 zeros: the `prevHash` of position 1.
    static let zero = Digest32(w0: 0, w1: 0, w2: 0, w3: 0)

    /// The 32 raw bytes, in the order the hex spells them.
    var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: w0.bigEndian, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: w1.bigEndian, toByteOffset: 8, as: UInt64.self)
            raw.storeBytes(of: w2.bigEndian, toByteOffset: 16, as: UInt64.self)
            raw.storeBytes(of: w3.bigEndian, toByteOffset: 24, as: UInt64.self)
        }
        return out
    }

    init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        (self.w0, self.w1, self.w2, self.w3) = (w0, w1, w2, w3)
    }

    /// From exactly 64 lower-case hex digits; nil for anything else.
    init?(hex b: UnsafeBufferPointer<UInt8>) {
        guard b.count == 64, let base = b.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        guard let h0 = Self.half(raw, 0), let l0 = Self.half(raw, 8), let h1 = Self.half(raw, 16), let l1 = Self.half(raw, 24),
              let h2 = Self.half(raw, 32), let l2 = Self.half(raw, 40), let h3 = Self.half(raw, 48), let l3 = Self.half(raw, 56)
        else { return nil }
        self.init(w0: h0 << 32 | l0, w1: h1 << 32 | l1, w2: h2 << 32 | l2, w3: h3 << 32 | l3)
    }

    /// The 4 bytes spelled by the 8 lower-case hex digits at `offset`, as a big-endian
    /// number; nil when one of them is something else. All eight at once, in one word.
    @inline(__always)
    private static func half(_ raw: UnsafeRawPointer, _ offset: Int) -> UInt64? {
        let highs: UInt64 = 0x8080_8080_8080_8080
        let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))  // first digit lowest
        guard x & highs == 0 else { return nil }
        // With every byte below 0x80, adding 0x80 - c to each never carries into the next
        // byte, and sets its high bit exactly when the byte is at least c.
        let digit = (x &+ 0x5050_5050_5050_5050) & ~(x &+ 0x4646_4646_4646_4646) & highs  // 0x30 ... 0x39
        let letter = (x &+ 0x1F1F_1F1F_1F1F_1F1F) & ~(x &+ 0x1919_1919_1919_1919) & highs  // 0x61 ... 0x66
        guard digit | letter == highs else { return nil }
        // '0'–'9' → 0–9 and 'a'–'f' → 10–15: the low four bits, plus 9 for letters.
        let nibbles = (x & 0x0F0F_0F0F_0F0F_0F0F) &+ (letter >> 7) &* 9
        // Pairs of nibbles to bytes, then the four bytes together (first digit pair lowest).
        let pairs = ((nibbles & 0x00FF_00FF_00FF_00FF) << 4) | ((nibbles >> 8) & 0x00FF_00FF_00FF_00FF)
        let packed = (pairs | pairs >> 8) & 0x0000_FFFF_0000_FFFF
        let bytes = UInt32(truncatingIfNeeded: packed | packed >> 16)
        return UInt64(bytes.byteSwapped)
    }

    init?(hex text: String) {
        var text = text
        guard let d = text.withUTF8({ Digest32(hex: $0) }) else { return nil }
        self = d
    }

    /// The 64 lower-case hex digits.
    var hex: String { Hashing.hex(bytes) }
}
