import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// The small part of the NATS client protocol the relay and the auditors need,
/// on SwiftNIO, behind this one type: connect (INFO, CONNECT with headers,
/// PING/PONG), publish with headers (HPUB), and request/reply over one wildcard
/// inbox subscription, many requests in flight at once.
///
/// ```swift
/// let nats = try await NATSConnection.connect(url: "nats://127.0.0.1:4222")
/// let reply = try await nats.request("$JS.API.STREAM.INFO.TIMELINE_0", payload: [], timeout: .seconds(5))
/// ```
public final class NATSConnection: Sendable {
    let channel: Channel
    let state: NATSState
    /// The inbox prefix of this connection's replies (`_INBOX.<random>.`).
    let inbox: String

    init(channel: Channel, state: NATSState, inbox: String) {
        self.channel = channel
        self.state = state
        self.inbox = inbox
    }

    /// Connects to the first server of `urls` (comma-separated `nats://host:port`) that answers.
    public static func connect(urls: String, timeout: TimeAmount = .seconds(5), group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> NATSConnection {
        var failures: [String] = []
        for url in urls.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !url.isEmpty {
            do { return try await connect(url: url, timeout: timeout, group: group) } catch { failures.append("\(url): \(error)") }
        }
        throw NATSError.cannotConnect(failures.isEmpty ? "no server URL given" : failures.joined(separator: "; "))
    }

    /// Connects to one server, `nats://host:port` (or `host:port`).
    public static func connect(url: String, timeout: TimeAmount = .seconds(5), group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> NATSConnection {
        let (host, port) = try parse(url)
        let state = NATSState()
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(NATSFrameDecoder()))
                        try channel.pipeline.syncOperations.addHandler(NATSHandler(state: state))
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            throw NATSError.cannotConnect("\(host):\(port): \(error)")
        }
        var generator = SystemRandomNumberGenerator()
        let inbox = "_INBOX." + String((0..<22).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement(using: &generator) ?? "x" }) + "."
        let connection = NATSConnection(channel: channel, state: state, inbox: inbox)
        // The server's INFO first, then CONNECT, the inbox subscription, and a PING whose PONG says it took them.
        try await connection.waitForInfo(timeout: timeout)
        let connect = #"{"verbose":false,"pedantic":false,"headers":true,"no_responders":true,"protocol":1,"lang":"swift","version":"1","name":"timeline-relay"}"#
        try await connection.write("CONNECT \(connect)\r\nSUB \(inbox)* 1\r\n")
        try await connection.ping(timeout: timeout)
        return connection
    }

    static func parse(_ url: String) throws -> (String, Int) {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        let parts = rest.split(separator: ":")
        guard let host = parts.first, !host.isEmpty else { throw NATSError.cannotConnect("\(url) names no host") }
        let port = parts.count > 1 ? Int(parts[1]) : 4222
        guard let port, (1...65535).contains(port) else { throw NATSError.cannotConnect("\(url) names no valid port") }
        return (String(host), port)
    }

    /// Closes the connection; waiting requests fail with ``NATSError/connectionClosed``.
    public func close() async {
        try? await channel.close()
    }

    /// Whether the connection is still open.
    public var isOpen: Bool { channel.isActive && !state.isClosed }

    func write(_ text: String) async throws {
        try await write(Array(text.utf8))
    }

    func write(_ bytes: [UInt8]) async throws {
        guard channel.isActive else { throw NATSError.connectionClosed }
        do { try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)) } catch { throw NATSError.connectionClosed }
    }

    func waitForInfo(timeout: TimeAmount) async throws {
        try await state.waitForInfo(timeout: timeout, on: channel.eventLoop)
    }

    /// Sends PING and waits for the PONG: every earlier command was processed.
    public func ping(timeout: TimeAmount = .seconds(5)) async throws {
        let pong = state.expectPong(on: channel.eventLoop)
        try await write("PING\r\n")
        try await Self.wait(pong, timeout: timeout, on: channel.eventLoop, what: "PING")
    }

    /// Publishes `payload` to `subject` with `headers` (no reply).
    public func publish(_ subject: String, headers: [(String, String)] = [], payload: [UInt8]) async throws {
        try await write(Self.encodePublish(subject, reply: nil, headers: headers, payload: payload))
    }

    /// A request on its way: written, its reply still to come (``reply(to:timeout:)``).
    public struct Pending: Sendable {
        let token: String
        let subject: String
        let reply: EventLoopFuture<NATSMessage>
    }

    /// Publishes with a reply subject and returns at once, so many requests can be in
    /// flight; they go on the wire in the order of the calls.
    public func start(_ subject: String, headers: [(String, String)] = [], payload: [UInt8]) async throws -> Pending {
        let (token, reply) = state.expectReply(on: channel.eventLoop)
        do {
            try await write(Self.encodePublish(subject, reply: inbox + token, headers: headers, payload: payload))
        } catch {
            state.forget(token)
            throw error
        }
        return Pending(token: token, subject: subject, reply: reply)
    }

    /// The reply to a started request, or ``NATSError/timeout(_:)``.
    public func reply(to pending: Pending, timeout: TimeAmount = .seconds(5)) async throws -> NATSMessage {
        try await Self.wait(pending.reply, timeout: timeout, on: channel.eventLoop, what: pending.subject) { self.state.forget(pending.token) }
    }

    /// Publishes and waits for the reply (a JetStream API call, a PubAck).
    public func request(_ subject: String, headers: [(String, String)] = [], payload: [UInt8], timeout: TimeAmount = .seconds(5)) async throws -> NATSMessage {
        try await reply(to: try await start(subject, headers: headers, payload: payload), timeout: timeout)
    }

    /// `future`'s value, or ``NATSError/timeout(_:)`` after `timeout` (then `onTimeout` runs once).
    static func wait<T: Sendable>(
        _ future: EventLoopFuture<T>, timeout: TimeAmount, on loop: EventLoop, what: String, onTimeout: @escaping @Sendable () -> Void = {}
    ) async throws -> T {
        let promise = loop.makePromise(of: T.self)
        let once = Once()
        let timer = loop.scheduleTask(in: timeout) {
            guard once.take() else { return }
            promise.fail(NATSError.timeout(what))
            onTimeout()
        }
        future.whenComplete { result in
            guard once.take() else { return }
            timer.cancel()
            promise.completeWith(result)
        }
        return try await promise.futureResult.get()
    }

    /// `PUB`/`HPUB` bytes for one message.
    static func encodePublish(_ subject: String, reply: String?, headers: [(String, String)], payload: [UInt8]) -> [UInt8] {
        let replyPart = reply.map { " \($0)" } ?? ""
        var out: [UInt8] = []
        if headers.isEmpty {
            out += Array("PUB \(subject)\(replyPart) \(payload.count)\r\n".utf8)
        } else {
            var block = "NATS/1.0\r\n"
            for (name, value) in headers { block += "\(name): \(value)\r\n" }
            block += "\r\n"
            let headerBytes = Array(block.utf8)
            out += Array("HPUB \(subject)\(replyPart) \(headerBytes.count) \(headerBytes.count + payload.count)\r\n".utf8)
            out += headerBytes
        }
        out += payload
        out += [0x0D, 0x0A]
        return out
    }
}

/// True for the first caller of ``take()`` only: a reply and its timeout settle a request once.
final class Once: Sendable {
    private let taken = Mutex(false)
    func take() -> Bool { taken.withLock { was in defer { was = true }; return !was } }
}

/// What the connection's callers and its handler share.
final class NATSState: Sendable {
    struct Waiting {
        var info: EventLoopPromise<Void>?
        var gotInfo = false
        var pongs: [EventLoopPromise<Void>] = []
        var replies: [String: EventLoopPromise<NATSMessage>] = [:]
        var closed = false
    }

    let waiting = Mutex(Waiting())
    private let tokens = Atomic<UInt64>(0)

    var isClosed: Bool { waiting.withLock { $0.closed } }

    func waitForInfo(timeout: TimeAmount, on loop: EventLoop) async throws {
        let promise = loop.makePromise(of: Void.self)
        let ready = waiting.withLock { w -> Bool in
            if w.gotInfo { return true }
            w.info = promise
            return false
        }
        if ready { promise.succeed(()) }
        try await NATSConnection.wait(promise.futureResult, timeout: timeout, on: loop, what: "the server's INFO")
    }

    func expectPong(on loop: EventLoop) -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        waiting.withLock { $0.pongs.append(promise) }
        return promise.futureResult
    }

    func expectReply(on loop: EventLoop) -> (String, EventLoopFuture<NATSMessage>) {
        let token = String(tokens.add(1, ordering: .relaxed).newValue)
        let promise = loop.makePromise(of: NATSMessage.self)
        let closed = waiting.withLock { w -> Bool in
            if w.closed { return true }
            w.replies[token] = promise
            return false
        }
        if closed { promise.fail(NATSError.connectionClosed) }
        return (token, promise.futureResult)
    }

    func forget(_ token: String) {
        let promise = waiting.withLock { $0.replies.removeValue(forKey: token) }
        promise?.fail(NATSError.timeout("the request"))
    }

    func receive(_ frame: NATSFrame, inbox: String?) -> [UInt8]? {
        switch frame {
        case .info:
            let promise = waiting.withLock { w -> EventLoopPromise<Void>? in
                w.gotInfo = true
                defer { w.info = nil }
                return w.info
            }
            promise?.succeed(())
        case .ping:
            return Array("PONG\r\n".utf8)
        case .pong:
            let promise = waiting.withLock { w -> EventLoopPromise<Void>? in w.pongs.isEmpty ? nil : w.pongs.removeFirst() }
            promise?.succeed(())
        case .ok:
            break
        case .error(let text):
            // A permissions or parser error: every waiting request learns it.
            failAll(NATSError.server(text))
        case .message(let message):
            guard let dot = message.subject.lastIndex(of: ".") else { return nil }
            let token = String(message.subject[message.subject.index(after: dot)...])
            let promise = waiting.withLock { $0.replies.removeValue(forKey: token) }
            promise?.succeed(message)
        }
        return nil
    }

    func failAll(_ error: NATSError, closing: Bool = false) {
        let w = waiting.withLock { w -> Waiting in
            let copy = w
            w.replies = [:]
            w.pongs = []
            w.info = nil
            if closing { w.closed = true }
            return copy
        }
        for p in w.replies.values { p.fail(error) }
        for p in w.pongs { p.fail(error) }
        w.info?.fail(error)
    }
}

/// Feeds frames to the shared state and answers the server's PINGs (event loop only).
final class NATSHandler: ChannelInboundHandler {
    typealias InboundIn = NATSFrame

    let state: NATSState
    init(state: NATSState) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let answer = state.receive(unwrapInboundIn(data), inbox: nil) {
            context.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: answer)), promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.failAll(.connectionClosed, closing: true)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        state.failAll(.protocolError("\(error)"), closing: true)
        context.close(promise: nil)
    }
}
