/// The one error type of OrderTimeline: a stable ``Code`` that maps 1:1 to
/// PROTOCOL.md's error codes, a sentence a person can act on, and details.
///
/// ```swift
/// throw TimelineError(.invalidTransition, "delivery can be confirmed only when no dispute is open",
///                     details: ["index": 0, "state": "delivered"])
/// ```
public struct TimelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A wire error code. New codes may be added; existing ones never change.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let badRequest = Code(rawValue: "bad_request")
        public static let unknownOp = Code(rawValue: "unknown_op")
        public static let frameTooLarge = Code(rawValue: "frame_too_large")
        public static let unauthorized = Code(rawValue: "unauthorized")
        public static let notFound = Code(rawValue: "not_found")
        public static let wrongExpectedRevision = Code(rawValue: "wrong_expected_revision")
        public static let invalidEvent = Code(rawValue: "invalid_event")
        public static let invalidTransition = Code(rawValue: "invalid_transition")
        public static let idempotencyConflict = Code(rawValue: "idempotency_conflict")
        public static let tooLarge = Code(rawValue: "too_large")
        public static let busy = Code(rawValue: "busy")
        public static let storageFull = Code(rawValue: "storage_full")
        public static let shuttingDown = Code(rawValue: "shutting_down")
        public static let `internal` = Code(rawValue: "internal")
        public static let subscriberTooSlow = Code(rawValue: "subscriber_too_slow")
        public static let wrongShard = Code(rawValue: "wrong_shard")
    }

    /// The stable code.
    public var code: Code
    /// One sentence a person can act on.
    public var message: String
    /// Extra fields of the wire error object (`index`, `state`, `reason`, `limit`, …).
    public var details: [String: JSONValue]

    /// An error with `code`, `message` and optional `details`.
    public init(_ code: Code, _ message: String, details: [String: JSONValue] = [:]) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// The wire error object: `{"code", "message", …details}`.
    public var json: JSONValue {
        var o = details
        o["code"] = .string(code.rawValue)
        o["message"] = .string(message)
        return .object(o)
    }

    /// `invalid_event` for event `index`, naming the offending `field`.
    public static func invalidEvent(_ message: String, index: Int, field: String? = nil) -> TimelineError {
        var details: [String: JSONValue] = ["index": .int(Int64(index))]
        if let field { details["field"] = .string(field) }
        return TimelineError(.invalidEvent, message, details: details)
    }

    /// `invalid_transition` for event `index` in `state` with a human `reason`.
    public static func invalidTransition(_ reason: String, index: Int, state: String) -> TimelineError {
        TimelineError(
            .invalidTransition, reason,
            details: ["index": .int(Int64(index)), "state": .string(state), "reason": .string(reason)]
        )
    }
}
