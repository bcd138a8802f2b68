import NIOCore

/// Answers a connection the daemon cannot take (over `limits.maxConnections`)
/// with one error line, then closes it.
///
/// Thread rule: a channel handler; everything runs on the channel's event loop.
final class BusyConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let reply: ByteBuffer

    init(reply: ByteBuffer) { self.reply = reply }

    /// The channel is registered and connected only now: writing from the
    /// child channel initializer would wait for a registration that waits for it.
    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(reply)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
