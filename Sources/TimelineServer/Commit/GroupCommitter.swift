import Foundation
import NIOCore
import TimelineModel
import TimelineStore

/// The one writer: a dedicated thread that drains the queue of append requests
/// from every connection into one `commit(batch)` (one durable commit), then
/// publishes the new records and completes each request.
///
/// Thread rule: every write to the store (appends, timers, rebuild) runs on
/// this thread, synchronously, so no write transaction ever spans an `await`.
/// `submit` and `perform` may be called from any thread.
final class GroupCommitter: @unchecked Sendable {
    typealias AppendResult = Result<AppendOutcome, TimelineError>

    private enum Job {
        case append(AppendRequest, EventLoopPromise<AppendResult>)
        case task(@Sendable () -> Void)
    }

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var queuedAppends = 0
    private var stopping = false

    private let store: TimelineStore
    private let hub: SubscriptionHub
    private let stats: ServerStats
    private let maxQueuedAppends: Int
    /// At most this many events go into one commit.
    private let maxEventsPerCommit = 20_000
    private let done = DispatchSemaphore(value: 0)

    init(store: TimelineStore, hub: SubscriptionHub, stats: ServerStats, maxQueuedAppends: Int) {
        self.store = store
        self.hub = hub
        self.stats = stats
        self.maxQueuedAppends = maxQueuedAppends
    }

    /// Starts the writer thread.
    func start() {
        let thread = Thread { [self] in
            self.run()
            self.done.signal()
        }
        thread.name = "timelined-writer"
        thread.start()
    }

    /// Appends waiting for the writer.
    var queueDepth: Int {
        condition.lock()
        defer { condition.unlock() }
        return queuedAppends
    }

    /// Queues an append; answers `busy` at once when the queue is full and
    /// `shutting_down` once draining began.
    func submit(_ request: AppendRequest, on loop: EventLoop) -> EventLoopFuture<AppendResult> {
        let promise = loop.makePromise(of: AppendResult.self)
        condition.lock()
        if stopping {
            condition.unlock()
            promise.succeed(.failure(TimelineError(.shuttingDown, "the daemon is shutting down; retry against the restarted daemon")))
            return promise.futureResult
        }
        if queuedAppends >= maxQueuedAppends {
            condition.unlock()
            promise.succeed(.failure(TimelineError(.busy, "the writer queue is full (\(maxQueuedAppends) appends); retry shortly")))
            return promise.futureResult
        }
        queue.append(.append(request, promise))
        queuedAppends += 1
        condition.signal()
        condition.unlock()
        return promise.futureResult
    }

    /// Runs `body` on the writer thread, between commits.
    func perform<T: Sendable>(on loop: EventLoop, _ body: @escaping @Sendable () throws(TimelineError) -> T) -> EventLoopFuture<T> {
        let promise = loop.makePromise(of: T.self)
        let job: @Sendable () -> Void = {
            do { promise.succeed(try body()) } catch { promise.fail(error) }
        }
        condition.lock()
        if stopping {
            condition.unlock()
            promise.fail(TimelineError(.shuttingDown, "the daemon is shutting down; retry against the restarted daemon"))
            return promise.futureResult
        }
        queue.append(.task(job))
        condition.signal()
        condition.unlock()
        return promise.futureResult
    }

    /// Refuses new work, lets the writer finish what is queued, and waits for it.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
        done.wait()
    }

    // MARK: - The writer thread

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                return
            }
            let jobs = queue
            queue.removeAll(keepingCapacity: true)
            queuedAppends = 0
            condition.unlock()
            process(jobs)
        }
    }

    private func process(_ jobs: [Job]) {
        var batch: [AppendRequest] = []
        var promises: [EventLoopPromise<AppendResult>] = []
        var events = 0
        func flush() {
            guard !batch.isEmpty else { return }
            commit(batch, promises)
            batch.removeAll(keepingCapacity: true)
            promises.removeAll(keepingCapacity: true)
            events = 0
        }
        for job in jobs {
            switch job {
            case .append(let request, let promise):
                if events + request.events.count > maxEventsPerCommit { flush() }
                batch.append(request)
                promises.append(promise)
                events += request.events.count
            case .task(let body):
                flush()
                body()
            }
        }
        flush()
    }

    /// Commits a batch, publishes what it recorded, completes every request.
    private func commit(_ batch: [AppendRequest], _ promises: [EventLoopPromise<AppendResult>]) {
        let results = commitOnWriter(batch)
        for (promise, result) in zip(promises, results) { promise.succeed(result) }
    }

    /// Commits daemon events (timers) directly; call on the writer thread only.
    func commitOnWriter(_ batch: [AppendRequest]) -> [AppendResult] {
        let results = store.commit(batch)
        stats.recordCommit(results: results)
        var published: [PublishedRecord] = []
        for case .success(let outcome) in results {
            for (record, bytes) in zip(outcome.records, outcome.encodedRecords) {
                published.append(PublishedRecord(position: record.position, order: record.order, type: record.type, bytes: bytes))
            }
        }
        if !published.isEmpty { hub.publish(published) }
        return results
    }
}
