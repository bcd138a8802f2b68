import NIOCore
import NIOPosix
import TimelineModel
import TimelineWire

/// An async client of the wire protocol over the daemon's Unix socket.
/// Calls may run concurrently; they are pipelined on one connection.
///
/// ```swift
/// let client = try await TimelineClient.connect(socketPath: "var/timelined.sock")
/// let view = try await client.call("order.get", ["order": "A-1001"])
/// for try await event in try await client.subscribe(fromPosition: 1) { print(event) }
/// ```
public final class TimelineClient: Sendable {
    let channel: Channel
    let state: ClientState

    init(channel: Channel, state: ClientState) {
        self.channel = channel
        self.state = state
    }

    /// Connects to the daemon at `socketPath`.
    public static func connect(
        socketPath: String, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> TimelineClient {
        let state = ClientState()
        do {
            let channel = try await ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxFrameBytes: ClientHandler.maxReplyBytes)))
                        try channel.pipeline.syncOperations.addHandler(ClientHandler(state: state))
                    }
                }
                .connect(unixDomainSocketPath: socketPath).get()
            return TimelineClient(channel: channel, state: state)
        } catch {
            throw TimelineClientError.cannotConnect("cannot connect to \(socketPath): \(error); is timelined running there?")
        }
    }

    /// Sends `op` with `params` and returns the reply's `result`.
    /// - Throws: ``TimelineClientError/remote(_:)`` with the daemon's error.
    public func call(_ op: String, _ params: [String: JSONValue] = [:]) async throws -> JSONValue {
        let id = state.nextId()
        var request = params
        request["id"] = .int(id)
        request["op"] = .string(op)
        return try await send(request, id: id)
    }

    private func send(_ request: [String: JSONValue], id: Int64) async throws -> JSONValue {
        var bytes = CanonicalJSON.encode(.object(request))
        bytes.append(UInt8(ascii: "\n"))
        let buffer = channel.allocator.buffer(bytes: bytes)
        return try await withCheckedThrowingContinuation { continuation in
            let closedBy = state.waiting.withLock { w -> TimelineClientError? in
                if let why = w.closedBy { return why }
                w.replies[id] = continuation
                return nil
            }
            if let closedBy {
                continuation.resume(throwing: closedBy)
                return
            }
            channel.writeAndFlush(buffer).whenFailure { _ in
                let waiting = self.state.waiting.withLock { $0.replies.removeValue(forKey: id) }
                waiting?.resume(throwing: TimelineClientError.connectionClosed)
            }
        }
    }

    /// Subscribes; the stream yields each pushed recorded event (as JSON) and
    /// ends with an error when the daemon cuts the subscription off.
    public func subscribe(
        fromPosition: UInt64? = nil, orders: [String]? = nil, types: [String]? = nil
    ) async throws -> (subscription: String, head: UInt64, events: AsyncThrowingStream<JSONValue, any Error>) {
        let id = state.nextId()
        var request: [String: JSONValue] = ["id": .int(id), "op": "subscribe"]
        if let fromPosition { request["fromPosition"] = .int(Int64(fromPosition)) }
        if let orders { request["orders"] = .array(orders.map { .string($0) }) }
        if let types { request["types"] = .array(types.map { .string($0) }) }
        let (stream, continuation) = AsyncThrowingStream<JSONValue, any Error>.makeStream(bufferingPolicy: .unbounded)
        state.waiting.withLock { $0.pendingStreams[id] = continuation }
        let result = try await send(request, id: id)
        return (result["subscription"]?.stringValue ?? "", UInt64(result["head"]?.intValue ?? 0), stream)
    }

    /// Closes the connection.
    public func close() async {
        try? await channel.close()
    }
}
