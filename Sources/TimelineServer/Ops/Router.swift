import NIOCore
import TimelineModel

/// One op of PROTOCOL.md: the least role it needs (`nil`: any peer, even an
/// unknown one), whether it changes the store, and its handler.
struct Op: Sendable {
    typealias Handler = @Sendable (Request, OpContext) throws(TimelineError) -> OpResult
    let role: PeerRole?
    /// On one connection, a request that follows an op that changes the store runs
    /// only once that op is answered, so a pipelined read sees the connection's own
    /// earlier writes (consecutive writes still share a commit).
    let changesStore: Bool
    let handle: Handler

    init(_ role: PeerRole?, changesStore: Bool = false, _ handle: @escaping Handler) {
        self.role = role
        self.changesStore = changesStore
        self.handle = handle
    }
}

/// Every op, by name: the one table authorization, ordering and routing read.
enum OpTable {
    static let ops: [String: Op] = [
        "hello": Op(nil) { _, c in .now(.json(ReadOps.hello(c))) },
        "ping": Op(.reader) { _, _ in .now(.json(.emptyObject)) },
        "append": Op(.writer, changesStore: true) { r, c throws(TimelineError) in .later(try WriteOps.append(r, c)) },
        "evidence.put": Op(.writer, changesStore: true) { r, c throws(TimelineError) in .later(try WriteOps.evidencePut(r, c)) },
        "evidence.get": Op(.reader) { r, c throws(TimelineError) in .now(try ReadOps.evidenceGet(r, c)) },
        "order.get": Op(.reader) { r, c throws(TimelineError) in .now(try ReadOps.orderGet(r, c)) },
        "order.events": Op(.reader) { r, c throws(TimelineError) in .now(try ReadOps.orderEvents(r, c)) },
        "log.read": Op(.reader) { r, c throws(TimelineError) in .now(try ReadOps.logRead(r, c)) },
        "subscribe": Op(.reader) { r, c throws(TimelineError) in .now(try SubscriptionOps.subscribe(r, c)) },
        "unsubscribe": Op(.reader) { r, c throws(TimelineError) in .now(try SubscriptionOps.unsubscribe(r, c)) },
        "orders.list": Op(.reader) { r, c throws(TimelineError) in .now(try ReadOps.ordersList(r, c)) },
        "disputes.list": Op(.reader) { r, c throws(TimelineError) in .now(try ReadOps.disputesList(r, c)) },
        "participant.get": Op(.reader) { r, c throws(TimelineError) in .now(try ReadOps.participantGet(r, c)) },
        "stats": Op(.reader) { _, c throws(TimelineError) in .now(try ReadOps.stats(c)) },
        "admin.rebuild": Op(.admin, changesStore: true) { _, c in .later(AdminOps.rebuild(c)) },
        "admin.reloadModeration": Op(.admin) { _, c throws(TimelineError) in .now(try AdminOps.reloadModeration(c)) },
        "admin.backup": Op(.admin) { r, c throws(TimelineError) in .later(try AdminOps.backup(r, c)) },
        "admin.checkpoint": Op(.admin) { _, c throws(TimelineError) in .now(try AdminOps.checkpoint(c)) },
        "admin.redact": Op(.admin, changesStore: true) { r, c throws(TimelineError) in .later(try AdminOps.redact(r, c)) },
        "proof.inclusion": Op(.reader) { r, c throws(TimelineError) in .now(try ReadOps.proofInclusion(r, c)) },
        "proof.consistency": Op(.reader) { r, c throws(TimelineError) in .now(try ReadOps.proofConsistency(r, c)) },
        "moderation.statement": Op(.reader) { r, c throws(TimelineError) in .now(try ReadOps.moderationStatement(r, c)) },
        "appeals.list": Op(.reader) { r, c throws(TimelineError) in .now(try ReadOps.appealsList(r, c)) },
    ]

    /// Whether `op` changes the store (see ``Op/changesStore``).
    static func changesStore(_ op: String) -> Bool { ops[op]?.changesStore ?? false }
}

/// What an op handler sees of its connection.
struct OpContext {
    let services: ServerServices
    let eventLoop: EventLoop
    let role: PeerRole?
    let connection: ConnectionSubscriptions
}

extension OpContext {
    /// The request's `order`, valid and owned by this daemon's shard.
    /// - Throws: `bad_request` for a missing or malformed id, `wrong_shard` (with `shard`) for another shard's order.
    func orderId(_ request: Request) throws(TimelineError) -> String {
        let order = try request.orderId()
        let cluster = services.configuration.cluster
        guard cluster.owns(order) else {
            let owner = cluster.owner(of: order)
            throw TimelineError(.wrongShard, "order \(order) belongs to shard \(owner), this daemon is shard \(cluster.shardId) of \(cluster.shards); send it there", details: ["shard": .int(Int64(owner))])
        }
        return order
    }
}

/// A handler's answer: ready now, or later (appends, admin work).
enum OpResult {
    case now(ReplyBody)
    case later(EventLoopFuture<ReplyBody>)
}

/// Checks the op and the role, then runs the op.
enum Router {
    static func handle(_ request: Request, _ context: OpContext) throws(TimelineError) -> OpResult {
        // PROTOCOL.md: a peer that matches no access rule is refused on every op but
        // `hello`, so it learns nothing, not even which ops exist.
        if context.role == nil && request.op != "hello" {
            throw TimelineError(.unauthorized, "this peer's uid/gid is not in the daemon's access list; ask an operator to grant a role")
        }
        guard let op = OpTable.ops[request.op] else {
            throw TimelineError(.unknownOp, "unknown op \"\(request.op.prefix(64))\"; known ops: \(OpTable.ops.keys.sorted().joined(separator: ", "))")
        }
        if let needed = op.role, let role = context.role, role < needed {
            throw TimelineError(.unauthorized, "\(request.op) needs the \(needed.rawValue) role; this peer is a \(role.rawValue)")
        }
        if context.services.isDraining && request.op != "hello" && request.op != "ping" {
            throw TimelineError(.shuttingDown, "the daemon is shutting down; retry against the restarted daemon")
        }
        return try op.handle(request, context)
    }
}
