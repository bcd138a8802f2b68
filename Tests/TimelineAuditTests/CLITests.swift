import Foundation
import Testing
import TimelineClient
import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

/// The real binaries against a real daemon: output and exit codes.
@Suite("command-line tools", .serialized)
struct CLITests {
    static func write(_ text: String, to path: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }

    static let opening = #"""
    {"expectedRevision": -1, "events": [
      {"eventId": "c1", "type": "order.placed", "actor": {"role": "buyer", "id": "u-17"},
       "data": {"buyer": "u-17", "seller": "u-42", "item": {"title": "AK-47 Redline FT", "quantity": 2}, "price": {"amount": 2500, "currency": "EUR"}}},
      {"eventId": "c2", "type": "order.paid", "actor": {"role": "system", "id": "payments"}}]}
    """#
    static let talk = #"""
    [{"eventId": "c3", "type": "chat.message", "actor": {"role": "seller", "id": "u-42"}, "data": {"channel": "order", "text": "trade offer <sent> at 18:30 & more"}},
     {"eventId": "c4", "type": "delivery.marked", "actor": {"role": "seller", "id": "u-42"}, "data": {"quantity": 1}},
     {"eventId": "c5", "type": "dispute.opened", "actor": {"role": "buyer", "id": "u-17"}, "data": {"reason": "incomplete", "requestedOutcome": "deliver_missing", "description": "one missing"}}]
    """#

    @Test("timelinectl runs every command against a real daemon, and timeline-audit reads its live store")
    func endToEnd() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let dir = daemon.dir
        let s = ["--socket", daemon.socket]
        func ctl(_ args: [String]) throws -> Binaries.Result { try Binaries.run("timelinectl", args + s) }
        func audit(_ args: [String]) throws -> Binaries.Result { try Binaries.run("timeline-audit", args) }

        try Self.write(Self.opening, to: dir.sub("open.json"))
        try Self.write(Self.talk, to: dir.sub("talk.json"))
        var r = try ctl(["append", "A-1", "--file", dir.sub("open.json")])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("revision 1"), "\(r)")
        r = try ctl(["append", "A-1", "--file", dir.sub("talk.json")])
        #expect(r.status == 0, "\(r)")
        let evidence = Array("proof: one of two delivered".utf8)
        try Data(evidence).write(to: URL(fileURLWithPath: dir.sub("proof.txt")))
        r = try ctl(["evidence", "put", "A-1", dir.sub("proof.txt"), "--actor", "buyer:u-17", "--channel", "dispute", "--event-id", "c6"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("Attached proof.txt"), "\(r)")

        // Reads: tables for people, JSON for machines.
        r = try ctl(["status"])
        #expect(r.status == 0 && r.stdout.contains("events") && r.stdout.contains("6"), "\(r)")
        r = try ctl(["status", "--json"])
        #expect(try JSONParser.parse(Array(r.stdout.utf8))["head"] == 6, "\(r)")
        // top: off a terminal, one line per refresh; --json, one object per refresh.
        r = try ctl(["top", "--count", "2", "--interval", "0.1"])
        let topLines = r.stdout.split(separator: "\n")
        #expect(r.status == 0 && topLines.count == 2, "\(r)")
        #expect(topLines.allSatisfy { $0.contains("events/s 0") && $0.contains("lag-events 0") && $0.hasSuffix("head 6") }, "\(r)")
        r = try ctl(["top", "--count", "1", "--interval", "0.1", "--json"])
        #expect(try JSONParser.parse(Array(r.stdout.utf8))["head"] == 6, "\(r)")
        // moderation test: local, on the repository's rules.
        let rulesFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/moderation.json").path
        r = try Binaries.run("timelinectl", ["moderation", "test", "--rules", rulesFile, "--explain", "call me +49 170 1234567", "see you tomorrow"])
        #expect(r.status == 0 && r.stdout.contains("filtered  contact.phone") && r.stdout.contains("a phone clause matched"), "\(r)")
        #expect(r.stdout.contains("delivered  \"see you tomorrow\""), "\(r)")
        r = try Binaries.run("timelinectl", ["moderation", "test", "--rules", dir.sub("no-such-rules.json"), "hi"])
        #expect(r.status == 3 && r.stderr.contains("--rules"), "\(r)")
        r = try ctl(["top", "--interval", "0"])
        #expect(r.status == 64 && r.stderr.contains("--interval"), "\(r)")
        r = try ctl(["order", "show", "A-1"])
        #expect(r.status == 0 && r.stdout.contains("delivered") && r.stdout.contains("open (incomplete"), "\(r)")
        r = try ctl(["order", "events", "A-1", "--json"])
        let events = try #require(try JSONParser.parse(Array(r.stdout.utf8))["events"]?.arrayValue)
        #expect(events.count == 6)
        r = try ctl(["order", "events", "A-1"])
        #expect(r.stdout.split(separator: "\n").count == 7 && r.stdout.contains("dispute.opened"), "\(r)")
        r = try ctl(["orders", "--participant", "u-42"])
        #expect(r.status == 0 && r.stdout.contains("A-1"), "\(r)")
        r = try ctl(["disputes", "--status", "open"])
        #expect(r.status == 0 && r.stdout.contains("A-1") && r.stdout.contains("incomplete"), "\(r)")
        r = try ctl(["evidence", "get", Hashing.sha256Hex(evidence), "--out", dir.sub("back.txt")])
        #expect(r.status == 0, "\(r)")
        #expect(FileManager.default.contents(atPath: dir.sub("back.txt")).map(Array.init) == evidence)

        // Admin
        r = try ctl(["rebuild"])
        #expect(r.status == 0 && r.stdout.contains("6 events"), "\(r)")
        r = try ctl(["reload-moderation"])
        #expect(r.status == 0 && r.stdout.contains("moderation rules"), "\(r)")
        r = try ctl(["checkpoint", "--out", dir.sub("cp.json")])
        #expect(r.status == 0, "\(r)")
        r = try ctl(["backup", dir.sub("backup")])
        #expect(r.status == 0 && r.stdout.contains("head at position 6"), "\(r)")

        // Errors name what to do, with documented exit codes.
        r = try ctl(["order", "show", "NOPE"])
        #expect(r.status == 1 && r.stderr.contains("not_found"), "\(r)")
        try Self.write(#"[{"eventId": "bad", "type": "delivery.confirmed", "actor": {"role": "buyer", "id": "u-17"}}]"#, to: dir.sub("bad.json"))
        r = try ctl(["append", "A-1", "--file", dir.sub("bad.json")])
        #expect(r.status == 1 && r.stderr.contains("invalid_transition"), "\(r)")
        r = try Binaries.run("timelinectl", ["status", "--socket", dir.sub("no.sock")])
        #expect(r.status == 2 && r.stderr.contains("is it running"), "\(r)")
        r = try ctl(["append", "A-1", "--file", dir.sub("missing.json")])
        #expect(r.status == 3, "\(r)")

        // The auditor's tool, on the live store, its backup and an export.
        r = try audit(["verify", "--data", daemon.data])
        #expect(r.status == 0 && r.stdout.contains("Clean"), "\(r)")
        r = try audit(["verify", "--data", dir.sub("backup"), "--json"])
        #expect(r.status == 0, "\(r)")
        #expect(try JSONParser.parse(Array(r.stdout.utf8))["events"] == 6)
        r = try audit(["checkpoint", "verify", "--checkpoint", dir.sub("cp.json"), "--data", daemon.data])
        #expect(r.status == 0 && r.stdout.contains("validly signed"), "\(r)")
        r = try audit(["verify", "--data", daemon.data, "--json"])
        let stored = try JSONParser.parse(Array(r.stdout.utf8))["storedCheckpoints"]
        #expect(r.status == 0 && stored == 1, "the daemon kept the checkpoint it signed: \(r)")
        r = try audit(["export", "--data", daemon.data, "--out", dir.sub("log.jsonl")])
        #expect(r.status == 0, "\(r)")
        // An inclusion proof an outsider checks with only checkpoint.pub.
        let pub = daemon.data + "/checkpoint.pub"
        r = try audit(["prove", "--data", daemon.data, "--position", "3", "--checkpoint", dir.sub("cp.json"), "--output", dir.sub("proof.json")])
        #expect(r.status == 0, "\(r)")
        r = try audit(["check-proof", dir.sub("proof.json"), "--public-key", pub])
        #expect(r.status == 0 && r.stdout.contains("position 3"), "\(r)")
        var proof = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dir.sub("proof.json")))))
        if case .object(var o) = proof, case .array(var path) = o["proof"] ?? .null, !path.isEmpty {
            path[0] = .string(String(repeating: "ab", count: 32))
            o["proof"] = .array(path)
            proof = .object(o)
        }
        try Self.write(CanonicalJSON.string(proof), to: dir.sub("forged-proof.json"))
        r = try audit(["check-proof", dir.sub("forged-proof.json"), "--public-key", pub])
        #expect(r.status == 1 && r.stdout.contains("does not lead"), "\(r)")
        // The Python checker (standard library only) agrees.
        let checker = Binaries.packageRoot + "/scripts/check_proof.py"
        r = try Binaries.run("/usr/bin/python3", [checker, dir.sub("proof.json"), pub])
        #expect(r.status == 0 && r.stdout.contains("position 3"), "\(r)")
        r = try Binaries.run("/usr/bin/python3", [checker, dir.sub("forged-proof.json"), pub])
        #expect(r.status == 1 && r.stdout.contains("does not lead"), "\(r)")
        r = try audit(["prove", "--data", daemon.data, "--position", "3", "--output", dir.sub("unsigned.json")])
        #expect(r.status == 0, "\(r)")
        r = try audit(["check-proof", dir.sub("unsigned.json"), "--public-key", pub])
        #expect(r.status == 1 && r.stdout.contains("no signed checkpoint"), "\(r)")
        r = try audit(["prove", "--data", daemon.data, "--position", "99"])
        #expect(r.status == 2 && r.stderr.contains("not_found"), "\(r)")
        r = try audit(["verify", "--export", dir.sub("log.jsonl"), "--checkpoint", dir.sub("cp.json"), "--public-key", daemon.data + "/checkpoint.pub"])
        #expect(r.status == 0, "\(r)")
        r = try audit(["verify", "--data", dir.sub("nowhere")])
        #expect(r.status == 2 && r.stderr.contains("no store"), "\(r)")

        // Timelines: text, JSON, and one HTML file holding every event of the order.
        r = try audit(["timeline", "--order", "A-1", "--data", daemon.data, "--format", "html", "--out", dir.sub("t.html")])
        #expect(r.status == 0, "\(r)")
        let html = try String(contentsOfFile: dir.sub("t.html"), encoding: .utf8)
        for e in events {
            #expect(html.contains("data-position=\"\(e["position"]!.intValue!)\""))
            #expect(html.contains("data-event-id=\"\(e["eventId"]!.stringValue!)\""))
        }
        #expect(html.contains("trade offer &lt;sent&gt; at 18:30 &amp; more"))
        #expect(html.components(separatedBy: "<script").count == 2, "one script, the page's own filters; user text never becomes one")
        #expect(html.contains(#"data-status="verified""#) || html.contains(#"data-status="unsigned""#), "the badge is on the page")
        r = try audit(["timeline", "--order", "A-1", "--data", daemon.data])
        #expect(r.status == 0 && r.stdout.contains("opened a dispute (incomplete)") && r.stdout.contains("proof.txt"), "\(r)")
        r = try audit(["timeline", "--order", "A-1", "--export", dir.sub("log.jsonl"), "--format", "json", "--at", "2"])
        #expect(try JSONParser.parse(Array(r.stdout.utf8))["events"]?.arrayValue?.count == 2, "\(r)")
        r = try audit(["replay", "--order", "A-1", "--at", "2", "--data", daemon.data, "--json"])
        #expect(r.status == 0, "\(r)")
        #expect(try JSONParser.parse(Array(r.stdout.utf8))["state"] == "paid", "\(r)")

        // tail follows live until stopped; a second one filters by order and type.
        func startTail(_ name: String, _ arguments: [String]) throws -> Process {
            let tail = Process()
            tail.executableURL = URL(fileURLWithPath: Binaries.path("timelinectl"))
            tail.arguments = ["tail"] + arguments + ["--json"] + s
            _ = FileManager.default.createFile(atPath: dir.sub(name), contents: nil)
            tail.standardOutput = FileHandle(forWritingAtPath: dir.sub(name))
            tail.standardError = FileHandle.nullDevice
            try tail.run()
            return tail
        }
        func waitFor(_ text: String, in name: String, stopping tail: Process) -> [Substring] {
            var seen = ""
            for _ in 0..<100 {
                seen = (try? String(contentsOfFile: dir.sub(name), encoding: .utf8)) ?? ""
                if seen.contains(text) { break }
                usleep(50_000)
            }
            tail.interrupt()
            tail.waitUntilExit()
            return seen.split(separator: "\n")
        }
        let tail = try startTail("tail.out", ["--from", "5"])
        let filtered = try startTail("filtered.out", ["--from", "1", "--order", "A-1", "--type", "chat.message"])
        let other = try startTail("other.out", ["--from", "1", "--order", "Z-404"])
        try Self.write(#"[{"eventId": "c7", "type": "chat.message", "actor": {"role": "buyer", "id": "u-17"}, "data": {"channel": "dispute", "text": "live now"}}]"#, to: dir.sub("live.json"))
        r = try ctl(["append", "A-1", "--file", dir.sub("live.json")])
        #expect(r.status == 0, "\(r)")
        let lines = waitFor("live now", in: "tail.out", stopping: tail)
        #expect(lines.count == 3 && lines.last?.contains("live now") == true, "\(lines)")
        let chats = waitFor("live now", in: "filtered.out", stopping: filtered)
        let chatCount = events.filter { $0["type"] == "chat.message" }.count + 1
        #expect(chats.count == chatCount, "\(chats)")
        for line in chats {
            let event = try JSONParser.parse(Array(line.utf8))
            #expect(event["type"] == "chat.message" && event["order"] == "A-1", "\(line)")
        }
        // The order-filtered tail printed nothing of A-1: once Z-404's first event (after
        // all of A-1's in the log) reaches it, it must be the only line.
        try Self.write(
            #"[{"eventId": "z1", "type": "order.placed", "actor": {"role": "buyer", "id": "u-17"}, "data": {"buyer": "u-17", "seller": "u-42", "item": {"title": "Sword", "quantity": 1}, "price": {"amount": 1000, "currency": "EUR"}}}]"#,
            to: dir.sub("sentinel.json"))
        r = try ctl(["append", "Z-404", "--file", dir.sub("sentinel.json")])
        #expect(r.status == 0, "\(r)")
        let others = waitFor(#""z1""#, in: "other.out", stopping: other)
        #expect(others.count == 1 && others.first?.contains(#""order":"Z-404""#) == true, "\(others)")
    }

    @Test("--socket on timeline-audit reads a running daemon's log: verify, export, timeline and replay; timelinectl takes the socket from --config")
    func liveSocket() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let dir = daemon.dir
        try Self.write(Self.opening, to: dir.sub("open.json"))
        try Self.write(Self.talk, to: dir.sub("talk.json"))
        // timelinectl finds the socket in the daemon's own config file.
        var r = try Binaries.run("timelinectl", ["append", "A-1", "--file", dir.sub("open.json"), "--config", dir.sub("config.json")])
        #expect(r.status == 0, "\(r)")
        r = try Binaries.run("timelinectl", ["append", "A-1", "--file", dir.sub("talk.json"), "--config", dir.sub("config.json")])
        #expect(r.status == 0, "\(r)")
        r = try Binaries.run("timelinectl", ["status", "--config", dir.sub("missing.json")])
        #expect(r.status == 3 && r.stderr.contains("missing.json"), "an unreadable --config is a local file problem: \(r)")

        r = try Binaries.run("timeline-audit", ["verify", "--socket", daemon.socket, "--json"])
        #expect(r.status == 0, "\(r)")
        let report = try JSONParser.parse(Array(r.stdout.utf8))
        #expect(report["kind"] == "live" && report["clean"] == true && report["events"] == 5, "\(r.stdout)")
        r = try Binaries.run("timeline-audit", ["verify", "--socket", daemon.socket])
        #expect(r.status == 0 && r.stdout.contains("Live log of timelined at"), "\(r)")

        // The export over the socket is byte for byte the one read from the store.
        r = try Binaries.run("timeline-audit", ["export", "--socket", daemon.socket, "--out", dir.sub("live.jsonl")])
        #expect(r.status == 0, "\(r)")
        r = try Binaries.run("timeline-audit", ["export", "--data", daemon.data, "--out", dir.sub("store.jsonl")])
        #expect(r.status == 0, "\(r)")
        let live = try Data(contentsOf: URL(fileURLWithPath: dir.sub("live.jsonl")))
        let stored = try Data(contentsOf: URL(fileURLWithPath: dir.sub("store.jsonl")))
        #expect(!live.isEmpty && live == stored)

        // A partial export (export --from 3) verifies, with its checkpoint, given --from 3.
        r = try Binaries.run("timelinectl", ["checkpoint", "--out", dir.sub("cp.json"), "--socket", daemon.socket])
        #expect(r.status == 0, "\(r)")
        r = try Binaries.run("timeline-audit", ["export", "--socket", daemon.socket, "--out", dir.sub("tail.jsonl"), "--from", "3"])
        #expect(r.status == 0, "\(r)")
        let cp = ["--checkpoint", dir.sub("cp.json"), "--public-key", daemon.data + "/checkpoint.pub"]
        r = try Binaries.run("timeline-audit", ["checkpoint", "verify", "--export", dir.sub("tail.jsonl"), "--from", "3"] + cp)
        #expect(r.status == 0, "\(r)")
        r = try Binaries.run("timeline-audit", ["verify", "--export", dir.sub("tail.jsonl")] + cp)
        #expect(r.status == 1 && r.stdout.contains("position_gap"), "without --from the missing start is a gap: \(r)")

        r = try Binaries.run("timeline-audit", ["timeline", "--socket", daemon.socket, "--order", "A-1"])
        #expect(r.status == 0 && r.stdout.contains("trade offer <sent> at 18:30"), "\(r)")
        r = try Binaries.run("timeline-audit", ["replay", "--socket", daemon.socket, "--order", "A-1", "--at", "2", "--json"])
        #expect(r.status == 0, "\(r)")
        #expect(try JSONParser.parse(Array(r.stdout.utf8))["state"] == "paid", "\(r)")

        // A tail whose reader goes away (`timelinectl tail | head -1`) ends quietly with 0.
        let tail = Process()
        tail.executableURL = URL(fileURLWithPath: Binaries.path("timelinectl"))
        tail.arguments = ["tail", "--from", "1", "--json", "--socket", daemon.socket]
        let out = Pipe()
        let err = Pipe()
        tail.standardOutput = out
        tail.standardError = err
        try tail.run()
        var first = Data()
        while !first.contains(0x0A), let chunk = try out.fileHandleForReading.read(upToCount: 1), !chunk.isEmpty { first.append(chunk) }
        #expect(String(decoding: first, as: UTF8.self).contains("order.placed"))
        try out.fileHandleForReading.close()
        for i in 0..<3 {
            try Self.write(#"[{"eventId": "p\#(i)", "type": "support.note", "actor": {"role": "support", "id": "s-1"}, "data": {"text": "after the pipe closed"}}]"#, to: dir.sub("note.json"))
            _ = try Binaries.run("timelinectl", ["append", "A-1", "--file", dir.sub("note.json"), "--socket", daemon.socket])
        }
        tail.waitUntilExit()
        let tailErrors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(tail.terminationReason == .exit && tail.terminationStatus == 0, "tail exit \(tail.terminationStatus): \(tailErrors)")
        #expect(!tailErrors.contains("Fatal error"), "\(tailErrors)")

        r = try Binaries.run("timeline-audit", ["verify", "--socket", dir.sub("nobody.sock")])
        #expect(r.status == 2 && r.stderr.contains("cannot reach timelined"), "\(r)")
        r = try Binaries.run("timeline-audit", ["verify", "--socket", daemon.socket, "--data", daemon.data])
        #expect(r.status == 64, "two sources is bad usage: \(r)")
    }

    @Test("auditors see filtered and hidden messages in the timeline, marked as such")
    func moderatedMessagesInTimeline() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let dir = daemon.dir
        try Self.write(Self.opening, to: dir.sub("open.json"))
        let long = String(repeating: "the skin has a great float and pattern, ", count: 60)
        try Self.write("""
        [{"eventId": "m1", "type": "chat.message", "actor": {"role": "buyer", "id": "u-17"}, "data": {"channel": "order", "text": "add me on discord trader#4412, we skip the fee"}},
         {"eventId": "m2", "type": "chat.message", "actor": {"role": "seller", "id": "u-42"}, "data": {"channel": "order", "text": "\(long)"}},
         {"eventId": "m3", "type": "chat.message", "actor": {"role": "seller", "id": "u-42"}, "data": {"channel": "order", "text": "sending 2 items at 18:30"}}]
        """, to: dir.sub("chat.json"))
        var r = try Binaries.run("timelinectl", ["append", "A-1", "--file", dir.sub("open.json"), "--socket", daemon.socket])
        #expect(r.status == 0, "\(r)")
        r = try Binaries.run("timelinectl", ["append", "A-1", "--file", dir.sub("chat.json"), "--socket", daemon.socket])
        #expect(r.status == 0, "\(r)")
        r = try Binaries.run("timeline-audit", ["timeline", "--order", "A-1", "--data", daemon.data])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("add me on discord trader#4412") && r.stdout.contains("filtered: hidden from the other party"), "\(r)")
        #expect(r.stdout.contains("hidden as spam"), "\(r)")
        #expect(r.stdout.contains("\"sending 2 items at 18:30\" [delivered]"), "\(r)")
        r = try Binaries.run("timeline-audit", ["timeline", "--order", "A-1", "--data", daemon.data, "--format", "html"])
        #expect(r.stdout.contains("class=\"event filtered\"") && r.stdout.contains("class=\"event hidden\""), "\(r.stdout.prefix(300))")
        r = try Binaries.run("timeline-audit", ["verify", "--data", daemon.data])
        #expect(r.status == 0, "\(r)")
    }

    @Test("timeline-audit verify runs beside a daemon taking appends, without false findings")
    func verifyBesideLiveAppends() async throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let client = try await TimelineClient.connect(socketPath: daemon.socket)
        @Sendable func appendOrder(_ n: Int) async throws {
            let order = "L-\(n)"
            _ = try await client.append(order: order, events: [
                ["eventId": .string("\(order)-p"), "type": "order.placed", "actor": ["role": "system", "id": "shop"],
                 "data": ["buyer": "b", "seller": "s", "item": ["title": "gold", "quantity": 1], "price": ["amount": 100, "currency": "EUR"]]],
                ["eventId": .string("\(order)-$"), "type": "order.paid", "actor": ["role": "system", "id": "pay"]],
                ["eventId": .string("\(order)-m"), "type": "chat.message", "actor": ["role": "seller", "id": "s"], "data": ["channel": "order", "text": "on my way"]],
            ])
        }
        // The first order is written before the audits start (the log is not empty);
        // the rest while they run.
        try await appendOrder(0)
        let writer = Task {
            var n = 1
            while !Task.isCancelled {
                try await appendOrder(n)
                n += 1
            }
            return n
        }
        for _ in 0..<4 {
            let r = try Binaries.run("timeline-audit", ["verify", "--data", daemon.data, "--json"])
            #expect(r.status == 0, "\(r)")
            let report = try JSONParser.parse(Array(r.stdout.utf8))
            #expect(report["clean"] == true)
            #expect((report["events"]?.intValue ?? 0) > 0)
        }
        writer.cancel()
        let orders = try await writer.value
        let stats = try await client.stats()
        await client.close()
        #expect(orders > 0)
        #expect((stats["head"]?.intValue ?? 0) >= Int64(orders * 3))
    }

    @Test("the Python verifier agrees with timeline-audit on clean and tampered exports")
    func pythonAgrees() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { return }
        let dir = TempDirectory("python")
        let store = try Fixture.makeStore(dir.sub("store"))
        let export = dir.sub("log.jsonl")
        _ = try Exporter_export(store, export)
        try Fixture.writeCheckpoint(of: store, to: dir.sub("cp.json"))
        try Fixture.writePublicKey(dir.sub("cp.pub"))
        let script = Binaries.packageRoot + "/scripts/verify_export.py"
        let lines = try String(contentsOfFile: export, encoding: .utf8).split(separator: "\n").map(String.init)
        var cases: [(String, [String])] = [("clean", lines)]
        var edited = lines; edited[4] = edited[4].replacingOccurrences(of: "got 1 of 2", with: "got 2 of 2"); cases.append(("text", edited))
        edited = lines; edited[9] = edited[9].replacingOccurrences(of: "\"s-1\"", with: "\"s-9\""); cases.append(("actor", edited))
        edited = lines; edited.remove(at: 21); cases.append(("deleted", edited))
        edited = lines; edited.swapAt(2, 3); cases.append(("swapped", edited))
        edited = lines; edited.removeLast(); cases.append(("truncated", edited))
        edited = lines; edited.removeFirst(2); cases.append(("headless", edited))
        edited = lines; edited.swapAt(0, 1); cases.append(("swapped-start", edited))
        edited = lines; edited.swapAt(4, 19); cases.append(("swapped-far", edited))
        edited = lines; edited[7] = String(edited[7].dropLast(3)); cases.append(("garbled", edited))
        for (name, content) in cases {
            let path = dir.sub("\(name).jsonl")
            try CLITests.write(content.joined(separator: "\n") + "\n", to: path)
            let args = [path, "--checkpoint", dir.sub("cp.json"), "--public-key", dir.sub("cp.pub"), "--json"]
            let py = try Binaries.run("/usr/bin/python3", [script] + args)
            let swift = try Binaries.run("timeline-audit", ["verify", "--export"] + [path] + Array(args.dropFirst()))
            #expect(py.status == swift.status, "\(name): python \(py) swift \(swift)")
            let pyCodes = try JSONParser.parse(Array(py.stdout.utf8))["findings"]?.arrayValue?.map { "\($0["code"]!.stringValue!)@\($0["position"]!.intValue ?? -1)" }
            let swiftCodes = try JSONParser.parse(Array(swift.stdout.utf8))["findings"]?.arrayValue?.map { "\($0["code"]!.stringValue!)@\($0["position"]!.intValue ?? -1)" }
            #expect(pyCodes == swiftCodes, "\(name)")
            #expect((name == "clean") == (py.status == 0), "\(name): \(py)")
        }
    }
}

import TimelineAudit
import TimelineStore

func Exporter_export(_ store: TimelineStore, _ path: String) throws -> Exporter.Summary { try Exporter.export(store: store, to: path) }
