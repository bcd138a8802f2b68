import Foundation
import TestSupport
import Testing
import TimelineClient
import TimelineModel

@Suite("bad input on the socket", .timeLimit(.minutes(3)))
struct MalformedInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var line: [UInt8]
        var code: String
        /// The id the reply must echo (`.null` when the line could not be read as a request).
        var id: JSONValue
        /// A word the message must contain (the field it names).
        var mentions: String?

        var testDescription: String { name }

        init(_ name: String, _ line: String, _ code: String, id: JSONValue = .null, mentions: String? = nil) {
            self.init(name, Array(line.utf8), code, id: id, mentions: mentions)
        }

        init(_ name: String, _ line: [UInt8], _ code: String, id: JSONValue = .null, mentions: String? = nil) {
            self.name = name
            self.line = line
            self.code = code
            self.id = id
            self.mentions = mentions
        }
    }

    static let validEvent = #"{"eventId":"e-1","type":"order.paid","actor":{"role":"system","id":"p"}}"#
    static let cases: [Case] = [
        Case("truncated JSON", #"{"id":1,"op":"#, "bad_request"),
        Case("text after the object", #"{"id":1,"op":"ping"} trailing"#, "bad_request"),
        Case("an array", "[1,2,3]", "bad_request"),
        Case("a string", #""ping""#, "bad_request"),
        Case("a number", "42", "bad_request"),
        Case("null", "null", "bad_request"),
        Case("an empty line", "", "bad_request"),
        Case("invalid UTF-8", Array(#"{"id":2,"op":"ping","x":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8), "bad_request"),
        Case("overlong UTF-8", Array(#"{"id":2,"op":"ping","x":""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8), "bad_request"),
        Case("a NUL byte in a string", Array(#"{"id":3,"op":"pi"#.utf8) + [0] + Array(#"ng"}"#.utf8), "bad_request"),
        Case("a NUL byte before the object", [0] + Array(#"{"id":3,"op":"ping"}"#.utf8), "bad_request"),
        Case("a raw control character", Array(#"{"id":3,"op":"ping","x":""#.utf8) + [0x01] + Array(#""}"#.utf8), "bad_request"),
        Case("100 levels of nesting", #"{"id":4,"op":"ping","x":"# + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}", "bad_request"),
        Case("a number beyond Double (1e400)", #"{"id":5,"op":"order.get","order":"A-1","atPosition":1e400}"#, "bad_request"),
        Case(
            "a 30-digit expectedRevision",
            #"{"id":6,"op":"append","order":"A-1","expectedRevision":123456789012345678901234567890,"events":["# + validEvent + "]}",
            "bad_request", id: 6, mentions: "expectedRevision"
        ),
        Case("a fractional limit", #"{"id":7,"op":"log.read","limit":1.5}"#, "bad_request", id: 7, mentions: "limit"),
        Case("an unknown op", #"{"id":8,"op":"drop.tables"}"#, "unknown_op", id: 8, mentions: "drop.tables"),
        Case("op not a string", #"{"id":9,"op":5}"#, "bad_request", id: 9, mentions: "op"),
        Case("op missing", #"{"id":10}"#, "bad_request", id: 10, mentions: "op"),
        Case("id missing", #"{"op":"ping"}"#, "bad_request", mentions: "id"),
        Case("id an object", #"{"id":{"a":1},"op":"ping"}"#, "bad_request", mentions: "id"),
        Case("id fractional", #"{"id":1.5,"op":"ping"}"#, "bad_request", mentions: "id"),
        Case("a duplicate key", #"{"id":11,"op":"ping","op":"stats"}"#, "bad_request"),
        Case("order a number", #"{"id":"s-12","op":"order.get","order":5}"#, "bad_request", id: "s-12", mentions: "order"),
        Case("order missing", #"{"id":13,"op":"order.get"}"#, "bad_request", id: 13, mentions: "order"),
        Case("limit a string", #"{"id":14,"op":"log.read","limit":"10"}"#, "bad_request", id: 14, mentions: "limit"),
        Case("events an object", #"{"id":15,"op":"append","order":"A-1","events":{}}"#, "bad_request", id: 15, mentions: "events"),
        Case("events empty", #"{"id":16,"op":"append","order":"A-1","events":[]}"#, "bad_request", id: 16, mentions: "events"),
        Case("an event that is a number", #"{"id":17,"op":"append","order":"A-1","events":[5]}"#, "invalid_event", id: 17),
        Case("subscribe orders not an array", #"{"id":18,"op":"subscribe","orders":"A-1"}"#, "bad_request", id: 18, mentions: "orders"),
        Case("a negative fromPosition", #"{"id":19,"op":"log.read","fromPosition":-5}"#, "bad_request", id: 19, mentions: "fromPosition"),
        Case("an order id with a slash", #"{"id":20,"op":"order.get","order":"../etc"}"#, "bad_request", id: 20, mentions: "order"),
        // Found by the fuzzer: an empty participant reached LMDB as an empty key and came back internal.
        Case("an empty participant", #"{"id":21,"op":"participant.get","participant":""}"#, "bad_request", id: 21, mentions: "participant"),
        Case("a participant over 128 bytes", #"{"id":22,"op":"participant.get","participant":""# + String(repeating: "p", count: 129) + #""}"#, "bad_request", id: 22, mentions: "participant"),
    ]

    @Test("each bad line gets the right error, and the connection and a bystander keep working", arguments: cases)
    func badLine(_ c: Case) async throws {
        try await withDaemon(Self.config) { daemon, bystander in
            let raw = try RawConnection(path: daemon.socketPath)
            try raw.send(c.line + [UInt8(ascii: "\n")] + Array(#"{"id":"next","op":"ping"}"#.utf8) + [UInt8(ascii: "\n")])
            let lines = try await offPool { try raw.readLines(2) }
            let reply = try parseLine(lines[0])
            #expect(reply["ok"] == false, "\(text(reply))")
            #expect(reply["error"]?["code"]?.stringValue == c.code, "\(text(reply))")
            #expect(reply["id"] == c.id, "\(text(reply))")
            let message = reply["error"]?["message"]?.stringValue ?? ""
            #expect(!message.isEmpty)
            if let word = c.mentions { #expect(message.contains(word), "the message should name \(word): \(message)") }
            let next = try parseLine(lines[1])
            #expect(next["id"] == "next" && next["ok"] == true, "the connection stays usable: \(text(next))")
            try await bystander.ping()
            #expect(try await bystander.stats()["head"]?.intValue == 0, "nothing was written")
        }
    }

    static var config: DaemonConfig {
        var c = DaemonConfig()
        c.limits = ["maxFrameBytes": 4096]
        c.logLevel = "warning"
        return c
    }

    @Test("all bad lines in one stream are answered in order on one connection")
    func allBadLinesInOneWrite() async throws {
        try await withDaemon(Self.config) { daemon, bystander in
            let raw = try RawConnection(path: daemon.socketPath)
            var stream: [UInt8] = []
            for c in Self.cases { stream += c.line + [UInt8(ascii: "\n")] }
            try raw.send(stream)
            let lines = try await offPool { try raw.readLines(Self.cases.count) }
            for (c, line) in zip(Self.cases, lines) {
                let reply = try parseLine(line)
                #expect(reply["error"]?["code"]?.stringValue == c.code, "\(c.name): \(text(reply))")
            }
            try await bystander.ping()
        }
    }

    @Test("a line over maxFrameBytes gets frame_too_large and the connection is closed; others are not disturbed")
    func frameTooLarge() async throws {
        try await withDaemon(Self.config) { daemon, bystander in
            let raw = try RawConnection(path: daemon.socketPath)
            let pad = String(repeating: "x", count: 5000)
            try raw.send("{\"id\":\"ok\",\"op\":\"ping\"}\n{\"id\":\"big\",\"op\":\"ping\",\"pad\":\"\(pad)\"}\n{\"id\":\"lost\",\"op\":\"ping\"}\n")
            let first = try parseLine(try #require(try await offPool { try raw.readLine() }))
            #expect(first["id"] == "ok")
            let refusal = try parseLine(try #require(try await offPool { try raw.readLine() }))
            #expect(refusal["error"]?["code"] == "frame_too_large")
            #expect(refusal["id"] == .null)
            #expect(refusal["error"]?["limit"]?.intValue == 4096)
            #expect(try await offPool { try raw.readLine(timeout: 10) } == nil, "the connection is closed after frame_too_large")

            // Without a newline at all: the limit still applies while the line grows.
            let endless = try RawConnection(path: daemon.socketPath)
            try endless.send(Array(repeating: UInt8(ascii: "a"), count: 10_000))
            let cut = try parseLine(try #require(try await offPool { try endless.readLine() }))
            #expect(cut["error"]?["code"] == "frame_too_large")
            #expect(try await offPool { endless.waitForClose(timeout: 10) })

            // Exactly at the limit is fine.
            let exact = try RawConnection(path: daemon.socketPath)
            let prefix = "{\"id\":\"edge\",\"op\":\"ping\",\"pad\":\""
            let fill = String(repeating: "y", count: 4096 - prefix.utf8.count - 2)
            try exact.send(prefix + fill + "\"}\n")
            let edge = try parseLine(try #require(try await offPool { try exact.readLine() }))
            #expect(edge["id"] == "edge" && edge["ok"] == true, "\(text(edge))")
            try await bystander.ping()
        }
    }

    @Test("a large reply before an over-limit line or a half-close reaches a slow reader whole before the close")
    func closeWaitsForQueuedReplies() async throws {
        try await withDaemon(Self.config) { daemon, client in
            // About 1.5 MB of log (appends of 8 events fit the 4096-byte frames): far more
            // than the kernel buffers hold while the reader sleeps.
            let o = OrderFixture("BIG")
            try await o.create(client)
            for batch in 0..<250 {
                _ = try await client.append(order: o.order, events: (0..<8).map { o.note("\(batch).\($0) " + String(repeating: "n", count: 300)) })
            }
            let events = 2 + 250 * 8
            let read = #"{"id":"log","op":"log.read","limit":10000}"# + "\n"

            // Found by the fuzzer: the close after frame_too_large cut the reply queued before it.
            let tooLarge = try RawConnection(path: daemon.socketPath)
            try tooLarge.send(read + String(repeating: "x", count: 5000) + "\n")
            try await Task.sleep(for: .seconds(1))
            let whole = try parseLine(try #require(try await offPool { try tooLarge.readLine(timeout: 30) }))
            #expect(whole["result"]?["events"]?.array.count == events, "the reply before the over-limit line arrives whole")
            let refusal = try parseLine(try #require(try await offPool { try tooLarge.readLine(timeout: 30) }))
            #expect(refusal["error"]?["code"] == "frame_too_large")
            #expect(try await offPool { try tooLarge.readLine(timeout: 30) } == nil)

            // The same after a half-close: every reply, then the close.
            let halfClosed = try RawConnection(path: daemon.socketPath)
            try halfClosed.send(read + #"{"id":"last","op":"ping"}"# + "\n")
            halfClosed.shutdownWrite()
            try await Task.sleep(for: .seconds(1))
            let log = try parseLine(try #require(try await offPool { try halfClosed.readLine(timeout: 30) }))
            #expect(log["result"]?["events"]?.array.count == events, "the reply before the half-close arrives whole")
            let last = try parseLine(try #require(try await offPool { try halfClosed.readLine(timeout: 30) }))
            #expect(last["id"] == "last")
            #expect(try await offPool { try halfClosed.readLine(timeout: 30) } == nil)
        }
    }

    @Test("CRLF line ends are accepted, and a last line without newline before half-close is answered")
    func lineEnds() async throws {
        try await withDaemon { daemon, _ in
            let raw = try RawConnection(path: daemon.socketPath)
            try raw.send("{\"id\":1,\"op\":\"ping\"}\r\n{\"id\":2,\"op\":\"ping\"}")
            raw.shutdownWrite()
            let lines = try await offPool { try raw.readLines(2) }
            #expect(try parseLine(lines[0])["id"] == 1)
            #expect(try parseLine(lines[1])["id"] == 2)
            #expect(try await offPool { try raw.readLine() } == nil, "the daemon closes after answering a half-closed peer")
        }
    }
}
