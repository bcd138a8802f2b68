import NIOCore
import TimelineModel

/// The ops of PROTOCOL.md with the least role each needs (`nil`: any peer, even unknown).
enum OpTable {
    static let roles: [String: PeerRole?] = [
        "hello": .none,
        "ping": .reader,
        "append": .writer,
        "evidence.put": .writer,
        "evidence.get": .reader,
        "order.get": .reader,
        "order.events": .reader,
        "log.read": .reader,
        "subscribe": .reader,
        "unsubscribe": .reader,
        "orders.list": .reader,
        "disputes.list": .reader,
        "participant.get": .reader,
        "stats": .reader,
        "admin.rebuild": .admin,
        "admin.reloadModeration": .admin,
        "admin.backup": .admin,
        "admin.checkpoint": .admin,
        "proof.inclusion": .reader,
        "proof.consistency": .reader,
        "admin.redact": .admin,
        "moderation.statement": .reader,
        "appeals.list": .reader,
    ]

    /// The ops that change the store. On one connection, a request that follows
    /// one of them runs only once it is answered, so a pipelined read sees the
    /// connection's own earlier writes (consecutive writes still share a commit).
    static let changingStore: Set<String> = ["append", "evidence.put", "admin.rebuild", "admin.redact"]
}

/// What an op handler sees of its connection.
struct OpContext {
    let services: ServerServices
    let eventLoop: EventLoop
    let role: PeerRole?
    let connection: ConnectionSubscriptions
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
        guard let needed = OpTable.roles[request.op] else {
            throw TimelineError(.unknownOp, "unknown op \"\(request.op.prefix(64))\"; known ops: \(OpTable.roles.keys.sorted().joined(separator: ", "))")
        }
        if let needed, let role = context.role, role < needed {
            throw TimelineError(.unauthorized, "\(request.op) needs the \(needed.rawValue) role; this peer is a \(role.rawValue)")
        }
        if context.services.isDraining && request.op != "hello" && request.op != "ping" {
            throw TimelineError(.shuttingDown, "the daemon is shutting down; retry against the restarted daemon")
        }
        switch request.op {
        case "hello": return .now(.json(ReadOps.hello(context)))
        case "ping": return .now(.json(.emptyObject))
        case "append": return .later(try WriteOps.append(request, context))
        case "evidence.put": return .later(try WriteOps.evidencePut(request, context))
        case "evidence.get": return .now(try ReadOps.evidenceGet(request, context))
        case "order.get": return .now(try ReadOps.orderGet(request, context))
        case "order.events": return .now(try ReadOps.orderEvents(request, context))
        case "log.read": return .now(try ReadOps.logRead(request, context))
        case "orders.list": return .now(try ReadOps.ordersList(request, context))
        case "disputes.list": return .now(try ReadOps.disputesList(request, context))
        case "participant.get": return .now(try ReadOps.participantGet(request, context))
        case "stats": return .now(try ReadOps.stats(context))
        case "subscribe": return .now(try SubscriptionOps.subscribe(request, context))
        case "unsubscribe": return .now(try SubscriptionOps.unsubscribe(request, context))
        case "admin.rebuild": return .later(AdminOps.rebuild(context))
        case "admin.reloadModeration": return .now(try AdminOps.reloadModeration(context))
        case "admin.backup": return .later(try AdminOps.backup(request, context))
        case "admin.checkpoint": return .now(try AdminOps.checkpoint(context))
        case "proof.inclusion": return .now(try ReadOps.proofInclusion(request, context))
        case "proof.consistency": return .now(try ReadOps.proofConsistency(request, context))
        case "admin.redact": return .later(try AdminOps.redact(request, context))
        case "moderation.statement": return .now(try ReadOps.moderationStatement(request, context))
        case "appeals.list": return .now(try ReadOps.appealsList(request, context))
        default: throw TimelineError(.unknownOp, "unknown op \"\(request.op.prefix(64))\"")
        }
    }
}
