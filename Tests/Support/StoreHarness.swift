import TimelineModel
import TimelineModeration
import TimelineStore

/// A real ``TimelineStore`` in its own temporary directory, driven by a
/// ``TestClock``. Reopening drops the open store first, as LMDB wants one
/// environment per file and process.
///
/// ```swift
/// let harness = try StoreHarness()
/// var life = OrderScript(order: "A-1")
/// try harness.append(life.order, [life.placed(), life.paid()])
/// harness.clock.advance(hours: 25)
/// ```
public final class StoreHarness {
    /// Removed when the harness goes away.
    public let directory: TempDirectory
    public let clock: TestClock
    /// The settings every (re)open uses; the clock is already injected.
    public var configuration: StoreConfiguration
    /// The daemon's moderation: the built-in copy of config/moderation.json.
    public let moderation = ModerationHolder.builtIn()
    /// The open store. Do not keep other references across ``reopen()``.
    public private(set) var store: TimelineStore!

    /// Opens a new store with default settings, changed by `configure`.
    public init(clock: TestClock = TestClock(), configure: (inout StoreConfiguration) -> Void = { _ in }) throws {
        directory = try TempDirectory(prefix: "timeline-store")
        self.clock = clock
        configuration = StoreConfiguration(path: try directory.subdirectory("store"))
        configuration.clock = clock.read
        configure(&configuration)
        store = try TimelineStore(configuration: configuration, moderation: moderation)
    }

    /// Closes the store and opens it again from disk.
    public func reopen() throws {
        store = nil
        store = try TimelineStore(configuration: configuration, moderation: moderation)
    }

    /// Closes the store (to open the same directory another way); ``reopen()`` opens it again.
    public func close() { store = nil }

    /// Commits one request and returns its outcome, throwing its refusal.
    @discardableResult
    public func append(
        _ order: String, _ events: [EventInput], expectedRevision: Int64? = nil, origin: AppendOrigin = .client, blobs: [[UInt8]] = []
    ) throws(TimelineError) -> AppendOutcome {
        let request = AppendRequest(order: order, events: events, expectedRevision: expectedRevision, origin: origin, blobs: blobs.map(EvidenceBlob.init))
        return try store.commit([request])[0].get()
    }

    /// Commits one request and returns its refusal; `nil` when it was accepted.
    public func refusal(
        _ order: String, _ events: [EventInput], expectedRevision: Int64? = nil, origin: AppendOrigin = .client
    ) -> TimelineError? {
        let request = AppendRequest(order: order, events: events, expectedRevision: expectedRevision, origin: origin)
        if case .failure(let error) = store.commit([request])[0] { return error }
        return nil
    }

    /// Every recorded event from position 1 to the head.
    public func wholeLog() throws -> [RecordedEvent] {
        var all: [RecordedEvent] = []
        var from: UInt64 = 1
        while true {
            let page = try store.events(from: from, limit: 5000)
            all += page
            guard let last = page.last, page.count == 5000 else { return all }
            from = last.position + 1
        }
    }
}
