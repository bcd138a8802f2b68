import Synchronization
import TimelineModel

/// The moderation policy in force, swappable at run time (SIGHUP,
/// `admin.reloadModeration`) while the writer reads it. Thread-safe.
public final class ModerationHolder: Sendable {
    private let current: Mutex<any MessageModeration>

    /// A holder starting with `policy`; by default ``Unmoderated``, for stores
    /// that never append chat (the daemon passes its `ModerationPolicy`).
    public init(_ policy: any MessageModeration = Unmoderated()) { current = Mutex(policy) }

    /// The policy in force now.
    public var policy: any MessageModeration { current.withLock { $0 } }

    /// Replaces the policy; the next commit uses it.
    public func replace(with policy: any MessageModeration) { current.withLock { $0 = policy } }
}
