import NIOCore
import NIOPosix
import Synchronization
import TimelineModel

/// Splits replies on `\n` (the daemon never sends a raw newline inside a message).
struct ReplyLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return .needMoreData }
        let line = buffer.readSlice(length: newline - buffer.readerIndex) ?? ByteBuffer()
        buffer.moveReaderIndex(forwardBy: 1)
        context.fireChannelRead(NIOAny(line))
        return .continue
    }
}

/// The state shared by a client's callers and its channel handler.
final class ClientState: Sendable {
    struct Waiting {
        var replies: [Int64: CheckedContinuation<JSONValue, any Error>] = [:]
        /// Streams waiting for their `subscribe` reply, by request id.
        var pendingStreams: [Int64: AsyncThrowingStream<JSONValue, any Error>.Continuation] = [:]
        var streams: [String: AsyncThrowingStream<JSONValue, any Error>.Continuation] = [:]
        var closed = false
    }

    let waiting = Mutex(Waiting())
    private let nextIdCounter = Atomic<Int64>(0)

    func nextId() -> Int64 { nextIdCounter.add(1, ordering: .relaxed).newValue }

    /// Routes one line from the daemon: a reply to its caller, a push to its stream.
    func receive(_ message: JSONValue) {
        if let subscription = message["subscription"]?.stringValue, message["ok"] == nil {
            let continuation = waiting.withLock { $0.streams[subscription] }
            if let event = message["event"] {
                continuation?.yield(event)
            } else if let error = message["error"] {
                continuation?.finish(throwing: TimelineClientError.remote(Self.error(from: error)))
                _ = waiting.withLock { $0.streams.removeValue(forKey: subscription) }
            }
            return
        }
        guard let id = message["id"]?.intValue else { return }
        let (reply, stream) = waiting.withLock { w in (w.replies.removeValue(forKey: id), w.pendingStreams.removeValue(forKey: id)) }
        if message["ok"]?.boolValue == true {
            let result = message["result"] ?? .emptyObject
            if let stream, let subscription = result["subscription"]?.stringValue {
                waiting.withLock { $0.streams[subscription] = stream }
            }
            reply?.resume(returning: result)
        } else {
            let error = Self.error(from: message["error"] ?? .null)
            stream?.finish(throwing: TimelineClientError.remote(error))
            reply?.resume(throwing: TimelineClientError.remote(error))
        }
    }

    /// Fails everything still waiting: the connection is gone.
    func closeAll() {
        let w = waiting.withLock { w -> Waiting in
            let copy = w
            w = Waiting()
            w.closed = true
            return copy
        }
        for c in w.replies.values { c.resume(throwing: TimelineClientError.connectionClosed) }
        for s in w.pendingStreams.values { s.finish(throwing: TimelineClientError.connectionClosed) }
        for s in w.streams.values { s.finish(throwing: TimelineClientError.connectionClosed) }
    }

    static func error(from value: JSONValue) -> TimelineError {
        var details = value.objectValue ?? [:]
        let code = details.removeValue(forKey: "code")?.stringValue ?? "internal"
        let message = details.removeValue(forKey: "message")?.stringValue ?? "the daemon gave no message"
        return TimelineError(TimelineError.Code(rawValue: code), message, details: details)
    }
}

/// Feeds decoded lines to the shared state (event loop only).
final class ClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let state: ClientState
    init(state: ClientState) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        let parsed = line.withUnsafeReadableBytes { raw in
            try? JSONParser.parse(buffer: raw.assumingMemoryBound(to: UInt8.self))
        }
        if let parsed { state.receive(parsed) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.closeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Why a client call failed.
public enum TimelineClientError: Error, Sendable, CustomStringConvertible {
    /// The daemon answered with an error (code, message, details).
    case remote(TimelineError)
    /// The connection closed before the reply arrived.
    case connectionClosed
    /// The daemon could not be reached.
    case cannotConnect(String)

    public var description: String {
        switch self {
        case .remote(let e): return "\(e.code.rawValue): \(e.message)"
        case .connectionClosed: return "the connection to the daemon closed before it answered"
        case .cannotConnect(let why): return why
        }
    }

    /// The daemon's error, when it gave one.
    public var timelineError: TimelineError? {
        if case .remote(let e) = self { return e }
        return nil
    }
}
