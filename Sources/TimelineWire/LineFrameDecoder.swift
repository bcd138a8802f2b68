import NIOCore

/// One frame read off a connection.
public enum Frame: Sendable {
    /// A line without its `\n`.
    case line(ByteBuffer)
    /// A line passed `maxFrameBytes`; framing is lost and the connection must close.
    case tooLarge
}

/// The wire protocol's framing (PROTOCOL.md: one JSON value per `\n`-terminated
/// line), for both ends: the daemon reads requests with it, the Swift client
/// replies. Splits the byte stream on `\n` (``LineScanner``) with the frame
/// limit built in. After `tooLarge` it swallows everything: the connection is closing.
public struct LineFrameDecoder: ByteToMessageDecoder {
    /// What the decoder passes on.
    public typealias InboundOut = Frame

    /// The longest line accepted; a longer one yields ``Frame/tooLarge``.
    public var maxFrameBytes: Int { scanner.maxLineBytes }
    private var scanner: LineScanner
    private var failed = false

    /// A decoder refusing lines longer than `maxFrameBytes`.
    public init(maxFrameBytes: Int) { scanner = LineScanner(maxLineBytes: maxFrameBytes) }

    /// Passes on each complete line.
    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if failed {
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return .needMoreData
        }
        switch buffer.withUnsafeReadableBytes({ scanner.next(in: $0) }) {
        case .needMore:
            return .needMoreData
        case .tooLarge:
            return fail(context: context, buffer: &buffer)
        case .line(let length):
            var line = buffer.readSlice(length: length) ?? ByteBuffer()
            buffer.moveReaderIndex(forwardBy: 1)
            if line.readableBytes > 0, line.getInteger(at: line.writerIndex - 1, as: UInt8.self) == UInt8(ascii: "\r") {
                line.moveWriterIndex(to: line.writerIndex - 1)
            }
            context.fireChannelRead(NIOAny(Frame.line(line)))
            return .continue
        }
    }

    private mutating func fail(context: ChannelHandlerContext, buffer: inout ByteBuffer) -> DecodingState {
        failed = true
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        context.fireChannelRead(NIOAny(Frame.tooLarge))
        return .needMoreData
    }

    /// Passes on the rest at end of input: a last line without `\n` still counts.
    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A last line without `\n` at end of input still counts as a request.
        if !failed, buffer.readableBytes > 0 {
            if try decode(context: context, buffer: &buffer) == .continue { return .continue }
            if buffer.readableBytes > 0, !failed {
                let line = buffer.readSlice(length: buffer.readableBytes) ?? ByteBuffer()
                scanner.reset()
                context.fireChannelRead(NIOAny(Frame.line(line)))
            }
        }
        return .needMoreData
    }
}
