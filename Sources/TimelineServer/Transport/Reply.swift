import NIOCore
import TimelineModel

/// The body of a successful reply: a JSON value, or bytes already encoded
/// (lists of stored records are sent as stored, never re-encoded).
enum ReplyBody: Sendable {
    case json(JSONValue)
    case encoded([UInt8])

    /// `{"events":[…records…], …rest}` with the records spliced in as stored.
    static func records(_ records: [[UInt8]], key: String = "events", rest: [String: JSONValue]) -> ReplyBody {
        var out: [UInt8] = []
        out.reserveCapacity(records.reduce(64) { $0 + $1.count + 1 })
        out.append(UInt8(ascii: "{"))
        CanonicalJSON.writeString(key, into: &out)
        out.append(contentsOf: Array(":[".utf8))
        for (i, r) in records.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: r)
        }
        out.append(UInt8(ascii: "]"))
        for key in rest.keys.sorted() {
            guard let v = rest[key] else { continue }
            out.append(UInt8(ascii: ","))
            CanonicalJSON.writeString(key, into: &out)
            out.append(UInt8(ascii: ":"))
            CanonicalJSON.write(v, into: &out)
        }
        out.append(UInt8(ascii: "}"))
        return .encoded(out)
    }
}

/// Encodes reply envelopes as one line each.
enum ReplyEncoder {
    static func success(id: JSONValue, body: ReplyBody, allocator: ByteBufferAllocator) -> ByteBuffer {
        var out: [UInt8] = Array("{\"id\":".utf8)
        CanonicalJSON.write(id, into: &out)
        out.append(contentsOf: Array(",\"ok\":true,\"result\":".utf8))
        switch body {
        case .json(let v): CanonicalJSON.write(v, into: &out)
        case .encoded(let bytes): out.append(contentsOf: bytes)
        }
        out.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "\n")])
        return allocator.buffer(bytes: out)
    }

    static func failure(id: JSONValue, error: TimelineError, allocator: ByteBufferAllocator) -> ByteBuffer {
        var out: [UInt8] = []
        CanonicalJSON.write(["id": id, "ok": false, "error": error.json], into: &out)
        out.append(UInt8(ascii: "\n"))
        return allocator.buffer(bytes: out)
    }

    static func push(subscription: String, record: [UInt8], allocator: ByteBufferAllocator) -> ByteBuffer {
        var out: [UInt8] = Array("{\"subscription\":".utf8)
        CanonicalJSON.writeString(subscription, into: &out)
        out.append(contentsOf: Array(",\"event\":".utf8))
        out.append(contentsOf: record)
        out.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "\n")])
        return allocator.buffer(bytes: out)
    }

    static func pushError(subscription: String, error: TimelineError, allocator: ByteBufferAllocator) -> ByteBuffer {
        var out: [UInt8] = []
        CanonicalJSON.write(["subscription": .string(subscription), "error": error.json], into: &out)
        out.append(UInt8(ascii: "\n"))
        return allocator.buffer(bytes: out)
    }
}
