import NIOCore
import NIOPosix
import Synchronization
import TimelineModel
import TimelineWire

/// The state shared by a client's callers and its channel handler.
final class ClientState: Sendable {
    struct Waiting {
        var replies: [Int64: CheckedContinuation<JSONValue, any Error>] = [:]
        /// Streams waiting for their `subscribe` reply, by request id.
        var pendingStreams: [Int64: AsyncThrowingStream<JSONValue, any Error>.Continuation] = [:]
        var streams: [String: AsyncThrowingStream<JSONValue, any Error>.Continuation] = [:]
        /// Why the connection ended, once it has; later calls fail with it.
        var closedBy: TimelineClientError?
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

    /// Fails everything still waiting with `error`: the connection is gone.
    func closeAll(with error: TimelineClientError = .connectionClosed) {
        let w = waiting.withLock { w -> Waiting in
            let copy = w
            w = Waiting()
            w.closedBy = copy.closedBy ?? error
            return copy
        }
        for c in w.replies.values { c.resume(throwing: error) }
        for s in w.pendingStreams.values { s.finish(throwing: error) }
        for s in w.streams.values { s.finish(throwing: error) }
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
    typealias InboundIn = Frame

    /// The longest reply line accepted (a `log.read` page of large events stays far below it).
    static let maxReplyBytes = 1 << 30

    let state: ClientState
    init(state: ClientState) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .line(let line):
            let parsed = line.withUnsafeReadableBytes { raw in
                try? JSONParser.parse(buffer: raw.assumingMemoryBound(to: UInt8.self))
            }
            if let parsed {
                state.receive(parsed)
            } else {
                // A line that is not JSON means the stream is not the daemon's protocol: nothing after it can be trusted.
                state.closeAll(with: .malformedReply("the daemon sent a line that is not JSON (\(line.readableBytes) bytes); is the socket a timelined socket?"))
                context.close(promise: nil)
            }
        case .tooLarge:
            state.closeAll(with: .malformedReply("the daemon sent a line longer than \(Self.maxReplyBytes) bytes; ask for smaller pages (limit)"))
            context.close(promise: nil)
        }
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
    /// What came back is not the wire protocol (not JSON, or a line past the client's limit); the connection was closed.
    case malformedReply(String)

    public var description: String {
        switch self {
        case .remote(let e): return "\(e.code.rawValue): \(e.message)"
        case .connectionClosed: return "the connection to the daemon closed before it answered"
        case .cannotConnect(let why): return why
        case .malformedReply(let why): return why
        }
    }

    /// The daemon's error, when it gave one.
    public var timelineError: TimelineError? {
        if case .remote(let e) = self { return e }
        return nil
    }
}
