import Foundation
import NIOCore

/// A message delivered to a subscription (`MSG` or `HMSG`).
public struct NATSMessage: Sendable {
    public var subject: String
    public var sid: String
    public var reply: String?
    /// Header fields (`HMSG` only), by name as sent.
    public var headers: [String: String]
    /// The status of a header-only reply (`NATS/1.0 503` → 503), when there is one.
    public var status: Int?
    public var payload: [UInt8]
}

/// One frame the server sends (the NATS client protocol, server to client).
enum NATSFrame: Sendable {
    case info(String)
    case message(NATSMessage)
    case ping
    case pong
    case ok
    case error(String)
}

/// Splits the server's byte stream into frames. Control lines end in CRLF; `MSG`
/// and `HMSG` are followed by their payload and CRLF. Fields are split on runs of
/// spaces or tabs (nats-server 2.9 writes `MSG <subj> <sid>  <len>` with two spaces).
struct NATSFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = NATSFrame

    /// The longest control line taken (a server INFO is well below it).
    static let maxLineBytes = 64 * 1024

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let cr = view.firstIndex(of: UInt8(ascii: "\r")), cr + 1 < view.endIndex else {
            if view.count > Self.maxLineBytes { throw NATSError.protocolError("a line of more than \(Self.maxLineBytes) bytes") }
            return .needMoreData
        }
        guard view[cr + 1] == UInt8(ascii: "\n") else { throw NATSError.protocolError("a line not ended by CRLF") }
        let lineLength = cr - view.startIndex
        let line = String(decoding: view[view.startIndex..<cr], as: UTF8.self)
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let verb = fields.first?.uppercased() else {
            buffer.moveReaderIndex(forwardBy: lineLength + 2)
            return .continue
        }
        switch verb {
        case "MSG", "HMSG":
            let withHeaders = verb == "HMSG"
            // MSG <subject> <sid> [reply] <#bytes>; HMSG <subject> <sid> [reply] <#header bytes> <#total bytes>
            let counts = withHeaders ? 2 : 1
            guard fields.count == 3 + counts || fields.count == 4 + counts,
                  let total = Int(fields[fields.count - 1]), total >= 0,
                  let headerBytes = withHeaders ? Int(fields[fields.count - 2]) : 0, headerBytes >= 0, headerBytes <= total
            else { throw NATSError.protocolError("a malformed \(verb) line: \(line.prefix(200))") }
            let needed = lineLength + 2 + total + 2
            guard view.count >= needed else { return .needMoreData }
            buffer.moveReaderIndex(forwardBy: lineLength + 2)
            let headerBlock = buffer.readBytes(length: headerBytes) ?? []
            let payload = buffer.readBytes(length: total - headerBytes) ?? []
            buffer.moveReaderIndex(forwardBy: 2)
            var message = NATSMessage(
                subject: fields[1], sid: fields[2], reply: fields.count == 4 + counts ? fields[3] : nil,
                headers: [:], status: nil, payload: payload
            )
            if withHeaders { (message.status, message.headers) = Self.parseHeaders(headerBlock) }
            context.fireChannelRead(wrapInboundOut(.message(message)))
        default:
            buffer.moveReaderIndex(forwardBy: lineLength + 2)
            switch verb {
            case "INFO": context.fireChannelRead(wrapInboundOut(.info(String(line.dropFirst(4)).trimmingCharacters(in: .whitespaces))))
            case "PING": context.fireChannelRead(wrapInboundOut(.ping))
            case "PONG": context.fireChannelRead(wrapInboundOut(.pong))
            case "+OK": context.fireChannelRead(wrapInboundOut(.ok))
            case "-ERR": context.fireChannelRead(wrapInboundOut(.error(String(line.dropFirst(4)).trimmingCharacters(in: .whitespaces))))
            default: throw NATSError.protocolError("an unknown frame: \(line.prefix(200))")
            }
        }
        return .continue
    }

    /// `NATS/1.0[ status[ description]]` then `Name: value` lines.
    static func parseHeaders(_ block: [UInt8]) -> (Int?, [String: String]) {
        let text = String(decoding: block, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        guard !lines.isEmpty else { return (nil, [:]) }
        let first = lines.removeFirst().split(separator: " ")
        let status = first.count > 1 ? Int(first[1]) : nil
        var headers: [String: String] = [:]
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (status, headers)
    }
}

/// What went wrong talking to NATS.
public enum NATSError: Error, Sendable, CustomStringConvertible {
    case cannotConnect(String)
    case protocolError(String)
    /// The server sent `-ERR`.
    case server(String)
    /// No reply within the time allowed (no responders, or a leader election under way).
    case timeout(String)
    case connectionClosed
    /// A JetStream API error (`{"error": {"code", "description"}}`) or a status like 503.
    case jetStream(code: Int, description: String)

    public var description: String {
        switch self {
        case .cannotConnect(let why): return "cannot connect to NATS: \(why)"
        case .protocolError(let why): return "the NATS server sent \(why)"
        case .server(let why): return "the NATS server refused: \(why)"
        case .timeout(let what): return "no reply from NATS to \(what) in time"
        case .connectionClosed: return "the connection to NATS closed"
        case .jetStream(let code, let description): return "JetStream error \(code): \(description)"
        }
    }
}
