import Crypto
import Foundation
import LMDB
import TimelineAudit
import TimelineModel
import TimelineStore
import TestSupport

/// A temporary directory removed when the test ends.
final class TempDirectory: @unchecked Sendable {
    let path: String
    init(_ name: String = "audit") {
        path = NSTemporaryDirectory() + "ta-\(name)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func sub(_ name: String) -> String { path + "/" + name }
}

/// A real store built through TimelineStore.commit, with orders that use most event types.
enum Fixture {
    static let buyer = Actor(role: .buyer, id: "u-17")
    static let seller = Actor(role: .seller, id: "u-42")
    static let shop = Actor(role: .system, id: "shop")
    static let staff = Actor(role: .support, id: "s-1")
    static func evidenceBytes(_ order: String) -> [UInt8] { Array("screenshot of \(order): only 1 of 2 items arrived".utf8) }

    /// Builds the store in `directory` and returns it (writable).
    @discardableResult
    static func makeStore(_ directory: String, orders: Int = 3) throws -> TimelineStore {
        var config = StoreConfiguration(path: directory)
        config.durability = .relaxed
        let store = try TimelineStore(configuration: config, moderation: .builtIn())
        for i in 0..<orders { try commit(store, script(order: "A-\(1000 + i)")) }
        return store
    }

    /// Commits requests one by one; fails the test run if any is refused.
    static func commit(_ store: TimelineStore, _ requests: [AppendRequest]) throws {
        for r in requests {
            if case .failure(let e) = store.commit([r])[0] { throw e }
        }
    }

    static func event(_ id: String, _ type: String, _ actor: Actor, _ data: JSONValue = .emptyObject) -> EventInput {
        EventInput(eventId: id, type: type, actor: actor, data: data)
    }

    /// One order's life: placed, paid, chat, partial delivery, evidence, dispute, offer, acceptance, support note.
    static func script(order o: String) -> [AppendRequest] {
        let evidenceBytes = evidenceBytes(o)
        let sha = Hashing.sha256Hex(evidenceBytes)
        return [
            AppendRequest(order: o, events: [
                event("\(o)-1", "order.placed", buyer, [
                    "buyer": "u-17", "seller": "u-42", "item": ["title": "AK-47 Redline FT", "quantity": 2],
                    "price": ["amount": 2500, "currency": "EUR"],
                ]),
                event("\(o)-2", "order.paid", shop),
            ]),
            AppendRequest(order: o, events: [event("\(o)-3", "chat.message", seller, ["channel": "order", "text": "trade offer sent, 18:30"])]),
            AppendRequest(order: o, events: [event("\(o)-4", "delivery.marked", seller, ["quantity": 1])]),
            AppendRequest(order: o, events: [event("\(o)-5", "chat.message", buyer, ["channel": "order", "text": "got 1 of 2, where is the rest?"])]),
            AppendRequest(
                order: o,
                events: [event("\(o)-6", "evidence.attached", buyer, [
                    "sha256": .string(sha), "size": .int(Int64(evidenceBytes.count)), "filename": "inventory.png",
                    "mediaType": "image/png", "channel": "order",
                ])],
                origin: .evidencePut, blobs: [EvidenceBlob(evidenceBytes)]
            ),
            AppendRequest(order: o, events: [event("\(o)-7", "dispute.opened", buyer, [
                "reason": "incomplete", "requestedOutcome": "deliver_missing", "description": "second item missing",
            ])]),
            AppendRequest(order: o, events: [event("\(o)-8", "dispute.offer", seller, ["outcome": "deliver_missing", "note": "sending today"])]),
            AppendRequest(order: o, events: [event("\(o)-9", "dispute.offer.accepted", buyer, ["offerRevision": 7])]),
            AppendRequest(order: o, events: [event("\(o)-10", "support.note", staff, ["text": "watch this seller"])]),
        ]
    }

    /// A copy of the store's files in a fresh directory (the original stays untouched).
    static func copy(_ directory: String, to target: String) throws {
        let files = FileManager.default
        try files.createDirectory(atPath: target, withIntermediateDirectories: true)
        for name in ["log/data.mdb", "views/data.mdb", "views/state", "checkpoint.pub"] where files.fileExists(atPath: directory + "/" + name) {
            let to = target + "/" + name
            try files.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try files.copyItem(atPath: directory + "/" + name, toPath: to)
        }
    }

    // MARK: - Signing checkpoints as the daemon does

    /// A fixed test key (the daemon's own is random and lives in its data directory).
    static var signingKey: Curve25519.Signing.PrivateKey {
        try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32))
    }

    static func writePublicKey(_ path: String, key: Curve25519.Signing.PrivateKey = signingKey) throws {
        try Data((key.publicKey.rawRepresentation.base64EncodedString() + "\n").utf8).write(to: URL(fileURLWithPath: path))
    }

    /// A signed checkpoint of the store's head, written to `path`.
    static func writeCheckpoint(of store: TimelineStore, to path: String, key: Curve25519.Signing.PrivateKey = signingKey) throws {
        let head = store.head
        var body: [String: JSONValue] = [
            "position": .int(Int64(head.position)), "hash": .string(head.hash),
            "recordedAt": .string(head.recordedAt!.rfc3339), "signedAt": .string(Timestamp.now().rfc3339),
            "keyId": .string(Checkpoint.keyId(of: Array(key.publicKey.rawRepresentation))),
        ]
        let root = try store.merkleRoot(treeSize: head.position).root
        body["treeSize"] = .int(Int64(head.position))
        body["rootHash"] = .string(Hashing.hex(root))
        body["note"] = .string(try SignedNote.checkpoint(origin: "ordertimeline/0", treeSize: head.position, rootHash: root, key: key))
        let signature = try key.signature(for: CanonicalJSON.encode(.object(body)))
        body["signature"] = .string(Data(signature).base64EncodedString())
        try Data(CanonicalJSON.encode(.object(body))).write(to: URL(fileURLWithPath: path))
    }
}

/// Raw LMDB edits on a copy of a store, as a tamperer would make them: the
/// log's tables (`records`, `blobs`, `logMeta`) in `log/`, every other (with
/// `meta` the views' own) in `views/`.
struct Tamperer {
    let logEnv: Environment
    /// `nil` for a store without `views/` (just migrated, or views deleted).
    let views: Environment?
    var viewsEnv: Environment { views! }

    init(_ directory: String) throws {
        logEnv = try Environment(path: directory + "/log", mapSize: 1 << 30, maxDatabases: 16)
        views = FileManager.default.fileExists(atPath: directory + "/views/data.mdb")
            ? try Environment(path: directory + "/views", mapSize: 1 << 30, maxDatabases: 16) : nil
    }

    /// The environment holding the table called `name` (see the type's comment).
    func env(of name: String) -> Environment { ["records", "blobs", "logMeta"].contains(name) ? logEnv : viewsEnv }

    func table(_ name: String) throws -> Database {
        try env(of: name).openDatabase(named: name == "logMeta" ? "meta" : name, create: false)
    }

    /// Reads `name`'s table in a read transaction of its environment.
    func read<T>(_ name: String, _ body: (ReadTransaction, Database) throws -> T) throws -> T {
        let t = try table(name)
        return try env(of: name).read { txn in try body(txn, t) }
    }

    static func key(_ position: UInt64) -> [UInt8] { withUnsafeBytes(of: position.bigEndian) { Array($0) } }

    func logBytes(_ position: UInt64) throws -> [UInt8] {
        try read("records") { txn, records in Array(try txn.get(records, key: Self.key(position))!) }
    }

    func record(_ position: UInt64) throws -> RecordedEvent {
        try logBytes(position).withUnsafeBufferPointer { try RecordedEvent(bytes: $0) }
    }

    func put(_ tableName: String, key: [UInt8], value: [UInt8]) throws {
        let t = try table(tableName)
        try env(of: tableName).write { txn in try txn.put(t, key: key, value: value) }
    }

    func delete(_ tableName: String, key: [UInt8]) throws {
        let t = try table(tableName)
        try env(of: tableName).write { txn in _ = try txn.delete(t, key: key) }
    }

    /// Every (key ++ value) of the table called `name`, in key order.
    func entries(_ name: String) throws -> [[UInt8]] {
        try read(name) { txn, db in
            try txn.withCursor(db) { cursor in
                var out: [[UInt8]] = []
                var e = try cursor.first()
                while let entry = e {
                    out.append(Array(entry.key) + Array(entry.value))
                    e = try cursor.next()
                }
                return out
            }
        }
    }

    func positions() throws -> [UInt64] {
        try read("records") { txn, records in
            try txn.withCursor(records) { cursor in
                var out: [UInt64] = []
                var e = try cursor.first()
                while let entry = e {
                    out.append(entry.key.reduce(0) { $0 << 8 | UInt64($1) })
                    e = try cursor.next()
                }
                return out
            }
        }
    }

    /// A forger's rewrite: changes records with `edit`, then recomputes every
    /// dataHash, hash and prevHash from the first change on, and the head.
    func rechain(_ edit: (inout RecordedEvent) -> Void) throws {
        var prev = Hashing.zeroHash
        var last: RecordedEvent?
        for p in try positions() {
            var r = try record(p)
            edit(&r)
            r.seal(prevHash: prev)
            try put("records", key: Self.key(p), value: r.canonicalBytes)
            prev = r.hash
            last = r
        }
        if let last {
            let time = withUnsafeBytes(of: (UInt64(bitPattern: last.recordedAt.microseconds) ^ (1 << 63)).bigEndian) { Array($0) }
            try put("logMeta", key: Array("head".utf8), value: Self.key(last.position) + Hashing.bytes(fromHex: last.hash)! + time)
            // views/ name the hash of the record they reflect and hold the Merkle tree of the
            // hashes; a thorough forger rewrites both too.
            try put("meta", key: Array("applied".utf8), value: Self.key(last.position) + Hashing.bytes(fromHex: last.hash)!)
            var merkle = MerkleAppender()
            let table = try self.table("merkle")
            try viewsEnv.write { txn in
                try txn.clear(table)
                for p in try positions() {
                    for node in merkle.append(MerkleHash.leaf(Hashing.bytes(fromHex: try record(p).hash)!)) {
                        try txn.put(table, key: [UInt8(node.level)] + Self.key(node.index), value: node.hash)
                    }
                }
            }
        }
    }
}
