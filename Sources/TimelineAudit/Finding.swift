import TimelineModel

/// One thing the audit found wrong, with where it is and a sentence saying what.
///
/// Codes are stable (auditors' scripts match on them); see docs/AUDIT.md.
public struct Finding: Sendable, Hashable, CustomStringConvertible {
    /// A stable finding code. New codes may be added; existing ones never change.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Positions skip: one or more events are missing from the log.
        public static let positionGap = Code(rawValue: "position_gap")
        /// A position appears twice.
        public static let positionRepeat = Code(rawValue: "position_repeat")
        /// An event is stored after an event with a higher position (e.g. two events swapped).
        public static let positionOutOfOrder = Code(rawValue: "position_out_of_order")
        /// A log key does not match the position its record carries.
        public static let positionMismatch = Code(rawValue: "position_mismatch")
        /// An order's revisions skip.
        public static let revisionGap = Code(rawValue: "revision_gap")
        /// An order's revision appears twice or goes back.
        public static let revisionRepeat = Code(rawValue: "revision_repeat")
        /// `recordedAt` is earlier than the previous position's.
        public static let recordedAtBackwards = Code(rawValue: "recorded_at_backwards")
        /// `dataHash` is not SHA-256 of canonical(data).
        public static let dataHashMismatch = Code(rawValue: "data_hash_mismatch")
        /// `hash` is not SHA-256 of canonical(event without hash and data).
        public static let hashMismatch = Code(rawValue: "hash_mismatch")
        /// `prevHash` is not the previous position's `hash` (64 zeros for position 1).
        public static let prevHashMismatch = Code(rawValue: "prev_hash_mismatch")
        /// The event is illegal under the catalog at its point in the replay.
        public static let illegalEvent = Code(rawValue: "illegal_event")
        /// Evidence whose blob is not stored.
        public static let blobMissing = Code(rawValue: "blob_missing")
        /// A stored blob whose bytes do not hash to its SHA-256 (or do not have the recorded size).
        public static let blobHashMismatch = Code(rawValue: "blob_hash_mismatch")
        /// A stored order view that differs from the one rebuilt from the log.
        public static let viewMismatch = Code(rawValue: "view_mismatch")
        /// Stored participant figures that differ from the ones rebuilt from the log.
        public static let figuresMismatch = Code(rawValue: "figures_mismatch")
        /// An index entry (orderEvents, eventIds, byState, byParticipant, disputeQueue) that disagrees with the log.
        public static let indexMismatch = Code(rawValue: "index_mismatch")
        /// The checkpoint's position, hash or time does not match the log.
        public static let checkpointMismatch = Code(rawValue: "checkpoint_mismatch")
        /// A stored Merkle node, or a checkpoint's `rootHash`, that differs from the tree rebuilt from the log.
        public static let merkleMismatch = Code(rawValue: "merkle_mismatch")
        /// The checkpoint's signature or key id does not verify.
        public static let checkpointSignatureInvalid = Code(rawValue: "checkpoint_signature_invalid")
        /// A record that is not valid JSON or lacks required fields.
        public static let unreadableRecord = Code(rawValue: "unreadable_record")
        /// The `meta` head disagrees with the last record of the log.
        public static let headMismatch = Code(rawValue: "head_mismatch")
        /// A readable record that breaks PROTOCOL.md's recorded-event form: an unknown or
        /// `null` field, a `recordedAt` not in the daemon's form, moderation on the wrong
        /// type, an id that breaks its rule.
        public static let malformedRecord = Code(rawValue: "malformed_record")

        /// An event without `data` that no later `redaction.applied` names: its data was removed some other way.
        public static let dataMissing = Code(rawValue: "data_missing")
        /// A `redaction.applied` target that does not match the event at its position
        /// (eventId, hashes or header), names a type that is not redactable, a later
        /// position, or a position another redaction already named.
        public static let redactionMismatch = Code(rawValue: "redaction_mismatch")
        /// A `redaction.applied` target that still holds its data.
        public static let redactionIncomplete = Code(rawValue: "redaction_incomplete")
        /// A stored blob that no event with data names (a redaction that left its blob behind).
        public static let blobUnreferenced = Code(rawValue: "blob_unreferenced")

        /// Every code, in documentation order.
        public static let all: [Code] = [
            .positionGap, .positionRepeat, .positionOutOfOrder, .positionMismatch, .revisionGap, .revisionRepeat,
            .recordedAtBackwards, .dataHashMismatch, .hashMismatch, .prevHashMismatch, .illegalEvent, .blobMissing,
            .blobHashMismatch, .viewMismatch, .figuresMismatch, .indexMismatch, .checkpointMismatch, .checkpointSignatureInvalid,
            .merkleMismatch,
            .unreadableRecord, .headMismatch, .malformedRecord, .dataMissing, .redactionMismatch, .redactionIncomplete,
            .blobUnreferenced,
        ]
    }

    public var code: Code
    /// The global position concerned, when there is one.
    public var position: UInt64?
    /// The order concerned, when known.
    public var order: String?
    /// The order revision concerned, when known.
    public var revision: UInt64?
    /// One sentence: what is wrong.
    public var message: String

    public init(_ code: Code, position: UInt64? = nil, order: String? = nil, revision: UInt64? = nil, _ message: String) {
        self.code = code
        self.position = position
        self.order = order
        self.revision = revision
        self.message = message
    }

    /// The JSON form used by `--json` reports.
    public var json: JSONValue {
        var o: [String: JSONValue] = ["code": .string(code.rawValue), "message": .string(message)]
        o["position"] = position.map { .int(Int64($0)) } ?? .null
        o["order"] = order.map { .string($0) } ?? .null
        o["revision"] = revision.map { .int(Int64($0)) } ?? .null
        return .object(o)
    }

    public var description: String {
        var where_: [String] = []
        if let position { where_.append("position \(position)") }
        if let order { where_.append("order \(order)") }
        if let revision { where_.append("revision \(revision)") }
        return "\(code.rawValue) [\(where_.joined(separator: ", "))]: \(message)"
    }
}
