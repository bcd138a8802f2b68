import NIOCore
import Synchronization

/// The connections being served, so that a shutdown can close each one once
/// its last replies are written instead of cutting them off.
final class OpenConnections: Sendable {
    private let state = Mutex<(channels: [ObjectIdentifier: Channel], draining: Bool)>(([:], false))

    /// Registers `channel`; `true` when the daemon is already draining (the connection
    /// must then drain itself: ``drainAll()`` did not see it).
    func add(_ channel: Channel) -> Bool {
        state.withLock { state in
            state.channels[ObjectIdentifier(channel)] = channel
            return state.draining
        }
    }

    func remove(_ channel: Channel) { state.withLock { _ = $0.channels.removeValue(forKey: ObjectIdentifier(channel)) } }

    var count: Int { state.withLock { $0.channels.count } }

    /// Asks every connection to finish: it stops reading, ends its subscriptions,
    /// and closes once every request it read is answered and written.
    func drainAll() {
        let open = state.withLock { state in
            state.draining = true
            return Array(state.channels.values)
        }
        for channel in open {
            channel.pipeline.fireUserInboundEventTriggered(DrainConnection())
        }
    }
}

/// The user event that starts a connection's drain (see ``OpenConnections/drainAll()``).
struct DrainConnection: Sendable {}
