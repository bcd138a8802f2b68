import Crypto
import Foundation
import TestSupport
import Testing
import TimelineClient
import TimelineModel

@Suite("evidence.put and evidence.get", .timeLimit(.minutes(3)))
struct EvidenceTests {
    static func putParams(_ a: OrderFixture, _ bytes: [UInt8], eventId: String = freshId("ev"), channel: String = "order") -> [String: JSONValue] {
        [
            "order": .string(a.order), "eventId": .string(eventId), "actor": ["role": "buyer", "id": .string(a.buyer)],
            "filename": "../../etc/screenshot.png", "mediaType": "image/png", "channel": .string(channel),
            "description": "what arrived", "contentBase64": .string(Data(bytes).base64EncodedString()),
        ]
    }

    @Test("evidence bytes round-trip with their sha256 and size, and the order view lists the evidence")
    func roundTrip() async throws {
        try await withDaemon { _, client in
            let a = OrderFixture()
            try await a.create(client)
            let bytes = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 * 31 + 7) }
            let sha = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            let params = Self.putParams(a, bytes)
            let put = try await client.call("evidence.put", params)
            #expect(put["sha256"]?.stringValue == sha)
            #expect(put["size"]?.intValue == 70_000)
            #expect(put["status"] == "recorded")
            #expect(put["eventId"] == params["eventId"])
            #expect(put["position"]?.intValue == 3)
            #expect(put["revision"]?.intValue == 2)

            let got = try await client.call("evidence.get", ["sha256": .string(sha)])
            #expect(got["sha256"]?.stringValue == sha)
            #expect(got["size"]?.intValue == 70_000)
            let content = try #require(Data(base64Encoded: got["contentBase64"]?.stringValue ?? ""))
            #expect(Array(content) == bytes)

            // The recorded event: evidence.attached with the sanitised filename.
            let event = try #require(try await client.orderEvents(a.order, fromRevision: 2)["events"]?.array.first)
            #expect(event["type"] == "evidence.attached")
            #expect(event["data"]?["sha256"]?.stringValue == sha)
            #expect(event["data"]?["filename"] == "screenshot.png", "path parts are removed")
            #expect(event["data"]?["size"]?.intValue == 70_000)

            let view = try await client.order(a.order)
            let item = try #require(view["evidence"]?.array.first)
            #expect(item["sha256"]?.stringValue == sha)
            #expect(item["filename"] == "screenshot.png")
            #expect(item["mediaType"] == "image/png")
            #expect(item["size"]?.intValue == 70_000)
            #expect(item["by"] == "buyer")
            #expect(isDaemonTimestamp(item["at"]))
            #expect(item["channel"] == "order")

            // A retry of the same put is a duplicate with the original position; the blob is stored once.
            let again = try await client.call("evidence.put", params)
            #expect(again["status"] == "duplicate")
            #expect(again["position"]?.intValue == 3)
            #expect(try await client.stats()["blobs"]?.intValue == 1)
        }
    }

    @Test("evidence over maxEvidenceBytes is too_large with the limit; an unknown sha256 is not_found")
    func limitsAndMissing() async throws {
        var config = DaemonConfig()
        config.limits = ["maxEvidenceBytes": 1000]
        try await withDaemon(config) { _, client in
            let a = OrderFixture()
            try await a.create(client)
            let error = await expectFailure("too_large") {
                try await client.call("evidence.put", Self.putParams(a, [UInt8](repeating: 1, count: 1001)))
            }
            #expect(error?.details["limit"]?.intValue == 1000)
            _ = try await client.call("evidence.put", Self.putParams(a, [UInt8](repeating: 1, count: 1000)))
            await expectFailure("not_found") {
                try await client.call("evidence.get", ["sha256": .string(String(repeating: "ab", count: 32))])
            }
            await expectFailure("bad_request") { try await client.call("evidence.get", ["sha256": "not-hex"]) }
            // The dispute channel needs a dispute.
            await expectFailure("invalid_transition") {
                try await client.call("evidence.put", Self.putParams(a, [1, 2, 3], channel: "dispute"))
            }
            await expectFailure("bad_request") {
                var p = Self.putParams(a, [1, 2, 3])
                p["contentBase64"] = "%%% not base64 %%%"
                return try await client.call("evidence.put", p)
            }
            #expect(try await client.stats()["head"]?.intValue == 3)
        }
    }
}
