import TimelineModel
import TimelineStore

/// The order view as it stood at a position or a time.
public enum OrderReplay {
    /// Where to stop: after a global position, or after the last event recorded at or before a time.
    public enum Point: Sendable {
        case position(UInt64)
        case time(Timestamp)

        /// Parses `POSITION` (digits) or an RFC 3339 time.
        public init?(_ text: String) {
            if let p = UInt64(text) { self = .position(p) } else if let t = Timestamp(rfc3339: text) { self = .time(t) } else { return nil }
        }
    }

    /// The state folded from `events` (revision order) up to `point`; `nil` if the order did not exist yet.
    public static func state(events: [RecordedEvent], at point: Point) -> OrderState? {
        Catalog.fold(events.filter { e in
            switch point {
            case .position(let p): return e.position <= p
            case .time(let t): return e.recordedAt <= t
            }
        })
    }
}
