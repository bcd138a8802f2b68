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
    public var blobs: [[UInt8]]
    /// One per event when ``TimelineStore/prepare(_:)`` ran; empty otherwise.
    public var prepared: [PreparedEvent] = []

    /// A request to append `events` to `order`.
    public init(order: String, events: [EventInput], expectedRevision: Int64? = nil, origin: AppendOrigin = .client, blobs: [[UInt8]] = []) {
        self.order = order
        self.events = events
        self.expectedRevision = expectedRevision
        self.origin = origin
        self.blobs = blobs
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
}
