import Foundation
import TimelineModel

/// What a generator needs to know about the daemon it fuzzes.
public struct DaemonLimits: Sendable {
    public var maxFrameBytes: Int
    public var maxBatchEvents: Int
    /// The peer's role from `hello` (`admin`, `writer`, `reader` or `nil`).
    public var role: String?

    public init(maxFrameBytes: Int, maxBatchEvents: Int, role: String?) {
        self.maxFrameBytes = maxFrameBytes
        self.maxBatchEvents = maxBatchEvents
        self.role = role
    }

    var canWrite: Bool { role == "writer" || role == "admin" }
    var isAdmin: Bool { role == "admin" }
}

/// Makes the frames of one fuzzing connection, deterministically from a seed.
///
/// The mix: random byte lines (≈10%), well-formed requests sent as they are
/// (≈35%: valid appends, reads and subscriptions that must succeed, and
/// seeds that may be refused), mutated seeds (≈55%), and now and then a line
/// of exactly `maxFrameBytes` (served) or over it (refused, then closed).
///
/// Valid requests use their own order namespace (`V.fz.<tag>.<connection>.<n>`),
/// never mutated, so what they must achieve cannot be spoiled by a mutation;
/// seeds use `M-<tag>-<connection>-<k>`.
public struct FrameGenerator {
    private var rng: FuzzRandom
    private var seeds: RequestSeeds
    private let mutator: Mutator
    private let limits: DaemonLimits
    private let tag: String
    private let connection: Int
    private var requestCounter = 0
    private var validOrders: [ValidOrder] = []
    private var blobs: [String] = []
    private var recentSeeds: [[UInt8]] = []

    struct ValidOrder {
        var id: String
        var buyer: String
        var seller: String
        var created = false
    }

    /// - Parameters:
    ///   - seed: the run's seed; each connection derives its own stream from it.
    ///   - tag: letters and digits that keep this run's ids apart from other runs' on the same store.
    public init(seed: UInt64, connection: Int, tag: String, limits: DaemonLimits) {
        rng = FuzzRandom(seed: seed &* 0x2545_F491_4F6C_DD1D &+ UInt64(connection) &* 0x9E37_79B9)
        seeds = RequestSeeds(tag: tag, connection: connection, isAdmin: limits.isAdmin)
        mutator = Mutator(maxFrameBytes: limits.maxFrameBytes, maxBatchEvents: limits.maxBatchEvents)
        self.limits = limits
        self.tag = tag
        self.connection = connection
    }

    /// A draw from this generator's stream (window sizes, reconnect points).
    public mutating func draw(_ range: ClosedRange<Int>) -> Int { rng.int(range) }

    /// The next frame.
    public mutating func next() -> FuzzFrame {
        let roll = rng.below(10_000)
        switch roll {
        case 0..<30: return overLimit()
        case 30..<50: return atLimit()
        case 50..<1050: return randomLine()
        case 1050..<2800: return valid()
        case 2800..<4500:
            var frame = FuzzFrame(bytes: seedBytes(), kind: .valid, expectation: .documented)
            if !recentSeeds.isEmpty && rng.chance(0.2) { frame.bytes = rng.pick(recentSeeds) }
            return frame
        default: return mutated()
        }
    }

    /// A valid `unsubscribe` of a subscription this connection opened.
    public mutating func unsubscribe(_ subscription: String) -> FuzzFrame {
        let request: JSONValue = ["id": nextId(), "op": "unsubscribe", "subscription": .string(subscription)]
        // not_found: the daemon may have ended it (subscriber_too_slow) before this arrives.
        var frame = FuzzFrame(bytes: CanonicalJSON.encode(request), kind: .valid, expectation: .successOr(["not_found"]))
        frame.purpose = .unsubscribe(subscription)
        return frame
    }

    /// Learns from an `ok` reply to `frame` (orders created, evidence stored).
    public mutating func observeSuccess(of frame: FuzzFrame) {
        switch frame.purpose {
        case .createOrder(let i) where validOrders.indices.contains(i): validOrders[i].created = true
        case .putEvidence(let sha): if blobs.count < 64 { blobs.append(sha) }
        default: break
        }
    }

    // MARK: - Kinds of frames

    private mutating func nextId() -> JSONValue {
        requestCounter += 1
        return rng.chance(0.5) ? .int(Int64(requestCounter)) : .string("f\(connection)-\(requestCounter)")
    }

    private mutating func seedBytes() -> [UInt8] {
        let id = nextId()
        let bytes = mutator.sanitized(CanonicalJSON.encode(seeds.request(&rng, id: id)))
        recentSeeds.append(bytes)
        if recentSeeds.count > 32 { recentSeeds.removeFirst() }
        return bytes
    }

    private mutating func mutated() -> FuzzFrame {
        let count = rng.chance(0.6) ? 1 : rng.chance(0.6) ? 2 : 3
        var treeOps: [String] = []
        var byteOps: [String] = []
        for _ in 0..<count {
            if rng.chance(0.4) { treeOps.append(rng.pick(Mutator.treeOperators)) } else { byteOps.append(rng.pick(Mutator.byteOperators)) }
        }
        var tree = seeds.request(&rng, id: nextId())
        for op in treeOps { tree = mutator.mutateTree(tree, op, &rng) }
        var bytes = CanonicalJSON.encode(tree)
        let other = recentSeeds.isEmpty ? bytes : rng.pick(recentSeeds)
        for op in byteOps { bytes = mutator.mutateBytes(bytes, op, other: other, &rng) }
        var frame = FuzzFrame(bytes: mutator.sanitized(bytes), kind: .mutated, expectation: .documented)
        frame.mutations = treeOps + byteOps
        return frame
    }

    private mutating func randomLine() -> FuzzFrame {
        let length: Int
        switch rng.below(100) {
        case 0..<5: length = 0
        case 5..<40: length = rng.int(1...16)
        case 40..<80: length = rng.int(17...256)
        case 80..<98: length = rng.int(257...4096)
        default: length = rng.int(4097...32_768)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        switch rng.below(3) {
        case 0:
            while bytes.count < length { bytes.append(rng.byte()) }
        case 1:
            while bytes.count < length { bytes.append(UInt8(rng.int(0x20...0x7E))) }
        default:
            let tokens = ["{", "}", "[", "]", ":", ",", "\"", "\"id\"", "\"op\"", "\"ping\"", "\"append\"", "1", "-", "e", ".",
                          "true", "null", "\\", "\\u", "0", "\"events\"", " ", "\"\""]
            while bytes.count < length { bytes += Array(rng.pick(tokens).utf8) }
        }
        return FuzzFrame(bytes: mutator.sanitized(bytes), kind: .random, expectation: .documented)
    }

    private mutating func overLimit() -> FuzzFrame {
        let size = limits.maxFrameBytes + 1 + rng.below(limits.maxFrameBytes / 2 + 1)
        var bytes = Array("{\"id\":\"big-\(connection)-\(requestCounter)\",\"op\":\"ping\",\"pad\":\"".utf8)
        let fill: UInt8 = rng.chance(0.5) ? UInt8(ascii: "x") : UInt8(ascii: "\\")
        bytes += [UInt8](repeating: fill, count: max(0, size - bytes.count - 2)) + Array("\"}".utf8)
        var frame = FuzzFrame(bytes: bytes, kind: .overLimit, expectation: .frameTooLarge)
        frame.terminated = rng.chance(0.6)
        return frame
    }

    private mutating func atLimit() -> FuzzFrame {
        requestCounter += 1
        let id = "edge-\(connection)-\(requestCounter)"
        let prefix = Array("{\"id\":\"\(id)\",\"op\":\"ping\",\"pad\":\"".utf8)
        let crlf = rng.chance(0.3)  // a `\r` before the `\n` counts toward the limit and is dropped
        let fill = limits.maxFrameBytes - prefix.count - 2 - (crlf ? 1 : 0)
        let bytes = prefix + [UInt8](repeating: UInt8(ascii: "y"), count: max(0, fill)) + Array("\"}".utf8) + (crlf ? [0x0D] : [])
        return FuzzFrame(bytes: bytes, kind: .atLimit, expectation: .success)
    }

    // MARK: - Valid requests

    private mutating func valid() -> FuzzFrame {
        let created = validOrders.indices.filter { validOrders[$0].created }
        if limits.canWrite && (created.isEmpty || rng.chance(0.08)) { return createOrder() }
        let pick = created.isEmpty ? nil : validOrders[rng.pick(created)]
        let id = nextId()
        var purpose = FuzzFrame.Purpose.none
        var request: JSONValue
        switch (rng.below(100), pick) {
        case (0..<30, let o?) where limits.canWrite:
            let role = rng.chance(0.5) ? "buyer" : "seller"
            request = ["id": id, "op": "append", "order": .string(o.id), "events": [[
                "eventId": .string(validEventId()), "type": "chat.message",
                "actor": ["role": .string(role), "id": .string(role == "buyer" ? o.buyer : o.seller)],
                "data": ["channel": "order", "text": .string(rng.pick(RequestSeeds.texts))],
            ]]]
        case (30..<36, let o?) where limits.canWrite:
            let content = (0..<rng.int(1...1024)).map { _ in rng.byte() }
            let sha = Hashing.sha256Hex(content)
            purpose = .putEvidence(sha)
            request = [
                "id": id, "op": "evidence.put", "order": .string(o.id), "eventId": .string(validEventId()),
                "actor": ["role": "buyer", "id": .string(o.buyer)], "filename": "trade-log.png", "mediaType": "image/png",
                "channel": "order", "contentBase64": .string(Data(content).base64EncodedString()),
            ]
        case (36..<46, let o?):
            request = ["id": id, "op": "order.get", "order": .string(o.id)]
        case (46..<54, let o?):
            request = ["id": id, "op": "order.events", "order": .string(o.id), "limit": .int(Int64(rng.int(1...20)))]
        case (54..<60, let o?):
            request = ["id": id, "op": "subscribe", "orders": [.string(o.id)]]
        case (60..<65, let o?):
            request = ["id": id, "op": "participant.get", "participant": .string(rng.chance(0.5) ? o.buyer : o.seller)]
        case (65..<70, let o?):
            request = ["id": id, "op": "orders.list", "participant": .string(o.buyer), "limit": .int(Int64(rng.int(1...10)))]
        case (70..<74, _) where !blobs.isEmpty:
            request = ["id": id, "op": "evidence.get", "sha256": .string(rng.pick(blobs))]
        case (74..<80, _):
            request = ["id": id, "op": "log.read", "fromPosition": 1, "limit": .int(Int64(rng.int(1...20)))]
        case (80..<84, _):
            request = ["id": id, "op": "disputes.list", "limit": .int(Int64(rng.int(1...10)))]
        case (84..<87, _) where limits.isAdmin:
            request = ["id": id, "op": "admin.checkpoint"]
        default:
            request = ["id": id, "op": .string(rng.pick(["ping", "hello", "stats"]))]
        }
        var frame = FuzzFrame(bytes: CanonicalJSON.encode(request), kind: .valid, expectation: .success)
        frame.purpose = purpose
        return frame
    }

    private mutating func createOrder() -> FuzzFrame {
        let n = validOrders.count
        let order = ValidOrder(id: "V.fz.\(tag).\(connection).\(n)", buyer: "vb-\(connection)-\(n)", seller: "vs-\(connection)-\(n % 13)")
        validOrders.append(order)
        let request: JSONValue = [
            "id": nextId(), "op": "append", "order": .string(order.id), "expectedRevision": -1,
            "events": [
                [
                    "eventId": .string(validEventId()), "type": "order.placed", "actor": ["role": "system", "id": "shop"],
                    "data": [
                        "buyer": .string(order.buyer), "seller": .string(order.seller),
                        "item": ["title": "Dragon Lore AWP FN", "quantity": 3], "price": ["amount": 125_000, "currency": "EUR"],
                    ],
                ],
                ["eventId": .string(validEventId()), "type": "order.paid", "actor": ["role": "system", "id": "pay"]],
            ],
        ]
        var frame = FuzzFrame(bytes: CanonicalJSON.encode(request), kind: .valid, expectation: .success)
        frame.purpose = .createOrder(n)
        return frame
    }

    private mutating func validEventId() -> String {
        requestCounter += 1
        return "V.\(tag).\(connection).e\(requestCounter)"
    }
}
