import Foundation
import NIOCore
import TimelineModel
import TimelineStore

/// The read ops: served inline from LMDB read snapshots, never blocking the writer.
enum ReadOps {
    static let serverName = "timelined"
    static let serverVersion = "0.1.0"

    static func hello(_ c: OpContext) -> JSONValue {
        let l = c.services.configuration.limits
        return [
            "server": .string(serverName), "version": .string(serverVersion), "protocol": 1,
            "role": c.role.map { .string($0.rawValue) } ?? .null,
            "shard": [
                "shards": .int(Int64(c.services.configuration.cluster.shards)), "shardId": .int(Int64(c.services.configuration.cluster.shardId)),
                "storeId": c.services.store.storeId.map { .string($0) } ?? .null,
            ],
            "limits": [
                "maxFrameBytes": .int(Int64(l.maxFrameBytes)), "maxBatchEvents": .int(Int64(l.maxBatchEvents)),
                "maxEvidenceBytes": .int(Int64(l.maxEvidenceBytes)), "subscriberBufferEvents": .int(Int64(l.subscriberBufferEvents)),
            ],
        ]
    }

    static func evidenceGet(_ r: Request, _ c: OpContext) throws(TimelineError) -> ReplyBody {
        let sha = try r.string("sha256")
        guard Hashing.isSHA256Hex(sha) else { throw TimelineError(.badRequest, "sha256 must be 64 lower-case hex digits") }
        guard let bytes = try c.services.store.blob(sha256: sha) else {
            throw TimelineError(.notFound, "no evidence with sha256 \(sha)")
        }
        return .json(["sha256": .string(sha), "size": .int(Int64(bytes.count)), "contentBase64": .string(Data(bytes).base64EncodedString())])
    }

    static func orderGet(_ r: Request, _ c: OpContext) throws(TimelineError) -> ReplyBody {
        let order = try c.orderId(r)
        let state: OrderState?
        if let at = try r.optionalInt("atPosition", in: 0...Int64.max) {
            state = try c.services.store.order(order, atPosition: UInt64(at))
            guard let state else { throw TimelineError(.notFound, "order \(order) did not exist at position \(at)") }
            return .json(state.viewJSON)
        }
        state = try c.services.store.order(order)
        guard let state else { throw TimelineError(.notFound, "order \(order) does not exist") }
        return .json(state.viewJSON)
    }

    static func orderEvents(_ r: Request, _ c: OpContext) throws(TimelineError) -> ReplyBody {
        let order = try c.orderId(r)
        let limit = Int(try r.optionalInt("limit", in: 1...10_000) ?? 100)
        let direction = try r.optionalString("direction") ?? "forward"
        guard direction == "forward" || direction == "backward" else {
            throw TimelineError(.badRequest, "direction must be forward or backward")
        }
        let backward = direction == "backward"
        let from = try r.optionalInt("fromRevision", in: 0...Int64.max).map(UInt64.init) ?? (backward ? UInt64(Int64.max) : 0)
        guard let page = try c.services.store.orderEventBytes(order, fromRevision: from, limit: limit, backward: backward) else {
            throw TimelineError(.notFound, "order \(order) does not exist")
        }
        return .records(page.records, rest: ["next": page.next.map { .int(Int64($0)) } ?? .null])
    }

    static func logRead(_ r: Request, _ c: OpContext) throws(TimelineError) -> ReplyBody {
        let from = try r.optionalInt("fromPosition", in: 1...Int64.max) ?? 1
        let limit = Int(try r.optionalInt("limit", in: 1...10_000) ?? 1000)
        let head = c.services.store.head.position
        let page = try c.services.store.logBytes(from: UInt64(from), limit: limit)
        return .records(page.records, rest: ["next": page.next.map { .int(Int64($0)) } ?? .null, "head": .int(Int64(head))])
    }

    static func proofInclusion(_ r: Request, _ c: OpContext) throws(TimelineError) -> ReplyBody {
        guard let position = try r.optionalInt("position", in: 1...Int64.max) else {
            throw TimelineError(.badRequest, "position is required: the log position of the event to prove")
        }
        let size = try r.optionalInt("treeSize", in: 1...Int64.max)
        let p = try c.services.store.inclusionProof(position: UInt64(position), treeSize: size.map(UInt64.init))
        return .json([
            "position": .int(Int64(p.position)), "treeSize": .int(Int64(p.treeSize)),
            "leafHash": .string(Hashing.hex(p.leafHash)), "rootHash": .string(Hashing.hex(p.rootHash)),
            "proof": .array(p.proof.map { .string(Hashing.hex($0)) }),
        ])
    }

    static func proofConsistency(_ r: Request, _ c: OpContext) throws(TimelineError) -> ReplyBody {
        guard let from = try r.optionalInt("fromSize", in: 1...Int64.max) else {
            throw TimelineError(.badRequest, "fromSize is required: the size of the earlier tree (at least 1)")
        }
        let to = try r.optionalInt("toSize", in: 1...Int64.max)
        let p = try c.services.store.consistencyProof(from: UInt64(from), to: to.map(UInt64.init))
        return .json([
            "fromSize": .int(Int64(p.fromSize)), "toSize": .int(Int64(p.toSize)),
            "fromRoot": .string(Hashing.hex(p.fromRoot)), "toRoot": .string(Hashing.hex(p.toRoot)),
            "proof": .array(p.proof.map { .string(Hashing.hex($0)) }),
        ])
    }

    static func moderationStatement(_ r: Request, _ c: OpContext) throws(TimelineError) -> ReplyBody {
        guard let position = try r.optionalInt("position", in: 1...Int64.max) else {
            throw TimelineError(.badRequest, "position is required: the log position of a filtered or hidden chat message")
        }
        let message = try c.services.store.moderatedMessage(at: UInt64(position))
        let config = c.services.configuration
        return .json(StatementOfReasons.make(
            for: message, shardId: String(config.cluster.shardId), settings: config.dsa, appealWindowDays: c.services.store.moderation.policy.appealWindowDays
        ))
    }

    static func appealsList(_ r: Request, _ c: OpContext) throws(TimelineError) -> ReplyBody {
        var status: Appeal.Status?
        if let s = try r.optionalString("status") {
            guard let parsed = Appeal.Status(rawValue: s) else {
                throw TimelineError(.badRequest, "status must be one of \(Appeal.Status.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            status = parsed
        }
        let limit = Int(try r.optionalInt("limit", in: 1...10_000) ?? 100)
        let entries = try c.services.store.appeals(status: status, limit: limit)
        return .json(["appeals": .array(entries.map { e in
            var o: [String: JSONValue] = [
                "order": .string(e.order), "position": .int(Int64(e.position)), "appealPosition": .int(Int64(e.appeal.position)),
                "status": .string(e.appeal.status.rawValue), "appealedAt": .string(e.appeal.appealedAt.rfc3339),
            ]
            if let t = e.appeal.reviewedAt { o["reviewedAt"] = .string(t.rfc3339) }
            return .object(o)
        })])
    }

    static func ordersList(_ r: Request, _ c: OpContext) throws(TimelineError) -> ReplyBody {
        let participant = try r.optionalString("participant")
        var state: OrderStatus?
        if let s = try r.optionalString("state") {
            guard let parsed = OrderStatus(rawValue: s) else {
                throw TimelineError(.badRequest, "state must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            state = parsed
        }
        let limit = Int(try r.optionalInt("limit", in: 1...10_000) ?? 100)
        let after = try r.optionalString("after")
        let page = try c.services.store.orders(participant: participant, state: state, limit: limit, after: after)
        return .json(["orders": .array(page.orders.map(summary)), "after": page.after.map { .string($0) } ?? .null])
    }

    static func summary(_ s: OrderState) -> JSONValue {
        [
            "order": .string(s.order), "state": .string(s.status.rawValue), "buyer": .string(s.buyer), "seller": .string(s.seller),
            "item": ["title": .string(s.itemTitle), "quantity": .int(s.itemQuantity)],
            "price": ["amount": .int(s.priceAmount), "currency": .string(s.currency)],
            "dispute": s.dispute.map { .string($0.status.rawValue) } ?? .null,
            "revision": .int(Int64(s.revision)), "lastPosition": .int(Int64(s.lastPosition)),
            "placedAt": .string(s.placedAt.rfc3339), "updatedAt": .string(s.updatedAt.rfc3339),
        ]
    }

    static func disputesList(_ r: Request, _ c: OpContext) throws(TimelineError) -> ReplyBody {
        var status: DisputeStatus?
        if let s = try r.optionalString("status") {
            guard let parsed = DisputeStatus(rawValue: s) else {
                throw TimelineError(.badRequest, "status must be one of \(DisputeStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            status = parsed
        }
        let limit = Int(try r.optionalInt("limit", in: 1...10_000) ?? 100)
        let entries = try c.services.store.disputes(status: status, limit: limit, now: c.services.clock())
        return .json(["disputes": .array(entries.compactMap { e in
            guard let d = e.order.dispute, case .object(var o) = d.viewJSON else { return nil }
            o["order"] = .string(e.order.order)
            o["buyer"] = .string(e.order.buyer)
            o["seller"] = .string(e.order.seller)
            o["state"] = .string(e.order.status.rawValue)
            o["slaBreached"] = .bool(e.slaBreached)
            return .object(o)
        })])
    }

    static func participantGet(_ r: Request, _ c: OpContext) throws(TimelineError) -> ReplyBody {
        let user = try r.string("participant")
        // The same rule as actor ids; an empty key would also be refused by LMDB itself.
        guard (1...128).contains(user.utf8.count) else {
            throw TimelineError(.badRequest, "participant must be a user id of 1–128 characters")
        }
        guard let figures = try c.services.store.participant(user) else {
            throw TimelineError(.notFound, "no orders involve participant \(user)")
        }
        return .json(figures.viewJSON)
    }

    static func stats(_ c: OpContext) throws(TimelineError) -> ReplyBody {
        let s = c.services
        let counts = try s.store.counts()
        let map = s.store.mapFigures
        let head = s.store.head
        var o = s.stats.json
        let figures = s.stats.snapshot
        o["head"] = .int(Int64(head.position))
        o["headHash"] = .string(head.hash)
        o["orders"] = .int(Int64(counts.orders))
        o["events"] = .int(Int64(counts.events))
        o["blobs"] = .int(Int64(counts.blobs))
        o["timers"] = .int(Int64(counts.timers))
        o["mapSizeBytes"] = .int(Int64(map.mapSize))
        o["mapUsedBytes"] = .int(Int64(map.used))
        let readers = s.store.readerFigures
        o["readers"] = ["maxReaders": .int(Int64(readers.maxReaders)), "staleCleared": .int(Int64(readers.staleCleared))]
        o["connections"] = .int(Int64(figures.connections))
        o["subscriptions"] = .int(Int64(figures.subscriptions))
        o["queueDepth"] = .int(Int64(s.committer.queueDepth))
        o["uptimeSeconds"] = .int((Timestamp.now().microseconds - s.stats.started.microseconds) / 1_000_000)
        o["durability"] = .string(s.configuration.durability.rawValue)
        if let metrics = s.metricsAddress.withLock({ $0 }) { o["metricsUrl"] = .string("http://\(metrics)/metrics") }
        let lag = s.store.viewsLag
        o["viewsLag"] = ["events": .int(Int64(lag.events)), "seconds": .double(lag.seconds)]
        return .json(.object(o))
    }
}
