import Foundation
import TestSupport
import Testing
import TimelineClient
import TimelineModel
import TimelineServer

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One sample of the Prometheus text format: `name{labels} value`.
struct Sample: Equatable {
    var name: String
    var labels: [String: String]
    var value: Double
}

/// A strict reader of the Prometheus text exposition format 0.0.4: every line is
/// a `# TYPE`/`# HELP` comment or a sample; a sample's family has a TYPE; a
/// histogram's buckets are cumulative and end with `+Inf` equal to its `_count`.
struct Exposition {
    var types: [String: String] = [:]
    var samples: [Sample] = []

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    init(_ text: String) throws {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                    throw Malformed(description: "bad TYPE line: \(line)")
                }
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            samples.append(try Self.sample(String(line)))
        }
        for s in samples {
            let family = [s.name, s.name.replacingOccurrences(of: "_bucket", with: ""), s.name.replacingOccurrences(of: "_count", with: ""),
                          s.name.replacingOccurrences(of: "_sum", with: "")]
            guard family.contains(where: { types[$0] != nil }) else { throw Malformed(description: "no TYPE for \(s.name)") }
        }
        for (name, type) in types where type == "histogram" {
            let buckets = samples.filter { $0.name == name + "_bucket" }
            var bySeries: [[String: String]: [(Double, Double)]] = [:]
            for b in buckets {
                var series = b.labels
                guard let le = series.removeValue(forKey: "le") else { throw Malformed(description: "\(name) bucket without le") }
                bySeries[series, default: []].append((le == "+Inf" ? .infinity : Double(le) ?? .nan, b.value))
            }
            for (series, points) in bySeries {
                let counts = points.sorted { $0.0 < $1.0 }.map(\.1)
                guard counts == counts.sorted(), points.contains(where: { $0.0 == .infinity }) else {
                    throw Malformed(description: "\(name)\(series) buckets are not cumulative or lack +Inf")
                }
                let count = samples.first { $0.name == name + "_count" && $0.labels == series }?.value
                guard count == counts.last else { throw Malformed(description: "\(name)\(series): +Inf \(counts.last ?? -1) ≠ _count \(count ?? -1)") }
            }
        }
    }

    static func sample(_ line: String) throws -> Sample {
        var name = "", labels: [String: String] = [:]
        var rest = Substring(line)
        if let brace = rest.firstIndex(of: "{") {
            name = String(rest[..<brace])
            guard let close = rest.lastIndex(of: "}") else { throw Malformed(description: "unclosed labels: \(line)") }
            let inside = rest[rest.index(after: brace)..<close]
            var i = inside.startIndex
            while i < inside.endIndex {
                guard let eq = inside[i...].firstIndex(of: "="), inside.index(after: eq) < inside.endIndex, inside[inside.index(after: eq)] == "\"" else {
                    throw Malformed(description: "bad label in \(line)")
                }
                let key = String(inside[i..<eq]).trimmingCharacters(in: CharacterSet(charactersIn: ","))
                var j = inside.index(eq, offsetBy: 2), value = ""
                while j < inside.endIndex, inside[j] != "\"" {
                    if inside[j] == "\\" { j = inside.index(after: j) }
                    value.append(inside[j])
                    j = inside.index(after: j)
                }
                guard j < inside.endIndex else { throw Malformed(description: "unterminated label value in \(line)") }
                labels[key] = value
                i = inside.index(after: j)
                if i < inside.endIndex, inside[i] == "," { i = inside.index(after: i) }
            }
            rest = rest[rest.index(after: close)...]
        } else {
            guard let space = rest.firstIndex(of: " ") else { throw Malformed(description: "no value: \(line)") }
            name = String(rest[..<space])
            rest = rest[space...]
        }
        let fields = rest.split(separator: " ")
        guard name.range(of: "^[a-zA-Z_:][a-zA-Z0-9_:]*$", options: .regularExpression) != nil,
              let first = fields.first, let value = Double(first == "+Inf" ? "inf" : String(first))
        else { throw Malformed(description: "bad sample: \(line)") }
        return Sample(name: name, labels: labels, value: value)
    }

    /// The value of the sample `name` whose labels include `labels`; the sum when several match.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = samples.filter { sample in sample.name == name && labels.allSatisfy { k, v in sample.labels[k] == v } }
        return matching.isEmpty ? nil : matching.reduce(0) { $0 + $1.value }
    }
}

/// GET `url`; the status, `Content-Type` and body.
func httpGet(_ url: URL, method: String = "GET") async throws -> (status: Int, contentType: String, body: String) {
    var request = URLRequest(url: url)
    request.httpMethod = method
    let (data, response) = try await URLSession.shared.data(for: request)
    let http = response as? HTTPURLResponse
    return (http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "Content-Type") ?? "", String(decoding: data, as: UTF8.self))
}

@Suite("Prometheus metrics on a local HTTP port", .timeLimit(.minutes(3)))
struct MetricsTests {
    @Test("GET /metrics during load parses as the exposition format and counts what the socket did")
    func scrapeDuringLoad() async throws {
        var config = DaemonConfig()
        config.metricsListen = "127.0.0.1:0"
        try await withDaemon(config) { daemon, client in
            let stats = try await client.stats()
            let urlText = try #require(stats["metricsUrl"]?.stringValue, "stats names where metrics are served")
            #expect(urlText.hasPrefix("http://127.0.0.1:") && urlText.hasSuffix("/metrics"))
            let url = try #require(URL(string: urlText))

            let orders = (0..<4).map { OrderFixture("M\($0)") }
            for o in orders { _ = try await o.create(client) }
            let notesPerOrder = 50
            let scrapes = try await withThrowingTaskGroup(of: [Exposition].self) { group in
                for o in orders {
                    group.addTask {
                        let c = try await TimelineClient.connect(socketPath: daemon.socketPath)
                        for i in 0..<notesPerOrder { _ = try await c.append(order: o.order, events: [o.chat("buyer", "note \(i)")]) }
                        await c.close()
                        return []
                    }
                }
                group.addTask {
                    var seen: [Exposition] = []
                    for _ in 0..<10 {
                        let r = try await httpGet(url)
                        #expect(r.status == 200)
                        #expect(r.contentType.hasPrefix("text/plain; version=0.0.4"))
                        seen.append(try Exposition(r.body))
                    }
                    return seen
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(scrapes.count == 10, "every scrape during the load parsed")
            // Counters never go back between scrapes.
            let recordedSeries = scrapes.map { $0.value("timeline_events_total", ["status": "recorded"]) ?? 0 }
            #expect(recordedSeries == recordedSeries.sorted())

            // One refused request of each kind the counters tell apart.
            await #expect(throws: (any Error).self) { try await client.call("order.get", ["order": "no-such-order"]) }
            let phone = orders[0].chat("seller", "text me on whatsapp +49 170 1234567 and pay there")
            _ = try await client.append(order: orders[0].order, events: [phone])

            let after = try Exposition(try await httpGet(url).body)
            let events = orders.count * (2 + notesPerOrder) + 1
            #expect(after.value("timeline_events_total", ["status": "recorded"]) == Double(events))
            #expect(after.value("timeline_append_requests_total", ["status": "ok"]) == Double(orders.count * (1 + notesPerOrder) + 1))
            #expect(after.value("timeline_requests_total", ["op": "append"]) == Double(orders.count * (1 + notesPerOrder) + 1))
            #expect(after.value("timeline_errors_total", ["code": "not_found"]) == 1)
            #expect((after.value("timeline_moderation_verdicts_total", ["verdict": "filtered"]) ?? 0) >= 1, "the contact-sharing message is counted by verdict and rule")
            #expect(after.types["timeline_commit_duration_seconds"] == "histogram")
            #expect((after.value("timeline_commit_duration_seconds_count") ?? 0) >= 1)
            #expect((after.value("timeline_log_sync_duration_seconds_count") ?? 0) >= 1)
            #expect((after.value("timeline_commit_batch_requests_count") ?? 0) >= 1)
            #expect((after.value("timeline_map_size_bytes", ["env": "log"]) ?? 0) > 0)
            #expect((after.value("timeline_map_used_bytes", ["env": "views"]) ?? 0) > 0)
            #expect(after.value("timeline_log_head_position") == Double(events))
            #expect(after.value("timeline_views_lag_events") == 0, "every answered append is applied to views/")
            #expect((after.value("timeline_connections") ?? 0) >= 1)
            #expect((after.value("timeline_uptime_seconds") ?? 0) > 0)
        }
    }

    @Test("only GET /metrics is served: other paths 404, other methods 405")
    func otherRequests() async throws {
        var config = DaemonConfig()
        config.metricsListen = "127.0.0.1:0"
        try await withDaemon(config) { _, client in
            let base = try #require(try await client.stats()["metricsUrl"]?.stringValue)
            let other = try #require(URL(string: base.replacingOccurrences(of: "/metrics", with: "/other")))
            #expect(try await httpGet(other).status == 404)
            let metrics = try #require(URL(string: base))
            #expect(try await httpGet(metrics, method: "POST").status == 405)
        }
    }

    @Test("metrics are off by default; a non-loopback address is refused unless allowed")
    func configuration() throws {
        let defaults = try ServerConfiguration(json: Array("{}".utf8))
        #expect(defaults.metrics.listen == nil)
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration(json: Array(#"{"metrics":{"listen":"0.0.0.0:9464"}}"#.utf8))
        }
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration(json: Array(#"{"metrics":{"listen":"metrics.example:9464"}}"#.utf8))
        }
        let open = try ServerConfiguration(json: Array(#"{"metrics":{"listen":"0.0.0.0:9464","allowNonLoopback":true}}"#.utf8))
        #expect(open.metrics.listen == "0.0.0.0:9464")
        let v6 = try ServerConfiguration(json: Array(#"{"metrics":{"listen":"[::1]:9464"}}"#.utf8))
        #expect(v6.metrics.listen == "[::1]:9464")
    }
}
