import Foundation
import NIOCore
import TimelineModel
import TimelineStore

/// The admin ops.
enum AdminOps {
    static func rebuild(_ c: OpContext) -> EventLoopFuture<ReplyBody> {
        let store = c.services.store
        return c.services.committer.perform(on: c.eventLoop) { () throws(TimelineError) -> ReplyBody in
            let summary = try store.rebuildViews()
            return .json(["events": .int(Int64(summary.events)), "orders": .int(Int64(summary.orders)), "seconds": .double(summary.seconds)])
        }
    }

    static func reloadModeration(_ c: OpContext) throws(TimelineError) -> ReplyBody {
        .json(["rules": .int(Int64(try c.services.reloadModeration()))])
    }

    static func backup(_ r: Request, _ c: OpContext) throws(TimelineError) -> EventLoopFuture<ReplyBody> {
        let path = try r.string("path")
        guard !path.isEmpty else { throw TimelineError(.badRequest, "path must name a directory for the backup") }
        guard path.hasPrefix("/") else {
            throw TimelineError(.badRequest, "path must be absolute: the daemon's working directory is not the caller's (timelinectl backup resolves it for you)")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue, (try? FileManager.default.contentsOfDirectory(atPath: path))?.isEmpty ?? false else {
                throw TimelineError(.badRequest, "\(path) exists and is not an empty directory; name a new or empty directory")
            }
        } else if mkdir(path, 0o750) != 0 {
            // A path the daemon cannot create is the caller's to fix, not a bug (`internal`).
            throw TimelineError(.badRequest, "the daemon cannot create the directory \(path): \(String(cString: strerror(errno))); name a directory it can create")
        }
        guard access(path, W_OK | X_OK) == 0 else {
            throw TimelineError(.badRequest, "the daemon cannot write into \(path): \(String(cString: strerror(errno))); name a directory it can write")
        }
        let store = c.services.store
        return c.services.blockingPool.runIfActive(eventLoop: c.eventLoop) { () throws -> ReplyBody in
            let (bytes, head) = try store.backup(to: path)
            return .json(["path": .string(path), "bytes": .int(Int64(bytes)), "head": .int(Int64(head.position)), "headHash": .string(head.hash)])
        }
    }

    /// `admin.redact`: `redaction.applied` and the removal of its targets' data, in one commit.
    static func redact(_ r: Request, _ c: OpContext) throws(TimelineError) -> EventLoopFuture<ReplyBody> {
        let order = try c.orderId(r)
        guard let value = r.params["positions"], !value.isNull else {
            throw TimelineError(.badRequest, "positions is required: the log positions of the events to redact (1 to 1000)")
        }
        guard let items = value.arrayValue, (1...1000).contains(items.count) else {
            throw TimelineError(.badRequest, "positions must be an array of 1 to 1000 log positions")
        }
        let positions = try items.map { (item) throws(TimelineError) -> UInt64 in
            guard let p = item.intValue, p >= 1 else { throw TimelineError(.badRequest, "positions must hold log positions (integers ≥ 1)") }
            return UInt64(p)
        }
        let reason = try r.string("reason")
        let requestedBy = try r.string("requestedBy")
        guard (1...1000).contains(reason.unicodeScalars.count) else { throw TimelineError(.badRequest, "reason must be 1–1000 characters: why the data is erased (e.g. \"GDPR Art. 17 request 2026-118\")") }
        guard (1...256).contains(requestedBy.unicodeScalars.count) else { throw TimelineError(.badRequest, "requestedBy must be 1–256 characters: who asked for the erasure") }
        let request = AppendRequest.redact(order: order, RedactionRequest(positions: positions, reason: reason, requestedBy: requestedBy))
        return WriteOps.submit(request, c) { outcome in
            // The entry's fields at the top (as evidence.put's), and `events` as append's reply has it.
            let entry = WriteOps.eventEntry(outcome.events[0])
            guard case .object(var o) = entry else { return .emptyObject }
            o["order"] = .string(outcome.order)
            o["lastRevision"] = .int(Int64(outcome.lastRevision))
            o["events"] = [entry]
            o["redacted"] = .int(Int64(outcome.redaction?.redacted ?? 0))
            o["blobsDeleted"] = .int(Int64(outcome.redaction?.blobsDeleted ?? 0))
            return .object(o)
        }
    }

    static func checkpoint(_ c: OpContext) throws(TimelineError) -> ReplyBody {
        let store = c.services.store
        // The root of the tree of exactly the head's size (views/ may have moved on since).
        let head = store.head
        let tree = try store.merkleRoot(treeSize: head.position)
        let checkpoint = try c.services.signer.sign(head: head, rootHash: tree.root, origin: c.services.configuration.checkpointOrigin, at: c.services.clock())
        try CheckpointJournal(dataDirectory: c.services.configuration.dataDirectory).append(checkpoint)
        return .json(checkpoint)
    }
}
