import TimelineModel

/// One `append` (or `evidence.put`, or a daemon event): events for one order,
/// recorded all together or not at all.
public struct AppendRequest: Sendable {
    public var order: String
    public var events: [EventInput]
    /// The order's current last revision, `-1` for "must not exist", `nil` for no check.
    public var expectedRevision: Int64?
    public var origin: AppendOrigin
    /// Evidence bytes stored with the events, content-addressed by SHA-256.
    public var blobs: [EvidenceBlob]
    /// One per event when ``TimelineStore/prepare(_:)`` ran; empty otherwise.
    public var prepared: [PreparedEvent] = []
    /// Set for `admin.redact`: the request then has no events; the commit appends
    /// `redaction.applied` and removes the targets' data (``RedactionRequest``).
    public var redaction: RedactionRequest?

    /// A request to append `events` to `order`.
    public init(order: String, events: [EventInput], expectedRevision: Int64? = nil, origin: AppendOrigin = .client, blobs: [EvidenceBlob] = []) {
        self.order = order
        self.events = events
        self.expectedRevision = expectedRevision
        self.origin = origin
        self.blobs = blobs
    }
}

/// What `admin.redact` asks: remove the `data` of the events at `positions`
/// of one order (and their evidence blobs), recording why and for whom.
public struct RedactionRequest: Sendable {
    public var positions: [UInt64]
    public var reason: String
    public var requestedBy: String

    /// A redaction of `positions`.
    public init(positions: [UInt64], reason: String, requestedBy: String) {
        self.positions = positions
        self.reason = reason
        self.requestedBy = requestedBy
    }
}

extension AppendRequest {
    /// The request of `admin.redact`: `redaction.applied` on `order` for `redaction`'s targets.
    public static func redact(order: String, _ redaction: RedactionRequest) -> AppendRequest {
        var request = AppendRequest(order: order, events: [], origin: .daemon)
        request.redaction = redaction
        return request
    }
}

/// What a redaction removed.
public struct RedactionOutcome: Sendable, Hashable {
    /// Events that lost their data.
    public var redacted: Int
    /// Evidence blobs deleted (a blob another, not redacted event names stays).
    public var blobsDeleted: Int

    /// What a redaction removed.
    public init(redacted: Int, blobsDeleted: Int) {
        self.redacted = redacted
        self.blobsDeleted = blobsDeleted
    }
}

/// What happened to one event of a successful request.
public struct AppendedEvent: Sendable, Hashable {
    /// `recorded` now, or `duplicate` of an earlier identical append.
    public enum Status: String, Sendable { case recorded, duplicate }
    public var eventId: String
    public var position: UInt64
    public var revision: UInt64
    public var status: Status
    public var moderation: ModerationVerdict?
}

/// The reply to a successful request.
public struct AppendOutcome: Sendable {
    public var order: String
    /// The order's last revision after this request (daemon events included).
    public var lastRevision: UInt64
    /// One entry per requested event, in request order.
    public var events: [AppendedEvent]
    /// Every record this request wrote, daemon events included, in position order
    /// (empty for a duplicate): what subscribers are sent.
    public var records: [RecordedEvent]
    /// The stored bytes of `records`, same order: what is sent to subscribers.
    public var encodedRecords: [[UInt8]]
    /// For a redaction: what it removed.
    public var redaction: RedactionOutcome? = nil
}
