import Synchronization
import TimelineModel

/// The moderation policy in force, swappable at run time (SIGHUP,
/// `admin.reloadModeration`) while the writer reads it. Thread-safe.
public final class ModerationHolder: Sendable {
    private let current: Mutex<ModerationPolicy>

    /// A holder starting with `policy`.
    public init(_ policy: ModerationPolicy = .builtIn) { current = Mutex(policy) }

    /// The policy in force now.
    public var policy: ModerationPolicy { current.withLock { $0 } }

    /// Replaces the policy; the next commit uses it.
    public func replace(with policy: ModerationPolicy) { current.withLock { $0 = policy } }
}
