import NIOCore
import NIOHTTP1
import NIOPosix
import TimelineModel

/// `metrics` in config/timelined.json: where `GET /metrics` is served (docs/METRICS.md).
public struct MetricsSettings: Sendable, Hashable {
    /// `host:port` (`[::1]:9464` for IPv6); `nil`, the default, serves no metrics.
    public var listen: String?
    /// Whether `listen` may name an address other than loopback (the figures
    /// name ops, rules and sizes; publish them past the machine only on purpose).
    public var allowNonLoopback = false
    public init() {}

    /// The address `listen` names.
    /// - Throws: `bad_request` when it is not `host:port` with a numeric host, or
    ///   names a non-loopback host while ``allowNonLoopback`` is off.
    func address() throws(TimelineError) -> SocketAddress? {
        guard let listen else { return nil }
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw TimelineError(.badRequest, "metrics.listen must be host:port, e.g. \"127.0.0.1:9464\" (got \"\(listen)\")")
        }
        var host = String(listen[..<colon])
        if host == "localhost" { host = "127.0.0.1" }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: host, port: port)
        } catch {
            throw TimelineError(.badRequest, "metrics.listen needs a numeric IP address or localhost, e.g. \"127.0.0.1:9464\" (got \"\(listen)\")")
        }
        let loopback = host == "::1" || host.hasPrefix("127.")
        guard loopback || allowNonLoopback else {
            throw TimelineError(.badRequest, "metrics.listen \(listen) is not a loopback address; use 127.0.0.1 or ::1, or set metrics.allowNonLoopback to true to publish the figures beyond this machine")
        }
        return address
    }
}

/// A tiny HTTP/1 server: `GET /metrics` answers the Prometheus text format;
/// any other path is 404 and any other method 405.
enum MetricsEndpoint {
    /// Binds `address` on `group` and serves `metrics`, refreshed from `services` on each scrape.
    static func bind(_ address: SocketAddress, group: EventLoopGroup, services: ServerServices) throws -> Channel {
        try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(services: services))
                }
            }
            .bind(to: address).wait()
    }
}

/// Answers each HTTP request of one connection.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let services: ServerServices
    private var head: HTTPRequestHead?

    init(services: ServerServices) { self.services = services }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let (status, contentType, body): (HTTPResponseStatus, String, [UInt8])
        if path != "/metrics" {
            (status, contentType, body) = (.notFound, "text/plain; charset=utf-8", Array("only /metrics is served here\n".utf8))
        } else if head.method != .GET && head.method != .HEAD {
            (status, contentType, body) = (.methodNotAllowed, "text/plain; charset=utf-8", Array("use GET /metrics\n".utf8))
        } else {
            let metrics = services.stats.metrics
            metrics.refresh(from: services)
            (status, contentType, body) = (.ok, "text/plain; version=0.0.4; charset=utf-8", metrics.exposition())
        }
        var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", "\(body.count)")])
        if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET, HEAD") }
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
