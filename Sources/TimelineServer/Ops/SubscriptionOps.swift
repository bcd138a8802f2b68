import NIOCore
import TimelineModel

/// The subscriptions of one connection (event-loop confined).
final class ConnectionSubscriptions {
    let channel: Channel
    var active: [String: Subscriber] = [:]
    /// Subscribers whose delivery starts once their `subscribe` reply is written.
    var starting: [(subscriber: Subscriber, history: Bool, sequence: Int)] = []
    /// The sequence number of the request being handled.
    var currentSequence = 0

    init(channel: Channel) { self.channel = channel }

    func cancelAll() {
        for s in active.values { s.cancel() }
        active.removeAll()
        starting.removeAll()
    }
}

/// `subscribe` and `unsubscribe`.
enum SubscriptionOps {
    static func subscribe(_ r: Request, _ c: OpContext) throws(TimelineError) -> ReplyBody {
        let from = try r.optionalInt("fromPosition", in: 1...Int64.max)
        let orders = try r.optionalStringArray("orders")
        let types = try r.optionalStringArray("types")
        if let types, let unknown = types.first(where: { Catalog.rules[$0] == nil }) {
            throw TimelineError(.badRequest, "types names unknown event type \(unknown)")
        }
        if let orders, let bad = orders.first(where: { !Identifiers.isValidOrderId($0) }) {
            throw TimelineError(.badRequest, "orders holds \"\(bad.prefix(140))\", not a valid order id")
        }
        let s = c.services
        let head = s.store.head.position
        let subscriber = Subscriber(
            orders: orders, types: types, channel: c.connection.channel, limit: s.configuration.limits.subscriberBufferEvents,
            startAfter: from.map { UInt64($0) - 1 } ?? head, hub: s.hub, store: s.store, stats: s.stats
        )
        // Subscriptions cut off as too slow are over: forget them (unsubscribe then says not_found).
        c.connection.active = c.connection.active.filter { !$0.value.isEnded }
        c.connection.active[subscriber.id] = subscriber
        c.connection.starting.append((subscriber, from != nil, c.connection.currentSequence))
        return .json(["subscription": .string(subscriber.id), "head": .int(Int64(head))])
    }

    static func unsubscribe(_ r: Request, _ c: OpContext) throws(TimelineError) -> ReplyBody {
        let id = try r.string("subscription")
        // A subscription that ended (`subscriber_too_slow`) no longer exists.
        guard let subscriber = c.connection.active.removeValue(forKey: id), !subscriber.isEnded else {
            throw TimelineError(.notFound, "no subscription \(id) on this connection (a subscription cut off as too slow has ended; subscribe again)")
        }
        subscriber.cancel()
        return .json(.emptyObject)
    }
}
