import Foundation
import TimelineModel

/// Requests in the shape of the protocol: the raw material the mutator
/// works on. They name orders of a small per-connection namespace
/// (`M-<tag>-<connection>-<k>`), so later seeds find orders earlier ones
/// created and reach deeper states (deliveries, disputes, offers).
///
/// Seeds are well-formed but not necessarily valid: the daemon may refuse
/// them with any documented code. No seed names `admin.backup` (it writes
/// where its `path` says) or `admin.rebuild` (it rewrites every projection).
struct RequestSeeds {
    let tag: String
    let connection: Int
    let isAdmin: Bool
    private var counter = 0
    private var recentEventIds: [String] = []

    init(tag: String, connection: Int, isAdmin: Bool) {
        self.tag = tag
        self.connection = connection
        self.isAdmin = isAdmin
    }

    static let eventTypes = [
        "order.placed", "order.paid", "order.cancelled", "delivery.marked", "delivery.confirmed", "order.completed",
        "refund.issued", "dispute.opened", "dispute.offer", "dispute.offer.accepted", "dispute.offer.declined",
        "dispute.escalated", "dispute.resolved", "dispute.closed", "chat.message", "chat.message", "chat.message",
        "participant.availability", "support.note", "evidence.attached", "moderation.flagged",
    ]
    static let outcomes = ["deliver_missing", "correct_item", "partial_refund", "full_refund"]
    static let texts = [
        "hi, I just paid, when can you deliver?", "trade offer sent, 18:30", "got 1 of 3, the rest today?",
        "call me at +49 151 23456789", "add me on discord: trader#1234", "pay outside: me@example.com",
        "ünïcødé ✓ 💥 \u{202E}txet desrever", "a", String(repeating: "long message ", count: 300),
    ]
    static let readOps = ["order.get", "order.events", "log.read", "orders.list", "disputes.list", "participant.get", "stats", "hello", "ping"]

    func order(_ k: Int) -> String { "M-\(tag)-\(connection)-\(k)" }
    func buyer(_ k: Int) -> String { "mb-\(connection)-\(k % 7)" }
    func seller(_ k: Int) -> String { "ms-\(connection)-\(k % 5)" }

    /// A new event id, now and then one sent before (an idempotent retry or a conflict).
    mutating func eventId(_ rng: inout FuzzRandom) -> String {
        if !recentEventIds.isEmpty && rng.chance(0.08) { return rng.pick(recentEventIds) }
        counter += 1
        let id = "M-\(tag)-\(connection)-e\(counter)"
        recentEventIds.append(id)
        if recentEventIds.count > 64 { recentEventIds.removeFirst() }
        return id
    }

    /// One request envelope with `id`.
    mutating func request(_ rng: inout FuzzRandom, id: JSONValue) -> JSONValue {
        var params: [String: JSONValue]
        let op: String
        let k = rng.below(40)
        switch rng.below(100) {
        case 0..<45:
            op = "append"
            params = append(&rng, k: k)
        case 45..<50:
            op = "evidence.put"
            params = evidencePut(&rng, k: k)
        case 50..<53:
            op = "evidence.get"
            params = ["sha256": .string(randomHex(&rng, count: rng.chance(0.9) ? 64 : rng.int(0...70)))]
        case 53..<61:
            op = "order.get"
            params = ["order": .string(order(k))]
            if rng.chance(0.3) { params["atPosition"] = .int(Int64(rng.int(0...5000))) }
        case 61..<67:
            op = "order.events"
            params = ["order": .string(order(k)), "limit": .int(Int64(rng.int(1...50)))]
            if rng.chance(0.5) { params["fromRevision"] = .int(Int64(rng.int(0...20))) }
            if rng.chance(0.5) { params["direction"] = .string(rng.pick(["forward", "backward", "sideways"])) }
        case 67..<72:
            op = "log.read"
            params = ["fromPosition": .int(Int64(rng.int(1...5000))), "limit": .int(Int64(rng.int(1...30)))]
        case 72..<76:
            // Always filtered to one order: an unfiltered subscription would receive every event appended.
            op = "subscribe"
            params = ["orders": [.string(order(k))]]
            if rng.chance(0.4) { params["types"] = [.string(rng.pick(Self.eventTypes + ["no.such.type"]))] }
        case 76..<78:
            op = "unsubscribe"
            params = ["subscription": .string("s-\(rng.int(0...500))")]
        case 78..<82:
            op = "orders.list"
            params = ["limit": .int(Int64(rng.int(1...20)))]
            if rng.chance(0.6) { params["participant"] = .string(rng.chance(0.5) ? buyer(k) : seller(k)) }
            if rng.chance(0.3) { params["state"] = .string(rng.pick(["placed", "paid", "delivered", "completed", "cancelled", "refunded", "lost"])) }
            if rng.chance(0.2) { params["after"] = .string(order(k)) }
        case 82..<85:
            op = "disputes.list"
            params = ["limit": .int(Int64(rng.int(1...20)))]
            if rng.chance(0.5) { params["status"] = .string(rng.pick(["open", "escalated", "resolved", "closed", "frozen"])) }
        case 85..<88:
            op = "participant.get"
            params = ["participant": .string(rng.chance(0.5) ? buyer(k) : seller(k))]
        case 88..<97:
            op = rng.pick(["stats", "hello", "ping"])
            params = [:]
        default:
            op = isAdmin ? rng.pick(["admin.checkpoint", "admin.reloadModeration"]) : "ping"
            params = [:]
        }
        params["id"] = id
        params["op"] = .string(op)
        return .object(params)
    }

    // MARK: - Writes

    mutating func append(_ rng: inout FuzzRandom, k: Int) -> [String: JSONValue] {
        var events: [JSONValue] = []
        var params: [String: JSONValue] = ["order": .string(order(k))]
        if rng.chance(0.2) {
            events = [event(&rng, type: "order.placed", k: k), event(&rng, type: "order.paid", k: k)]
            if rng.chance(0.7) { params["expectedRevision"] = -1 }
        } else {
            for _ in 0..<rng.int(1...3) { events.append(event(&rng, type: rng.pick(Self.eventTypes), k: k)) }
            if rng.chance(0.15) { params["expectedRevision"] = .int(Int64(rng.int(-1...12))) }
        }
        params["events"] = .array(events)
        return params
    }

    mutating func event(_ rng: inout FuzzRandom, type: String, k: Int) -> JSONValue {
        let buyer = buyer(k), seller = seller(k)
        func actor(_ role: String) -> JSONValue {
            let id: String
            switch role {
            case "buyer": id = buyer
            case "seller": id = seller
            case "support": id = "agent-\(k % 3)"
            default: id = "platform"
            }
            return ["role": .string(role), "id": .string(id)]
        }
        var role = "system"
        var data: [String: JSONValue] = [:]
        switch type {
        case "order.placed":
            role = rng.chance(0.8) ? "system" : "buyer"
            data = [
                "buyer": .string(buyer), "seller": .string(seller),
                "item": ["title": .string(rng.pick(["AK-47 Redline FT", "Dragon Sword +5", "lvl 80 account"])), "quantity": .int(Int64(rng.int(1...5)))],
                "price": ["amount": .int(Int64(rng.int(1...200_000))), "currency": .string(rng.pick(["EUR", "USD", "eur", "XXXX"]))],
            ]
        case "order.paid": role = "system"
        case "order.cancelled":
            role = rng.pick(["buyer", "support", "system"])
            data = ["reason": "changed my mind"]
        case "delivery.marked":
            role = "seller"
            data = ["quantity": .int(Int64(rng.int(1...5)))]
            if rng.chance(0.3) { data["note"] = "sent via trade" }
        case "delivery.confirmed": role = rng.pick(["buyer", "support"])
        case "order.completed":
            role = rng.pick(["system", "support"])
            data = ["rule": "manual"]
        case "refund.issued":
            role = rng.pick(["system", "support"])
            data = ["amount": .int(Int64(rng.int(1...200_000)))]
        case "dispute.opened":
            role = "buyer"
            let outcome = rng.pick(Self.outcomes)
            data = [
                "reason": .string(rng.pick(["not_delivered", "incomplete", "wrong_item", "other"])),
                "requestedOutcome": .string(outcome), "description": "only one of two arrived",
            ]
            if outcome == "partial_refund" || rng.chance(0.1) { data["amount"] = .int(Int64(rng.int(1...2000))) }
        case "dispute.offer":
            role = rng.pick(["buyer", "seller"])
            let outcome = rng.pick(Self.outcomes)
            data = ["outcome": .string(outcome), "note": "sending the rest tonight"]
            if outcome == "partial_refund" { data["amount"] = .int(Int64(rng.int(1...2000))) }
        case "dispute.offer.accepted", "dispute.offer.declined":
            role = rng.pick(["buyer", "seller"])
            data = ["offerRevision": .int(Int64(rng.int(0...12)))]
        case "dispute.escalated": role = rng.pick(["buyer", "seller", "system"])
        case "dispute.resolved":
            role = "support"
            data = ["outcome": .string(rng.pick(Self.outcomes)), "note": "resolved by support"]
        case "dispute.closed":
            role = rng.pick(["buyer", "support"])
            data = ["withdrawn": .bool(rng.chance(0.5))]
        case "chat.message":
            role = rng.pick(["buyer", "seller", "support"])
            data = ["channel": .string(rng.chance(0.85) ? "order" : "dispute"), "text": .string(rng.pick(Self.texts))]
        case "participant.availability":
            role = rng.pick(["buyer", "seller"])
            data = ["until": "2026-12-01T18:00:00Z", "note": "travelling"]
        case "support.note":
            role = "support"
            data = ["text": "checked the trade log"]
        case "evidence.attached":
            role = "buyer"
            data = ["sha256": .string(randomHex(&rng, count: 64)), "size": 10, "filename": "a.png", "mediaType": "image/png", "channel": "order"]
        default:
            data = ["rule": "flag_after_filtered", "actorId": .string(buyer), "count": 3]
        }
        var e: [String: JSONValue] = ["eventId": .string(eventId(&rng)), "type": .string(type), "actor": actor(role)]
        if !data.isEmpty || rng.chance(0.5) { e["data"] = .object(data) }
        if rng.chance(0.1) { e["occurredAt"] = .string(rng.pick(["2026-11-26T15:00:00Z", "2026-11-26T15:00:00.123456Z", "yesterday"])) }
        return .object(e)
    }

    mutating func evidencePut(_ rng: inout FuzzRandom, k: Int) -> [String: JSONValue] {
        let content = (0..<rng.int(0...2048)).map { _ in rng.byte() }
        var params: [String: JSONValue] = [
            "order": .string(order(k)), "eventId": .string(eventId(&rng)),
            "actor": ["role": .string(rng.pick(["buyer", "seller"])), "id": .string(rng.chance(0.5) ? buyer(k) : seller(k))],
            "filename": .string(rng.pick(["shot.png", "../../etc/passwd", "trade log.txt", "..", "a\u{1}b.png"])),
            "mediaType": .string(rng.pick(["image/png", "text/plain", ""])),
            "channel": .string(rng.chance(0.9) ? "order" : "dispute"),
            "contentBase64": .string(rng.chance(0.95) ? Data(content).base64EncodedString() : "!!not base64!!"),
        ]
        if rng.chance(0.5) { params["description"] = "what arrived" }
        return params
    }
}

/// `count` random lowercase hex digits.
func randomHex(_ rng: inout FuzzRandom, count: Int) -> String {
    String(decoding: (0..<count).map { _ in Hashing.hexDigits[rng.below(16)] }, as: UTF8.self)
}
