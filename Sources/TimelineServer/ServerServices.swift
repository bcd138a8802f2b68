import Foundation
import NIOCore
import NIOPosix
import Synchronization
import TimelineModel
import TimelineModeration
import TimelineStore

/// What every connection shares: the store, the writer, the hub, the signer,
/// counters and settings.
final class ServerServices: Sendable {
    let configuration: ServerConfiguration
    let store: TimelineStore
    let committer: GroupCommitter
    let hub: SubscriptionHub
    let stats: ServerStats
    let signer: CheckpointSigner
    let access: AccessPolicy
    /// The connections being served (for a shutdown that lets each finish its replies).
    let connections = OpenConnections()
    let clock: @Sendable () -> Timestamp
    /// Runs blocking work (backups) off the event loops.
    let blockingPool: NIOThreadPool
    private let drainingFlag = Atomic<Bool>(false)
    /// Where `GET /metrics` is served (`host:port` as bound), when it is.
    let metricsAddress = Mutex<String?>(nil)

    init(
        configuration: ServerConfiguration, store: TimelineStore, stats: ServerStats, signer: CheckpointSigner,
        clock: @escaping @Sendable () -> Timestamp, blockingPool: NIOThreadPool
    ) {
        self.configuration = configuration
        self.store = store
        self.stats = stats
        self.signer = signer
        self.clock = clock
        self.blockingPool = blockingPool
        hub = SubscriptionHub(head: store.head.position)
        committer = GroupCommitter(store: store, hub: hub, stats: stats, maxQueuedAppends: configuration.limits.maxQueuedAppends)
        access = AccessPolicy(rules: configuration.access, daemonUid: UInt32(getuid()))
    }

    /// Set once SIGTERM/SIGINT arrived: new requests get `shutting_down`.
    var isDraining: Bool { drainingFlag.load(ordering: .relaxed) }
    func beginDraining() { drainingFlag.store(true, ordering: .relaxed) }

    /// Reads the moderation file again and puts it in force; returns its rule count.
    func reloadModeration() throws(TimelineError) -> Int {
        let path = configuration.moderationPath
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TimelineError(.notFound, "the moderation rules file \(path) cannot be read; the previous rules stay in force")
        }
        do {
            let policy = try ModerationPolicy(configJSON: Array(data))
            store.moderation.replace(with: policy)
            return policy.ruleCount
        } catch {
            throw TimelineError(.badRequest, "\(path) is invalid: \(error.message); the previous rules stay in force")
        }
    }
}
