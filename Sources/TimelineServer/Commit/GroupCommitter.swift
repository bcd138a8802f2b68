import Foundation
import NIOCore
import TimelineModel
import TimelineStore

/// The commit pipeline (ARCHITECTURE.md v2): a writer thread drains the queue
/// of append requests from every connection into one ``TimelineStore/commitLog(_:)``
/// (one durable log commit), and hands the committed batch to an applier
/// thread, which applies every batch waiting into views/ in one transaction and
/// only then completes each request and publishes the new records. So an `ok`
/// reply is durable and visible to every reader on every connection, and the
/// writer commits batch N+1 while the applier applies batch N.
///
/// Thread rule: every log write (appends, timers) runs on the writer thread,
/// synchronously, so no write transaction ever spans an `await`; views/ is
/// written only by the applier thread, except by tasks (``perform(on:_:)``),
/// which run on the writer thread once the applier has applied everything.
/// `submit` and `perform` may be called from any thread.
final class GroupCommitter: @unchecked Sendable {
    typealias AppendResult = Result<AppendOutcome, TimelineError>

    private enum Job {
        case append(AppendRequest, EventLoopPromise<AppendResult>)
        case task(@Sendable () -> Void)
    }

    /// A committed batch on its way to views/, with whoever waits for it.
    private struct Handoff {
        var batch: CommittedBatch
        var results: [AppendResult]
        var promises: [EventLoopPromise<AppendResult>]
        var published: [PublishedRecord]
        /// Told the final results once applied (daemon events committed by a task wait for it).
        var applied: AppliedResults?
    }

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var queuedAppends = 0
    private var stopping = false

    // Guarded by `applierCondition`.
    private let applierCondition = NSCondition()
    private var handoffs: [Handoff] = []
    private var applying = false
    private var writerDone = false
    /// Set while views/ cannot take the batches waiting (a full disk): the applier
    /// retries them, and the writer refuses new appends with this error meanwhile.
    private var viewsFailure: TimelineError?
    /// Set when the applier gave up on batches at shutdown: views/ lag the log
    /// from then on, so nothing later is applied (it would skip the records in
    /// between) and every later append is refused; the next start replays them.
    private var abandoned = false

    private let store: TimelineStore
    private let hub: SubscriptionHub
    private let stats: ServerStats
    private let maxQueuedAppends: Int
    /// At most this many events go into one commit.
    private let maxEventsPerCommit = 20_000
    private let writerDone_ = DispatchSemaphore(value: 0)
    private let applierDone = DispatchSemaphore(value: 0)

    init(store: TimelineStore, hub: SubscriptionHub, stats: ServerStats, maxQueuedAppends: Int) {
        self.store = store
        self.hub = hub
        self.stats = stats
        self.maxQueuedAppends = maxQueuedAppends
    }

    /// Starts the writer and the applier threads.
    func start() {
        let writer = Thread { [self] in
            self.runWriter()
            self.applierCondition.lock()
            self.writerDone = true
            self.applierCondition.broadcast()
            self.applierCondition.unlock()
            self.writerDone_.signal()
        }
        writer.name = "timelined-writer"
        writer.start()
        let applier = Thread { [self] in
            self.runApplier()
            self.applierDone.signal()
        }
        applier.name = "timelined-applier"
        applier.start()
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

    /// Runs `body` on the writer thread, between commits, once views/ has
    /// applied every committed batch.
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

    /// Refuses new work, lets the writer commit and the applier apply what is
    /// queued, and waits for both.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
        writerDone_.wait()
        applierDone.wait()
    }

    // MARK: - The writer thread

    private func runWriter() {
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
            commit(batch, promises, applied: nil)
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
                waitUntilApplied()
                body()
            }
        }
        flush()
    }

    /// Commits a batch to the log and hands it to the applier.
    private func commit(_ requests: [AppendRequest], _ promises: [EventLoopPromise<AppendResult>], applied: AppliedResults?) {
        if let failure = applierCondition.withLock({ viewsFailure }) {
            for promise in promises { promise.succeed(.failure(failure)) }
            applied?.deliver(requests.map { _ in .failure(failure) })
            return
        }
        let started = DispatchTime.now().uptimeNanoseconds
        let (results, batch) = store.commitLog(requests)
        stats.recordCommit(results: results, nanoseconds: Self.nanoseconds(since: started), syncNanoseconds: batch.logCommitNanoseconds)
        var published: [PublishedRecord] = []
        for case .success(let outcome) in results {
            for (record, bytes) in zip(outcome.records, outcome.encodedRecords) {
                published.append(PublishedRecord(position: record.position, order: record.order, type: record.type, bytes: bytes))
            }
        }
        applierCondition.lock()
        handoffs.append(Handoff(batch: batch, results: results, promises: promises, published: published, applied: applied))
        applierCondition.signal()
        applierCondition.unlock()
    }

    /// Commits daemon events (timers) and waits until views/ shows them; call
    /// on the writer thread only (from a task).
    func commitOnWriter(_ requests: [AppendRequest]) -> [AppendResult] {
        let applied = AppliedResults()
        commit(requests, [], applied: applied)
        return applied.wait()
    }

    /// Waits until the applier has applied every handed-off batch.
    private func waitUntilApplied() {
        applierCondition.lock()
        while !handoffs.isEmpty || applying { applierCondition.wait() }
        applierCondition.unlock()
    }

    // MARK: - The applier thread

    private func runApplier() {
        while true {
            applierCondition.lock()
            while handoffs.isEmpty && !writerDone { applierCondition.wait() }
            if handoffs.isEmpty {
                applierCondition.unlock()
                return
            }
            var work = handoffs
            handoffs.removeAll(keepingCapacity: true)
            applying = true
            let gaveUp = abandoned
            applierCondition.unlock()
            if gaveUp {
                answer(work, failure: Self.notApplied("earlier records could not be applied"))
                work = []
            }
            var pause = 0.01
            while !work.isEmpty, let error = apply(work) {
                // The batches are durable in the log; views/ is derived. Retry until they fit
                // (space returns), refusing new appends meanwhile; give up only at shutdown.
                let refusal = error.code == .storageFull
                    ? TimelineError(.storageFull, "views/ cannot be updated (\(error.message)); nothing was written. Free disk space; appends resume without a restart")
                    : TimelineError(.internal, "views/ cannot be updated (\(error.message)); nothing was written")
                let giveUp = condition.withLock { stopping }
                applierCondition.withLock {
                    if viewsFailure == nil { viewsFailure = refusal }
                    if giveUp { abandoned = true }
                }
                if giveUp {
                    answer(work, failure: Self.notApplied(error.message))
                    work = []
                    break
                }
                Thread.sleep(forTimeInterval: pause)
                pause = min(pause * 2, 1)
                applierCondition.lock()
                work += handoffs
                handoffs.removeAll(keepingCapacity: true)
                applierCondition.unlock()
            }
            if !work.isEmpty { answer(work, failure: nil) }
            applierCondition.lock()
            if !abandoned { viewsFailure = nil }
            applying = false
            applierCondition.broadcast()
            applierCondition.unlock()
        }
    }

    private static func nanoseconds(since start: UInt64) -> Int64 {
        Int64(DispatchTime.now().uptimeNanoseconds - start)
    }

    /// The answer to appends recorded in the log that views/ could not show before shutdown.
    private static func notApplied(_ why: String) -> TimelineError {
        TimelineError(
            .internal,
            "the events were recorded in the log but views/ could not be updated before shutdown (\(why)); the restarted daemon replays them into views/"
        )
    }

    /// Applies every waiting batch in one views transaction; the error when views/ could not take them.
    private func apply(_ work: [Handoff]) -> TimelineError? {
        do {
            let started = DispatchTime.now().uptimeNanoseconds
            try store.apply(work.map(\.batch))
            stats.viewsApplied(nanoseconds: Self.nanoseconds(since: started))
            return nil
        } catch {
            return error
        }
    }

    /// Completes the requests of applied batches (or fails them all with `failure`) and publishes the records.
    private func answer(_ work: [Handoff], failure: TimelineError?) {
        for handoff in work {
            let results = handoff.results.map { result -> AppendResult in
                if let failure, case .success(let outcome) = result, !outcome.records.isEmpty { return .failure(failure) }
                return result
            }
            for (promise, result) in zip(handoff.promises, results) { promise.succeed(result) }
            if failure == nil, !handoff.published.isEmpty { hub.publish(handoff.published) }
            handoff.applied?.deliver(results)
        }
    }
}

/// The results of a commit made on the writer thread, handed over by the applier.
/// `@unchecked Sendable`: `results` is written before `ready` is signalled and read after it.
final class AppliedResults: @unchecked Sendable {
    private var results: [Result<AppendOutcome, TimelineError>] = []
    private let ready = DispatchSemaphore(value: 0)

    func deliver(_ results: [Result<AppendOutcome, TimelineError>]) {
        self.results = results
        ready.signal()
    }

    func wait() -> [Result<AppendOutcome, TimelineError>] {
        ready.wait()
        return results
    }
}
