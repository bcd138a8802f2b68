import Synchronization
import TimelineModel

/// One event the daemon acknowledged as recorded, where it said it put it.
struct AcknowledgedEvent: Sendable, Hashable {
    var order: String
    var eventId: String
    var position: Int
    var revision: Int

    /// The `recorded` entries of an append reply for `order`.
    static func all(in reply: JSONValue, order: String) -> [AcknowledgedEvent] {
        reply["events"]?.array.compactMap { e in
            guard e["status"] == "recorded", let id = e["eventId"]?.stringValue, let p = e["position"]?.int, let r = e["revision"]?.int else {
                return nil
            }
            return AcknowledgedEvent(order: order, eventId: id, position: p, revision: r)
        } ?? []
    }

    /// The same fields of a recorded event read back from the daemon.
    init(recorded e: JSONValue) {
        self.init(order: e["order"]?.stringValue ?? "", eventId: e["eventId"]?.stringValue ?? "", position: e["position"]?.int ?? -1, revision: e["revision"]?.int ?? -1)
    }

    init(order: String, eventId: String, position: Int, revision: Int) {
        self.order = order
        self.eventId = eventId
        self.position = position
        self.revision = revision
    }
}

/// Acknowledged appends collected from many writer tasks, in each writer's order.
final class AcknowledgedAppends: Sendable {
    /// One acknowledged append: what was sent and what the daemon answered.
    struct Append: Sendable {
        var writer: Int
        var order: String
        var events: [JSONValue]
        var acknowledged: [AcknowledgedEvent]
    }

    private let appends = Mutex<[Append]>([])

    func add(_ append: Append) { appends.withLock { $0.append(append) } }
    var all: [Append] { appends.withLock { $0 } }
    var count: Int { appends.withLock { $0.count } }
    var events: [AcknowledgedEvent] { all.flatMap(\.acknowledged) }
}

/// A flag one task raises and others poll.
final class StopFlag: Sendable {
    private let raised = Mutex(false)
    func raise() { raised.withLock { $0 = true } }
    var isRaised: Bool { raised.withLock { $0 } }
}
