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
