import Foundation
import TestSupport
import Testing
import TimelineClient
import TimelineModel

/// Redaction, appeals and statements of reasons over the socket of a real daemon.
@Suite("redress: admin.redact, appeals, statements of reasons", .timeLimit(.minutes(5)))
struct RedressTests {
    /// One message per rule kind, with the rule it must fire and the category its statement gets.
    static let ruleSamples: [(text: String, rule: String, category: String)] = [
        ("mail me: john.smith@gmail.com", "contact.email", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"),
        ("call me +1 415 555 0132", "contact.phone", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"),
        ("join discord.gg/abc", "contact.link", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"),
        ("add me on d i s c o r d", "contact.messenger", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"),
        ("pay me via paypal friends and family", "payment.offplatform", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"),
        ("you idiot", "harassment", "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"),
        (String(repeating: "buy my gold now ", count: 120), "spam.length", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"),
    ]

    /// The Transparency Database's enumerations for the fields a statement carries.
    static let enumerations: [String: Set<String>] = [
        "decision_ground": ["DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT"],
        "category": Set(DSASettings.categories),
        "source_type": ["SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER", "SOURCE_TYPE_OTHER_NOTIFICATION", "SOURCE_VOLUNTARY"],
        "automated_detection": ["Yes", "No"],
        "automated_decision": ["AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY", "AUTOMATED_DECISION_NOT_AUTOMATED"],
    ]
    static let arrayEnumerations: [String: Set<String>] = [
        "decision_visibility": [
            "DECISION_VISIBILITY_CONTENT_REMOVED", "DECISION_VISIBILITY_CONTENT_DISABLED", "DECISION_VISIBILITY_CONTENT_DEMOTED",
            "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED", "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
            "DECISION_VISIBILITY_CONTENT_LABELLED", "DECISION_VISIBILITY_OTHER",
        ],
        "content_type": [
            "CONTENT_TYPE_APP", "CONTENT_TYPE_AUDIO", "CONTENT_TYPE_IMAGE", "CONTENT_TYPE_PRODUCT", "CONTENT_TYPE_SYNTHETIC_MEDIA",
            "CONTENT_TYPE_TEXT", "CONTENT_TYPE_VIDEO", "CONTENT_TYPE_OTHER",
        ],
        "territorial_scope": Set(DSASettings.eeaCountries),
    ]

    /// Problems of `statement` against the Transparency Database's field rules.
    static func schemaProblems(_ statement: JSONValue) -> [String] {
        var problems: [String] = []
        for (field, allowed) in enumerations where !(statement[field]?.stringValue.map(allowed.contains) ?? false) {
            problems.append("\(field) = \(String(describing: statement[field]))")
        }
        for (field, allowed) in arrayEnumerations {
            let values = statement[field]?.array.compactMap(\.stringValue) ?? []
            if values.isEmpty || !values.allSatisfy(allowed.contains) { problems.append("\(field) = \(String(describing: statement[field]))") }
        }
        for field in ["content_date", "application_date"] {
            let text = statement[field]?.stringValue ?? ""
            if text.count != 10 || Timestamp(rfc3339: text + "T00:00:00Z") == nil { problems.append("\(field) = \(text)") }
        }
        for field in ["puid", "incompatible_content_ground", "incompatible_content_explanation", "decision_facts", "redress"]
        where (statement[field]?.stringValue ?? "").isEmpty {
            problems.append("\(field) is empty")
        }
        return problems
    }

    static func position(_ reply: JSONValue) -> Int64 { reply["events"]?.array.first?["position"]?.intValue ?? 0 }

    @Test("admin.redact erases chat, note and evidence data over the socket; reads, catch-up and evidence.get show it; refusals name the event")
    func redactOverSocket() async throws {
        try await withDaemon { _, client in
            let a = OrderFixture("R")
            let b = OrderFixture("S")
            try await a.create(client)
            try await b.create(client)
            let secret = "my locker code is QX7-SECRET-4471"
            let chat = Self.position(try await client.append(order: a.order, events: [a.chat("buyer", secret)]))
            let note = Self.position(try await client.append(order: a.order, events: [a.note("the buyer's address is 12 Secret Lane")]))
            let shared = Array("screenshot shared by two orders".utf8)
            let own = Array("a file only order R has".utf8)
            let e1 = try await client.call("evidence.put", EvidenceTests.putParams(a, shared))
            _ = try await client.call("evidence.put", EvidenceTests.putParams(b, shared))
            let e2 = try await client.call("evidence.put", EvidenceTests.putParams(a, own))
            let positions = [chat, note, e1["position"]?.intValue ?? 0, e2["position"]?.intValue ?? 0]
            let before = try await readWholeLog(client)

            let r = try await client.call("admin.redact", [
                "order": .string(a.order), "positions": .array(positions.map { .int($0) }),
                "reason": "GDPR Art. 17 request 118", "requestedBy": "dpo-ticket-118",
            ])
            #expect(r["redacted"]?.intValue == 4)
            #expect(r["blobsDeleted"]?.intValue == 1, "the file order S also names stays")
            #expect(r["status"]?.stringValue == "recorded")
            #expect(r["events"]?.array.first?["position"] == r["position"], "also as append's reply has it")
            let redactionPosition = try #require(r["position"]?.intValue)

            let after = try await readWholeLog(client)
            for p in positions {
                let old = before[Int(p - 1)], now = after[Int(p - 1)]
                #expect(now["data"] == nil, "position \(p) is returned without data")
                #expect(now["dataHash"] == old["dataHash"] && now["hash"] == old["hash"] && now["prevHash"] == old["prevHash"])
            }
            let redaction = after[Int(redactionPosition - 1)]
            #expect(redaction["type"]?.stringValue == "redaction.applied")
            #expect(redaction["data"]?["targets"]?.array.count == 4)
            #expect(redaction["data"]?["requestedBy"]?.stringValue == "dpo-ticket-118")
            #expect(!text(.array(after)).contains("QX7-SECRET"), "the secret is in no read")

            let events = try await client.call("order.events", ["order": .string(a.order)])
            #expect(events["events"]?.array.first { $0["position"]?.intValue == chat }?["data"] == nil)
            await expectFailure("not_found") { try await client.call("evidence.get", ["sha256": .string(Hashing.sha256Hex(own))]) }
            #expect(try await client.call("evidence.get", ["sha256": .string(Hashing.sha256Hex(shared))])["size"]?.intValue == Int64(shared.count))
            #expect(try await client.order(a.order)["evidence"]?.array.isEmpty == true)
            #expect(try await client.order(b.order)["evidence"]?.array.count == 1)

            // Catch-up from position 1 serves the redacted records.
            let sub = try await client.subscribe(fromPosition: 1, orders: [a.order])
            let pushed = try await SubscriptionTests.collect(sub.events, through: Int(redactionPosition))
            let pushedChat = try #require(pushed.first { $0["position"]?.intValue == chat })
            #expect(pushedChat["data"] == nil && pushedChat["hash"] == before[Int(chat - 1)]["hash"])

            let again = await expectFailure("bad_request") {
                try await client.call("admin.redact", ["order": .string(a.order), "positions": [.int(chat)], "reason": "again", "requestedBy": "dpo"])
            }
            #expect(again?.message.contains("position \(chat)") == true && again?.message.contains("already redacted") == true)
            let placed = await expectFailure("bad_request") {
                try await client.call("admin.redact", ["order": .string(a.order), "positions": [1], "reason": "x", "requestedBy": "dpo"])
            }
            #expect(placed?.message.contains("order.placed") == true)
            await expectFailure("bad_request") { try await client.call("admin.redact", ["order": .string(a.order), "positions": [], "reason": "x", "requestedBy": "dpo"]) }
            await expectFailure("bad_request") { try await client.call("admin.redact", ["order": .string(a.order), "positions": [.int(chat)], "requestedBy": "dpo"]) }
            await expectFailure("not_found") { try await client.call("admin.redact", ["order": "nope", "positions": [.int(chat)], "reason": "x", "requestedBy": "dpo"]) }
            await expectFailure("not_found") { try await client.call("admin.redact", ["order": .string(a.order), "positions": [999_999], "reason": "x", "requestedBy": "dpo"]) }

            // The views a rebuild derives from the redacted log are the live ones.
            let view = try await client.order(a.order)
            _ = try await client.call("admin.rebuild")
            #expect(try await client.order(a.order) == view)
        }
    }

    @Test("the author appeals a filtered message, support overturns it: counts, awaitingReplyFrom, appeals.list and the statement change")
    func appealOverturned() async throws {
        try await withDaemon { _, client in
            let a = OrderFixture("P")
            try await a.create(client)
            _ = try await client.append(order: a.order, events: [a.chat("seller", "hi, when can you trade?")])
            let reply = try await client.append(order: a.order, events: [a.chat("buyer", "add me on d i s c o r d")])
            let message = Self.position(reply)
            #expect(reply["events"]?.array.first?["moderation"]?["verdict"]?.stringValue == "filtered")
            var view = try await client.order(a.order)
            #expect(view["messages"]?["filtered"]?.intValue == 1 && view["messages"]?["visible"]?.intValue == 1)
            #expect(view["awaitingReplyFrom"]?.stringValue == "buyer", "the filtered reply does not count")

            let statement = try await client.call("moderation.statement", ["position": .int(message)])
            #expect(Self.schemaProblems(statement) == [])
            #expect(statement["automated_decision"]?.stringValue == "AUTOMATED_DECISION_FULLY")
            #expect(statement["puid"]?.stringValue == "0-\(message)")

            func appeal(_ role: String, _ id: String, position: Int64 = message) -> JSONValue {
                OrderFixture.event("moderation.appealed", role, id, ["position": .int(position), "text": "I only named the item I sell"])
            }
            let notAuthor = await expectFailure("invalid_event") { try await client.append(order: a.order, events: [appeal("seller", a.seller)]) }
            #expect(notAuthor?.message.contains("author") == true)
            await expectFailure("invalid_transition") { try await client.append(order: a.order, events: [appeal("buyer", a.buyer, position: message - 1)]) }
            let appealPosition = Self.position(try await client.append(order: a.order, events: [appeal("buyer", a.buyer)]))
            await expectFailure("invalid_transition") { try await client.append(order: a.order, events: [appeal("buyer", a.buyer)]) }
            let pending = try await client.call("appeals.list", ["status": "pending"])["appeals"]?.array ?? []
            let mine = try #require(pending.first { $0["order"]?.stringValue == a.order })
            #expect(mine["position"]?.intValue == message && mine["appealPosition"]?.intValue == appealPosition && mine["reviewedAt"] == nil)

            func review(_ role: String, _ id: String, _ decision: String) -> JSONValue {
                OrderFixture.event("moderation.reviewed", role, id, ["position": .int(message), "decision": .string(decision), "note": "item name, not a contact"])
            }
            await expectFailure("invalid_event") { try await client.append(order: a.order, events: [review("buyer", a.buyer, "overturned")]) }
            await expectFailure("invalid_event") { try await client.append(order: a.order, events: [review("system", "bot", "overturned")]) }
            _ = try await client.append(order: a.order, events: [review("support", "agent-1", "overturned")])
            view = try await client.order(a.order)
            #expect(view["messages"]?["filtered"]?.intValue == 0 && view["messages"]?["visible"]?.intValue == 2)
            #expect(view["awaitingReplyFrom"]?.stringValue == "seller", "the overturned message counts as sent at the review")
            await expectFailure("invalid_transition") { try await client.append(order: a.order, events: [review("support", "agent-2", "upheld")]) }

            let overturned = try await client.call("appeals.list", ["status": "overturned"])["appeals"]?.array ?? []
            #expect(overturned.first { $0["order"]?.stringValue == a.order }?["reviewedAt"]?.stringValue != nil)
            #expect(try await client.call("appeals.list", ["status": "pending"])["appeals"]?.array.contains { $0["order"]?.stringValue == a.order } == false)
            await expectFailure("bad_request") { try await client.call("appeals.list", ["status": "maybe"]) }

            let decided = try await client.call("moderation.statement", ["position": .int(message)])
            #expect(Self.schemaProblems(decided) == [])
            #expect(decided["automated_decision"]?.stringValue == "AUTOMATED_DECISION_NOT_AUTOMATED")
            #expect(decided["decision_facts"]?.stringValue?.contains("overturned") == true)
            await expectFailure("bad_request") { try await client.call("moderation.statement", ["position": .int(message - 1)]) }
            await expectFailure("not_found") { try await client.call("moderation.statement", ["position": 999_999]) }
        }
    }

    @Test("statements for every rule kind pass the Transparency Database enumerations and name no text or user; timeline-audit statements writes them in bulk")
    func statementsForEveryRule() async throws {
        let scratch = try ScratchDirectory()
        try await withDaemon { daemon, client in
            var positions: [Int64] = []
            var secrets: [String] = []
            for (i, sample) in Self.ruleSamples.enumerated() {
                let a = OrderFixture("D\(i)", buyer: "buyer-private-\(i)", seller: "seller-private-\(i)")
                try await a.create(client)
                let reply = try await client.append(order: a.order, events: [a.chat("buyer", sample.text)])
                #expect(reply["events"]?.array.first?["moderation"]?["rules"]?.array.compactMap(\.stringValue).contains(sample.rule) == true, "\(sample.rule)")
                positions.append(Self.position(reply))
                secrets += [a.buyer, a.seller, a.order]
                let statement = try await client.call("moderation.statement", ["position": .int(Self.position(reply))])
                #expect(Self.schemaProblems(statement) == [], "\(sample.rule): \(Self.schemaProblems(statement))")
                #expect(statement["category"]?.stringValue == sample.category, "\(sample.rule)")
                #expect(statement["rules"]?.array.compactMap(\.stringValue).contains(sample.rule) == true)
                let body = text(statement)
                for secret in [a.buyer, a.seller, a.order, String(sample.text.prefix(20))] {
                    #expect(!body.contains(secret), "\(sample.rule): the statement names \(secret)")
                }
            }
            await client.close()
            #expect(try await offPool { try daemon.stop() } == 0)

            let out = scratch.file("statements")
            let run = try PackageBinary.run("timeline-audit", ["statements", "--data", daemon.dataDirectory, "--out", out])
            #expect(run.status == 0, "\(run.stderr)")
            let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
            #expect(files == ["statements-00001.json"])
            let bytes = try Data(contentsOf: URL(fileURLWithPath: out + "/" + files[0]))
            let exported = try JSONParser.parse(Array(bytes))["statements"]?.array ?? []
            #expect(exported.map { $0["puid"]?.stringValue } == positions.map { "0-\($0)" })
            #expect(exported.allSatisfy { Self.schemaProblems($0).isEmpty })
            let whole = String(decoding: bytes, as: UTF8.self)
            for secret in secrets + Self.ruleSamples.map({ String($0.text.prefix(20)) }) {
                #expect(!whole.contains(secret), "the bulk file names \(secret)")
            }
            let none = try PackageBinary.run("timeline-audit", ["statements", "--data", daemon.dataDirectory, "--out", scratch.file("none"), "--to", "2000-01-01"])
            #expect(none.status == 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.file("none")).isEmpty)
        }
    }

    @Test("an appeal after the window (moderation.appealWindowDays) is refused, one inside it is taken")
    func appealWindow() async throws {
        let first = try DaemonProcess()
        try await offPool { try first.start() }
        var client = try await connect(first)
        let a = OrderFixture("W"), b = OrderFixture("X")
        var messages: [String: Int64] = [:]
        for f in [a, b] {
            try await f.create(client)
            messages[f.order] = Self.position(try await client.append(order: f.order, events: [f.chat("buyer", "you idiot")]))
        }
        await client.close()
        #expect(try await offPool { try first.stop() } == 0)

        func appeal(_ f: OrderFixture) -> JSONValue {
            OrderFixture.event("moderation.appealed", "buyer", f.buyer, ["position": .int(messages[f.order] ?? 0), "text": "it was a joke between friends"])
        }
        // 182 days later: inside the default 183-day window.
        let second = try DaemonProcess(scratch: first.scratch, socketPath: first.socketPath, dataDirectory: first.dataDirectory)
        second.environment = ["TIMELINED_CLOCK_OFFSET_SECONDS": String(182 * 86_400)]
        try await offPool { try second.start() }
        client = try await connect(second)
        _ = try await client.append(order: a.order, events: [appeal(a)])
        await client.close()
        #expect(try await offPool { try second.stop() } == 0)

        let third = try DaemonProcess(scratch: first.scratch, socketPath: first.socketPath, dataDirectory: first.dataDirectory)
        third.environment = ["TIMELINED_CLOCK_OFFSET_SECONDS": String(184 * 86_400)]
        try await offPool { try third.start() }
        client = try await connect(third)
        let late = await expectFailure("invalid_transition") { try await client.append(order: b.order, events: [appeal(b)]) }
        #expect(late?.message.contains("183 days") == true, "\(String(describing: late?.message))")
        await client.close()
        #expect(try await offPool { try third.stop() } == 0)
    }

    @Test("timelinectl redact asks for confirmation: no answer or \"no\" redacts nothing, \"yes\" or --yes does")
    func ctlRedact() async throws {
        try await withDaemon { daemon, client in
            let a = OrderFixture("C")
            try await a.create(client)
            let first = Self.position(try await client.append(order: a.order, events: [a.chat("buyer", "first secret")]))
            let second = Self.position(try await client.append(order: a.order, events: [a.chat("buyer", "second secret")]))
            func redact(_ position: Int64, _ extra: [String] = [], input: String? = nil) throws -> PackageBinary.Outcome {
                try PackageBinary.run("timelinectl", [
                    "redact", "--socket", daemon.socketPath, "--order", a.order, "--position", String(position),
                    "--reason", "GDPR Art. 17", "--requested-by", "dpo",
                ] + extra, input: input)
            }
            let head = try await client.stats()["head"]?.intValue
            for input in [nil, "no\n"] {
                let refused = try redact(first, input: input)
                #expect(refused.status == 3 && refused.stderr.contains("not confirmed"), "\(refused)")
            }
            #expect(try await client.stats()["head"]?.intValue == head, "nothing was redacted")
            let confirmed = try redact(first, input: "yes\n")
            #expect(confirmed.status == 0 && confirmed.stdout.contains("Redacted 1 event"), "\(confirmed)")
            let forced = try redact(second, ["--yes", "--json"])
            let forcedReply = try JSONParser.parse(Array(forced.stdout.utf8))
            #expect(forced.status == 0 && forcedReply["redacted"]?.intValue == 1, "\(forced)")
            let again = try redact(second, ["--yes"])
            #expect(again.status == 1 && again.stderr.contains("bad_request") && again.stderr.contains("already redacted"), "\(again)")
            let log = try await readWholeLog(client)
            #expect(log[Int(first - 1)]["data"] == nil && log[Int(second - 1)]["data"] == nil)
        }
    }

    @Test("with cluster.shards 2, an order of the other shard gets wrong_shard naming it; the daemon's own orders work; statements carry the shard")
    func wrongShard() async throws {
        var config = DaemonConfig()
        config.cluster = ["shards": 2, "shardId": 1]
        try await withDaemon(config) { _, client in
            var mine = OrderFixture("M"), theirs = OrderFixture("T")
            while ShardMap.shard(of: mine.order, shards: 2) != 1 { mine = OrderFixture("M") }
            while ShardMap.shard(of: theirs.order, shards: 2) != 0 { theirs = OrderFixture("T") }
            try await mine.create(client)
            let shard = try await client.hello()["shard"]
            #expect(shard?["shards"]?.intValue == 2 && shard?["shardId"]?.intValue == 1 && shard?["storeId"]?.stringValue?.count == 32)
            let refused = await expectFailure("wrong_shard") { try await theirs.create(client) }
            #expect(refused?.details["shard"]?.intValue == 0, "\(String(describing: refused))")
            await expectFailure("wrong_shard") { try await client.order(theirs.order) }
            let filtered = Self.position(try await client.append(order: mine.order, events: [mine.chat("buyer", "you idiot")]))
            #expect(try await client.call("moderation.statement", ["position": .int(filtered)])["puid"]?.stringValue == "1-\(filtered)")
            #expect(try await client.call("admin.checkpoint")["note"]?.stringValue?.hasPrefix("ordertimeline/1\n") == true)
        }
    }
}
