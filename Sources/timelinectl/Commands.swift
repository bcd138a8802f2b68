import ArgumentParser
import Foundation
import TerminalProgress
import TimelineClient
import TimelineModel

// MARK: - status

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The daemon's figures (stats).")
    @OptionGroup var connection: Connection

    func run() async throws {
        let stats = try await connection.with { try await $0.stats() }
        connection.output(stats) {
            let keys = ["head", "events", "orders", "blobs", "timers", "connections", "subscriptions", "queueDepth", "mapUsedBytes", "mapSizeBytes", "durability", "uptimeSeconds"]
            var pairs = keys.compactMap { k in stats[k].map { (k, Format.text($0)) } }
            for k in (stats.objectValue?.keys.sorted() ?? []) where !keys.contains(k) && k != "headHash" { pairs.append((k, Format.text(stats[k]))) }
            return Format.pairs(pairs)
        }
    }
}

// MARK: - order show / order events

struct OrderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "order", abstract: "One order: its view or its events.", subcommands: [Show.self, Events.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The order view (order.get).")
        @OptionGroup var connection: Connection
        @Argument(help: "The order id.") var order: String
        @Option(help: "The view as it stood after this global position.") var at: UInt64?

        func run() async throws {
            let v = try await connection.with { try await $0.order(order, atPosition: at) }
            connection.output(v) {
                let d = v["dispute"]
                let m = v["messages"]
                return Format.pairs([
                    ("order", Format.text(v["order"])), ("state", Format.text(v["state"])),
                    ("buyer", Format.text(v["buyer"])), ("seller", Format.text(v["seller"])),
                    ("item", "\(Format.text(v["item"]?["title"])) × \(Format.text(v["item"]?["quantity"]))"),
                    ("price", Format.money(v["price"])),
                    ("delivered", "\(Format.text(v["deliveredQuantity"])) of \(Format.text(v["item"]?["quantity"]))"),
                    ("refunded", "\(Format.text(v["refundedAmount"]))"),
                    ("dispute", d == nil || d == .null ? "none" : "\(Format.text(d?["status"])) (\(Format.text(d?["reason"])), asks \(Format.text(d?["requestedOutcome"])))"),
                    ("messages", "\(Format.text(m?["visible"])) visible, \(Format.text(m?["filtered"])) filtered, \(Format.text(m?["hidden"])) hidden, \(Format.text(m?["flagged"])) flagged"),
                    ("evidence", "\(v["evidence"]?.arrayValue?.count ?? 0) file(s)"),
                    ("awaiting reply", v["awaitingReplyFrom"]?.stringValue.map { "\($0) since \(Format.text(v["awaitingSince"]))" } ?? "nobody"),
                    ("placed", Format.text(v["placedAt"])), ("paid", Format.text(v["paidAt"])),
                    ("delivered at", Format.text(v["deliveredAt"])), ("completed", Format.text(v["completedAt"])),
                    ("revision", Format.text(v["revision"])), ("last position", Format.text(v["lastPosition"])),
                ])
            }
        }
    }

    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every event of the order, oldest first (order.events, all pages).")
        @OptionGroup var connection: Connection
        @Argument(help: "The order id.") var order: String

        func run() async throws {
            let events = try await connection.with { client -> [JSONValue] in
                var all: [JSONValue] = []
                var from: UInt64 = 0
                while true {
                    let page = try await client.orderEvents(order, fromRevision: from, limit: 1000)
                    all += page["events"]?.arrayValue ?? []
                    guard let next = page["next"]?.intValue else { return all }
                    from = UInt64(next)
                }
            }
            connection.output(["order": .string(order), "events": .array(events)]) {
                Format.table(Format.eventHeader, events.map(Format.eventRow))
            }
        }
    }
}

// MARK: - orders / disputes

struct Orders: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Orders of a participant, or in a state (orders.list, all pages).")
    @OptionGroup var connection: Connection
    @Option(help: "A user id: the orders they buy or sell in.") var participant: String?
    @Option(help: "placed, paid, delivered, completed, cancelled or refunded.") var state: String?

    func run() async throws {
        let orders = try await connection.with { client -> [JSONValue] in
            var all: [JSONValue] = []
            var after: String?
            repeat {
                var params: [String: JSONValue] = ["limit": 1000]
                if let participant { params["participant"] = .string(participant) }
                if let state { params["state"] = .string(state) }
                if let after { params["after"] = .string(after) }
                let page = try await client.call("orders.list", params)
                all += page["orders"]?.arrayValue ?? []
                after = page["after"]?.stringValue
            } while after != nil
            return all
        }
        connection.output(["orders": .array(orders)]) {
            if orders.isEmpty { return "No orders match.\n" }
            return Format.table(
                ["ORDER", "STATE", "DISPUTE", "BUYER", "SELLER", "PRICE", "REV", "UPDATED"],
                orders.map { o in
                    [Format.text(o["order"]), Format.text(o["state"]), Format.text(o["dispute"]), Format.text(o["buyer"]), Format.text(o["seller"]),
                     Format.money(o["price"]), Format.text(o["revision"]), Format.text(o["updatedAt"])]
                }
            )
        }
    }
}

struct Disputes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The dispute queue, oldest first (disputes.list).")
    @OptionGroup var connection: Connection
    @Option(help: "open, escalated, resolved or closed.") var status: String?
    @Option(help: "At most this many.") var limit: Int = 100

    func run() async throws {
        var params: [String: JSONValue] = ["limit": .int(Int64(limit))]
        if let status { params["status"] = .string(status) }
        let result = try await connection.with { try await $0.call("disputes.list", params) }
        let disputes = result["disputes"]?.arrayValue ?? []
        connection.output(result) {
            if disputes.isEmpty { return "No disputes\(status.map { " with status \($0)" } ?? "").\n" }
            return Format.table(
                ["ORDER", "STATUS", "REASON", "ASKS", "OPENED", "SLA", "BUYER", "SELLER"],
                disputes.map { d in
                    [Format.text(d["order"]), Format.text(d["status"]), Format.text(d["reason"]), Format.text(d["requestedOutcome"]),
                     Format.text(d["openedAt"]), d["slaBreached"]?.boolValue == true ? "BREACHED" : "ok", Format.text(d["buyer"]), Format.text(d["seller"])]
                }
            )
        }
    }
}

// MARK: - tail

struct Tail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Follows the log live (subscribe) until Ctrl-C.")
    @OptionGroup var connection: Connection
    @Option(help: "Start at this position (default: new events only).") var from: UInt64?
    @Option(help: "Only this order (repeatable).") var order: [String] = []
    @Option(help: "Only this event type (repeatable).") var type: [String] = []

    func run() async throws {
        try await connection.with { client in
            let sub = try await client.subscribe(fromPosition: from, orders: order.isEmpty ? nil : order, types: type.isEmpty ? nil : type)
            if !connection.json {
                FileHandle.standardError.write(Data("following from \(from.map(String.init) ?? "the head (\(sub.head))"); Ctrl-C stops\n".utf8))
            }
            for try await event in sub.events {
                // Written unbuffered, so a pipe or file sees each event as it arrives. When
                // the reader goes away (`timelinectl tail | head -3`), the tail simply ends.
                let line = connection.json ? CanonicalJSON.string(event) : Format.eventRow(event).joined(separator: "  ")
                do { try FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8)) } catch { break }
            }
        }
    }
}

// MARK: - append / evidence

struct Append: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Appends events from a JSON file: an array of events, or {\"events\": […], \"expectedRevision\": n}.")
    @OptionGroup var connection: Connection
    @Argument(help: "The order id.") var order: String
    @Option(help: "The JSON file with the events.") var file: String

    func run() async throws {
        guard let bytes = FileManager.default.contents(atPath: file) else { throw localFailure("cannot read \(file); check the path") }
        let parsed: JSONValue
        do { parsed = try JSONParser.parse(Array(bytes)) } catch { throw localFailure("\(file) is not valid JSON: \(error)") }
        let events = parsed.arrayValue ?? parsed["events"]?.arrayValue
        guard let events else { throw localFailure("\(file) must hold an array of events or an object with \"events\"") }
        let expected = parsed["expectedRevision"]?.intValue
        let result = try await connection.with { try await $0.append(order: order, events: events, expectedRevision: expected) }
        connection.output(result) {
            let rows = (result["events"]?.arrayValue ?? []).map { e in
                [Format.text(e["eventId"]), Format.text(e["position"]), Format.text(e["revision"]), Format.text(e["status"]), Format.text(e["moderation"]?["verdict"])]
            }
            return "Appended to \(order); it is now at revision \(Format.text(result["lastRevision"])).\n"
                + Format.table(["EVENT ID", "POS", "REV", "STATUS", "MODERATION"], rows)
        }
    }
}

struct EvidenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "evidence", abstract: "Uploads or downloads evidence files.", subcommands: [Put.self, Get.self])

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Attaches a file to an order (evidence.put).")
        @OptionGroup var connection: Connection
        @Argument(help: "The order id.") var order: String
        @Argument(help: "The file to upload.") var file: String
        @Option(help: "Who attaches it, as ROLE:ID (e.g. buyer:u-17).") var actor: String
        @Option(help: "order or dispute.") var channel: String = "order"
        @Option(help: "The media type (guessed from the extension when absent).") var mediaType: String?
        @Option(help: "A description shown with the file.") var description: String?
        @Option(help: "The eventId (default: a new unique one).") var eventId: String?

        func validate() throws {
            let parts = actor.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, ActorRole(rawValue: String(parts[0])) != nil else {
                throw ValidationError("--actor must be ROLE:ID with ROLE buyer, seller, support or system, e.g. buyer:u-17")
            }
        }

        func run() async throws {
            guard let bytes = FileManager.default.contents(atPath: file) else { throw localFailure("cannot read \(file); check the path") }
            let parts = actor.split(separator: ":", maxSplits: 1).map(String.init)
            var params: [String: JSONValue] = [
                "order": .string(order), "eventId": .string(eventId ?? "evidence-\(UUID().uuidString.lowercased())"),
                "actor": ["role": .string(parts[0]), "id": .string(parts[1])],
                "filename": .string((file as NSString).lastPathComponent), "mediaType": .string(mediaType ?? Self.guessType(file)),
                "channel": .string(channel), "contentBase64": .string(bytes.base64EncodedString()),
            ]
            if let description { params["description"] = .string(description) }
            let result = try await connection.with { try await $0.call("evidence.put", params) }
            connection.output(result) {
                "Attached \((file as NSString).lastPathComponent) (\(Format.text(result["size"])) bytes, sha256 \(Format.text(result["sha256"]))) to \(order) at position \(Format.text(result["position"])), revision \(Format.text(result["revision"])) (\(Format.text(result["status"]))).\n"
            }
        }

        static func guessType(_ file: String) -> String {
            switch (file as NSString).pathExtension.lowercased() {
            case "png": return "image/png"
            case "jpg", "jpeg": return "image/jpeg"
            case "gif": return "image/gif"
            case "webp": return "image/webp"
            case "txt", "log": return "text/plain"
            case "pdf": return "application/pdf"
            case "mp4": return "video/mp4"
            case "json": return "application/json"
            default: return "application/octet-stream"
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Downloads evidence by its SHA-256 (evidence.get).")
        @OptionGroup var connection: Connection
        @Argument(help: "The evidence's SHA-256 (64 hex digits).") var sha256: String
        @Option(help: "Where to write the bytes.") var out: String

        func run() async throws {
            let result = try await connection.with { try await $0.call("evidence.get", ["sha256": .string(sha256)]) }
            guard let data = result["contentBase64"]?.stringValue.flatMap({ Data(base64Encoded: $0) }) else {
                fail("the daemon's reply carried no readable content")
                throw ExitCode(2)
            }
            do { try data.write(to: URL(fileURLWithPath: out)) } catch { throw localFailure("cannot write \(out): \(error.localizedDescription)") }
            if connection.json {
                print(CanonicalJSON.string(["sha256": .string(sha256), "size": .int(Int64(data.count)), "out": .string(out)]))
            } else {
                print("Wrote \(data.count) bytes of evidence \(sha256.prefix(16))… to \(out).")
            }
        }
    }
}

// MARK: - admin

struct Rebuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rebuilds every projection from the log (admin.rebuild).")
    @OptionGroup var connection: Connection
    @Flag(help: "Show no progress on stderr (it shows only on a terminal anyway).") var quiet = false

    func run() async throws {
        let progress = ProgressLine(quiet: quiet)
        let r = try await connection.with { client in
            try await progress.whileWaiting("rebuilding the projections from the log") { try await client.call("admin.rebuild") }
        }
        connection.output(r) { "Rebuilt the projections from \(Format.text(r["events"])) events (\(Format.text(r["orders"])) orders) in \(Format.text(r["seconds"])) s.\n" }
    }
}

struct ReloadModeration: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reloads the moderation rules file (admin.reloadModeration).")
    @OptionGroup var connection: Connection

    func run() async throws {
        let r = try await connection.with { try await $0.call("admin.reloadModeration") }
        connection.output(r) { "Loaded \(Format.text(r["rules"])) moderation rules.\n" }
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Writes a consistent, compacted hot copy of the store into a new or empty directory (admin.backup).")
    @OptionGroup var connection: Connection
    @Argument(help: "The directory (new or empty); relative paths are taken from here, not the daemon's directory.") var path: String
    @Flag(help: "Show no progress on stderr (it shows only on a terminal anyway).") var quiet = false

    func run() async throws {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let progress = ProgressLine(quiet: quiet)
        let r = try await connection.with { client in
            try await progress.whileWaiting("backing up the store") {
                try await client.call("admin.backup", ["path": .string(absolute)])
            }
        }
        connection.output(r) {
            "Backed up the store to \(Format.text(r["path"])): \(Format.text(r["bytes"])) bytes, head at position \(Format.text(r["head"])). Verify it with: timeline-audit verify --data \(Format.text(r["path"]))\n"
        }
    }
}

struct CheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "checkpoint", abstract: "A signed checkpoint of the chain head (admin.checkpoint).")
    @OptionGroup var connection: Connection
    @Option(help: "Write the checkpoint JSON to this file.") var out: String?

    func run() async throws {
        let r = try await connection.with { try await $0.call("admin.checkpoint") }
        let text = CanonicalJSON.string(r)
        if let out {
            do { try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: out)) } catch { throw localFailure("cannot write \(out): \(error.localizedDescription)") }
        }
        guard let out, !connection.json else { print(text); return }
        print("Signed checkpoint at position \(Format.text(r["position"])) (hash \(Format.text(r["hash"]).prefix(16))…, key \(Format.text(r["keyId"]))) written to \(out). Check it with: timeline-audit checkpoint verify --checkpoint \(out) --data DIR")
    }
}

struct Redact: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Erases the data of events of one order (admin.redact): chat messages, evidence (and its file), support notes.",
        discussion: "The events stay in the log with their hashes; a redaction.applied event records why and for whom. Asks for confirmation unless --yes. See docs/PRIVACY.md."
    )
    @OptionGroup var connection: Connection
    @Option(help: "The order the events belong to.") var order: String
    @Option(parsing: .upToNextOption, help: "The log positions of the events to redact (1 to 1000).") var position: [UInt64]
    @Option(help: "Why the data is erased (e.g. \"GDPR Art. 17 request 2026-118\").") var reason: String
    @Option(help: "Who asked for the erasure (a ticket, a data subject reference).") var requestedBy: String
    @Flag(help: "Do not ask for confirmation.") var yes = false

    func validate() throws {
        if position.isEmpty { throw ValidationError("give at least one --position N") }
        if position.count > 1000 { throw ValidationError("at most 1000 positions per redaction") }
    }

    func run() async throws {
        if !yes {
            let list = position.map(String.init).joined(separator: ", ")
            FileHandle.standardError.write(Data("Erase for good the data of order \(order)'s events at positions \(list)? This cannot be undone. Type yes to go on: ".utf8))
            guard readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes" else {
                throw localFailure("not confirmed; nothing was redacted")
            }
        }
        let params: [String: JSONValue] = [
            "order": .string(order), "positions": .array(position.map { .int(Int64($0)) }),
            "reason": .string(reason), "requestedBy": .string(requestedBy),
        ]
        let r = try await connection.with { try await $0.call("admin.redact", params) }
        connection.output(r) {
            "Redacted \(Format.text(r["redacted"])) event(s) of order \(order) and deleted \(Format.text(r["blobsDeleted"])) evidence file(s); recorded as redaction.applied at position \(Format.text(r["position"])). Purge the bytes from the files with a backup: timelinectl backup DIR\n"
        }
    }
}
