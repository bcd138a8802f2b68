import Synchronization
import TimelineModel

/// A clock tests move by hand: inject ``read`` as the store's clock, then
/// ``advance(hours:)`` to make timers fall due without waiting.
public final class TestClock: Sendable {
    private let current: Mutex<Timestamp>

    /// 2026-11-26T15:00:00Z, the start of every test clock unless told otherwise.
    public static let defaultStart = Timestamp(microseconds: 1_795_705_200_000_000)

    /// A clock standing at `start`.
    public init(start: Timestamp = TestClock.defaultStart) { current = Mutex(start) }

    /// The time the clock shows.
    public var now: Timestamp { current.withLock { $0 } }

    /// The clock as a function, for ``TimelineStore/StoreConfiguration/clock``.
    public var read: @Sendable () -> Timestamp { { [self] in self.now } }

    /// Moves the clock forward by `microseconds`.
    public func advance(microseconds: Int64) { current.withLock { $0 = Timestamp(microseconds: $0.microseconds + microseconds) } }

    /// Moves the clock forward by whole seconds.
    public func advance(seconds: Int64) { advance(microseconds: seconds * 1_000_000) }

    /// Moves the clock forward by whole hours.
    public func advance(hours: Int64) { advance(microseconds: hours * 3_600_000_000) }

    /// Sets the clock to `time`, even backwards (to test that `recordedAt` never decreases).
    public func set(_ time: Timestamp) { current.withLock { $0 = time } }
}
