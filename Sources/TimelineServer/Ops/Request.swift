import NIOCore
import TimelineModel

/// A frame that is not a usable request: the id when it could be read, and why.
struct RequestFailure: Error {
    let id: JSONValue
    let error: TimelineError
    init(_ id: JSONValue, _ error: TimelineError) {
        self.id = id
        self.error = error
    }
}

/// A parsed request envelope `{"id", "op", ...params}` with typed access to
/// its parameters; every accessor refuses a missing or ill-typed field with
/// `bad_request` naming it.
struct Request {
    /// The request id (string or integer), echoed in the reply.
    let id: JSONValue
    let op: String
    let params: [String: JSONValue]

    /// Parses one frame. A failure carries the id when it could be read.
    static func parse(_ line: ByteBuffer) -> Result<Request, RequestFailure> {
        let value: JSONValue
        do {
            value = try line.withUnsafeReadableBytes { raw throws(JSONParseError) in
                try JSONParser.parse(buffer: raw.assumingMemoryBound(to: UInt8.self))
            }
        } catch {
            return .failure(RequestFailure(.null, TimelineError(.badRequest, "the request is not valid JSON: \(error.message)")))
        }
        guard case .object(var members) = value else {
            return .failure(RequestFailure(.null, TimelineError(.badRequest, "a request must be a JSON object with id and op, not \(value.kindName)")))
        }
        let id = members.removeValue(forKey: "id") ?? .null
        switch id {
        case .string, .int: break
        default:
            return .failure(RequestFailure(.null, TimelineError(.badRequest, "id must be a string or an integer")))
        }
        guard let opValue = members.removeValue(forKey: "op") else {
            return .failure(RequestFailure(id, TimelineError(.badRequest, "op is missing; name the operation, e.g. \"op\": \"ping\"")))
        }
        guard let op = opValue.stringValue else {
            return .failure(RequestFailure(id, TimelineError(.badRequest, "op must be a string")))
        }
        return .success(Request(id: id, op: op, params: members))
    }

    // MARK: - Parameters

    func string(_ key: String) throws(TimelineError) -> String {
        guard let s = try optionalString(key) else { throw TimelineError(.badRequest, "\(key) is required") }
        return s
    }

    func optionalString(_ key: String) throws(TimelineError) -> String? {
        guard let v = params[key], !v.isNull else { return nil }
        guard let s = v.stringValue else { throw TimelineError(.badRequest, "\(key) must be a string, not \(v.kindName)") }
        return s
    }

    func optionalInt(_ key: String, in range: ClosedRange<Int64>) throws(TimelineError) -> Int64? {
        guard let v = params[key], !v.isNull else { return nil }
        guard let i = v.intValue else { throw TimelineError(.badRequest, "\(key) must be an integer, not \(v.kindName)") }
        guard range.contains(i) else {
            let bound = range.upperBound == .max ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
            throw TimelineError(.badRequest, "\(key) must be \(bound)")
        }
        return i
    }

    func optionalStringArray(_ key: String) throws(TimelineError) -> [String]? {
        guard let v = params[key], !v.isNull else { return nil }
        guard let a = v.arrayValue else { throw TimelineError(.badRequest, "\(key) must be an array of strings") }
        var out: [String] = []
        for item in a {
            guard let s = item.stringValue else { throw TimelineError(.badRequest, "\(key) must be an array of strings") }
            out.append(s)
        }
        return out
    }

    /// A valid order id parameter.
    func orderId(_ key: String = "order") throws(TimelineError) -> String {
        let order = try string(key)
        guard Identifiers.isValidOrderId(order) else {
            throw TimelineError(.badRequest, "\(key) is not a valid order id: \(Identifiers.orderIdRule)")
        }
        return order
    }
}
