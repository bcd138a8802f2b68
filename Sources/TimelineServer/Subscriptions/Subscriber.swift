import NIOCore
import Synchronization
import TimelineModel
import TimelineStore

/// One subscription of one connection: filters, history catch-up paced by the
/// socket, then live records from the hub with a bounded backlog.
///
/// Thread rule: `lastExamined` and all writes happen on the channel's event
/// loop; `offer` may be called from the writer thread (it only counts and hops).
final class Subscriber: @unchecked Sendable {
    private static let serials = Atomic<Int>(0)

    let serial: Int
    let id: String
    let orders: Set<String>?
    let types: Set<String>?
    let channel: Channel
    let limit: Int
    let hub: SubscriptionHub
    let store: TimelineStore
    let stats: ServerStats
    /// Records handed to the event loop but not yet written to the socket.
    private let backlog = Atomic<Int>(0)
    private let ended = Atomic<Bool>(false)
    /// Event loop only: the last position sent or skipped.
    private var lastExamined: UInt64

    init(
        orders: [String]?, types: [String]?, channel: Channel, limit: Int, startAfter: UInt64,
        hub: SubscriptionHub, store: TimelineStore, stats: ServerStats
    ) {
        serial = Self.serials.add(1, ordering: .relaxed).newValue
        id = "s-\(serial)"
        self.orders = orders.map(Set.init)
        self.types = types.map(Set.init)
        self.channel = channel
        self.limit = limit
        self.hub = hub
        self.store = store
        self.stats = stats
        lastExamined = startAfter
        stats.subscriptionsChanged(by: 1)
    }

    var isEnded: Bool { ended.load(ordering: .relaxed) }

    func matches(order: String, type: String) -> Bool {
        (orders?.contains(order) ?? true) && (types?.contains(type) ?? true)
    }

    // MARK: - Start

    /// Begins delivery right after `lastExamined`: `fromPosition` − 1 with
    /// `history`, else the head the `subscribe` reply named. Either way it reads
    /// from the log first, so events committed between the reply's `head` and
    /// the start (e.g. an append pipelined before the `subscribe`) are not skipped.
    func start(history: Bool) {
        catchUp()
    }

    /// Reads history in chunks, writing each and waiting until the socket took
    /// it, until it reaches what the hub has published; then goes live.
    private func catchUp() {
        channel.eventLoop.execute { [self] in
            guard !isEnded, channel.isActive else { return }
            let chunk: [[UInt8]]
            do throws(TimelineError) {
                chunk = try store.logBytes(from: lastExamined + 1, limit: 256).records
            } catch {
                end(with: error)
                return
            }
            if chunk.isEmpty {
                if !hub.goLive(self, examinedThrough: lastExamined) { catchUp() }
                return
            }
            var lastWrite: EventLoopFuture<Void>?
            for bytes in chunk {
                guard let (position, order, type) = Self.header(of: bytes) else { continue }
                lastExamined = position
                if matches(order: order, type: type) {
                    let push = ReplyEncoder.push(subscription: id, record: bytes, allocator: channel.allocator)
                    lastWrite = channel.write(push)
                }
            }
            channel.flush()
            if let lastWrite {
                lastWrite.whenComplete { _ in self.catchUp() }
            } else {
                catchUp()
            }
        }
    }

    /// Position, order and type of a stored record.
    static func header(of bytes: [UInt8]) -> (UInt64, String, String)? {
        guard let record = try? JSONParser.parse(bytes), let p = record["position"]?.intValue,
              let order = record["order"]?.stringValue, let type = record["type"]?.stringValue
        else { return nil }
        return (UInt64(p), order, type)
    }

    // MARK: - Live

    /// Called by the hub with newly committed records (any thread).
    func offer(_ records: [PublishedRecord]) {
        guard !isEnded else { return }
        let matched = records.filter { matches(order: $0.order, type: $0.type) }
        guard !matched.isEmpty else { return }
        let queued = backlog.add(matched.count, ordering: .relaxed).newValue
        // PROTOCOL.md: a backlog over the limit ends the subscription, even when one
        // commit alone brings it there.
        if queued > limit {
            stats.subscriberCutOff()
            end(with: TimelineError(
                .subscriberTooSlow,
                "this subscriber fell more than \(limit) events behind; resubscribe with fromPosition = last seen position + 1"
            ), namingLastPosition: true)
            return
        }
        channel.eventLoop.execute { self.deliver(matched) }
    }

    private func deliver(_ records: [PublishedRecord]) {
        guard !isEnded else { return }
        for record in records {
            guard record.position > lastExamined else {
                backlog.subtract(1, ordering: .relaxed)
                continue
            }
            lastExamined = record.position
            let push = ReplyEncoder.push(subscription: id, record: record.bytes, allocator: channel.allocator)
            channel.write(push).whenComplete { _ in self.backlog.subtract(1, ordering: .relaxed) }
        }
        channel.flush()
    }

    // MARK: - End

    /// Ends the subscription with an error push (too slow, or a store failure).
    /// With `namingLastPosition`, the error's `lastPosition` is the last position
    /// this subscription examined and wrote: read on the event loop after the end, so
    /// records queued but not yet written when it ended are not claimed as delivered.
    func end(with error: TimelineError, namingLastPosition: Bool = false) {
        guard cancel() else { return }
        let channel = self.channel
        let id = self.id
        channel.eventLoop.execute { [self] in
            var error = error
            if namingLastPosition { error.details["lastPosition"] = .int(Int64(lastExamined)) }
            channel.writeAndFlush(ReplyEncoder.pushError(subscription: id, error: error, allocator: channel.allocator), promise: nil)
        }
    }

    /// Ends the subscription silently (unsubscribe, connection closed). `false` if already ended.
    @discardableResult
    func cancel() -> Bool {
        guard !ended.exchange(true, ordering: .relaxed) else { return false }
        hub.remove(self)
        stats.subscriptionsChanged(by: -1)
        return true
    }
}
