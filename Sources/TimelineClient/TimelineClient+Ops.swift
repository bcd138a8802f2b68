import TimelineModel

// MARK: - Typed conveniences over `call`

extension TimelineClient {
    /// `hello`: server, version, protocol, the peer's role and the limits.
    public func hello() async throws -> JSONValue { try await call("hello") }

    /// `ping`.
    public func ping() async throws { _ = try await call("ping") }

    /// `append`: events (as their wire JSON) to `order`.
    public func append(order: String, events: [JSONValue], expectedRevision: Int64? = nil) async throws -> JSONValue {
        var params: [String: JSONValue] = ["order": .string(order), "events": .array(events)]
        if let expectedRevision { params["expectedRevision"] = .int(expectedRevision) }
        return try await call("append", params)
    }

    /// `order.get`, optionally as of a global position.
    public func order(_ order: String, atPosition: UInt64? = nil) async throws -> JSONValue {
        var params: [String: JSONValue] = ["order": .string(order)]
        if let atPosition { params["atPosition"] = .int(Int64(atPosition)) }
        return try await call("order.get", params)
    }

    /// `order.events`.
    public func orderEvents(_ order: String, fromRevision: UInt64? = nil, limit: Int? = nil, backward: Bool = false) async throws -> JSONValue {
        var params: [String: JSONValue] = ["order": .string(order), "direction": backward ? "backward" : "forward"]
        if let fromRevision { params["fromRevision"] = .int(Int64(fromRevision)) }
        if let limit { params["limit"] = .int(Int64(limit)) }
        return try await call("order.events", params)
    }

    /// `log.read`.
    public func readLog(fromPosition: UInt64 = 1, limit: Int = 1000) async throws -> JSONValue {
        try await call("log.read", ["fromPosition": .int(Int64(fromPosition)), "limit": .int(Int64(limit))])
    }

    /// `stats`.
    public func stats() async throws -> JSONValue { try await call("stats") }
}
