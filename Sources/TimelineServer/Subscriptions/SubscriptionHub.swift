import NIOConcurrencyHelpers
import NIOCore

/// A newly committed record as the writer publishes it.
struct PublishedRecord: Sendable {
    let position: UInt64
    let order: String
    let type: String
    /// The stored bytes, sent as they are.
    let bytes: [UInt8]
}

/// Fans committed records out to live subscribers. Publishing never waits for
/// a subscriber: each gets its records queued on its own event loop, and one
/// whose backlog passes its limit is cut off (``Subscriber``).
final class SubscriptionHub: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NIOLock()
    private var lastPublished: UInt64
    private var live: [Int: Subscriber] = [:]

    init(head: UInt64) { lastPublished = head }

    /// Called by the writer after each commit, in position order.
    ///
    /// Offers are made outside the lock: an offer may end a slow subscriber,
    /// which removes it from the hub (and so takes the lock) again. Offering
    /// outside the lock is safe because only the writer thread publishes, and a
    /// subscriber that goes live after the snapshot saw `lastPublished` move and
    /// reads those records from history instead.
    func publish(_ records: [PublishedRecord]) {
        let subscribers = lock.withLock {
            if let last = records.last { lastPublished = last.position }
            return Array(live.values)
        }
        for subscriber in subscribers { subscriber.offer(records) }
    }

    /// Makes `subscriber` live if nothing was published past what it has
    /// examined; otherwise it must read more history first.
    func goLive(_ subscriber: Subscriber, examinedThrough position: UInt64) -> Bool {
        lock.withLock {
            guard lastPublished <= position else { return false }
            live[subscriber.serial] = subscriber
            return true
        }
    }

    func remove(_ subscriber: Subscriber) {
        _ = lock.withLock { live.removeValue(forKey: subscriber.serial) }
    }
}
