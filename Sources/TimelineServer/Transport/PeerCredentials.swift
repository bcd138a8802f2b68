import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// The Unix credentials of the process on the other end of a connection.
public struct PeerCredentials: Sendable, Hashable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
}

/// Layout-identical to Glibc's `struct ucred`, which Swift does not import.
private struct UCred {
    var pid: pid_t = 0
    var uid: uid_t = 0
    var gid: gid_t = 0
}

extension PeerCredentials {
    /// Reads SO_PEERCRED from a connected Unix-socket channel.
    static func read(from channel: Channel) -> EventLoopFuture<PeerCredentials?> {
        guard let provider = channel as? SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(nil)
        }
        let future: EventLoopFuture<UCred> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED)
        )
        return future.map { PeerCredentials(pid: $0.pid, uid: $0.uid, gid: $0.gid) }.recover { _ in nil }
    }
}

extension UCred: @unchecked Sendable {}

/// Maps peer credentials to a role through the `access` rules.
struct AccessPolicy: Sendable {
    let rules: [AccessRule]?
    let daemonUid: UInt32

    /// The highest role any rule grants the peer; `nil` = refused.
    func role(for peer: PeerCredentials?) -> PeerRole? {
        guard let peer else { return nil }
        guard let rules else { return peer.uid == daemonUid ? .admin : nil }
        var best: PeerRole?
        for rule in rules {
            let matches = (rule.uid.map { $0 == peer.uid } ?? false) || (rule.gid.map { $0 == peer.gid } ?? false)
            if matches, best.map({ rule.role > $0 }) ?? true { best = rule.role }
        }
        return best
    }
}
