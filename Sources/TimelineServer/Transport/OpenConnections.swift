import NIOCore
import Synchronization

/// The connections being served, so that a shutdown can close each one once
/// its last replies are written instead of cutting them off.
final class OpenConnections: Sendable {
    private let channels = Mutex<[ObjectIdentifier: Channel]>([:])

    func add(_ channel: Channel) { channels.withLock { $0[ObjectIdentifier(channel)] = channel } }

    func remove(_ channel: Channel) { channels.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(channel)) } }

    var count: Int { channels.withLock { $0.count } }

    /// Asks every connection to finish: it stops reading, ends its subscriptions,
    /// and closes once every request it read is answered and written.
    func drainAll() {
        for channel in channels.withLock({ Array($0.values) }) {
            channel.pipeline.fireUserInboundEventTriggered(DrainConnection())
        }
    }
}

/// The user event that starts a connection's drain (see ``OpenConnections/drainAll()``).
struct DrainConnection: Sendable {}
