import NIOCore

/// One frame read off a connection.
enum Frame {
    /// A line without its `\n`.
    case line(ByteBuffer)
    /// A line passed `maxFrameBytes`; framing is lost and the connection must close.
    case tooLarge
}

/// Splits the byte stream on `\n` with the frame limit built in. After
/// `tooLarge` it swallows everything: the connection is closing.
struct LineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = Frame

    let maxFrameBytes: Int
    private var scanned = 0
    private var failed = false

    init(maxFrameBytes: Int) { self.maxFrameBytes = maxFrameBytes }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if failed {
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return .needMoreData
        }
        let view = buffer.readableBytesView
        let searchStart = view.index(view.startIndex, offsetBy: scanned)
        if let newline = view[searchStart...].firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - view.startIndex
            scanned = 0
            if length > maxFrameBytes {
                return fail(context: context, buffer: &buffer)
            }
            var line = buffer.readSlice(length: length) ?? ByteBuffer()
            buffer.moveReaderIndex(forwardBy: 1)
            if line.readableBytes > 0, line.getInteger(at: line.writerIndex - 1, as: UInt8.self) == UInt8(ascii: "\r") {
                line.moveWriterIndex(to: line.writerIndex - 1)
            }
            context.fireChannelRead(NIOAny(Frame.line(line)))
            return .continue
        }
        scanned = view.count
        if scanned > maxFrameBytes { return fail(context: context, buffer: &buffer) }
        return .needMoreData
    }

    private mutating func fail(context: ChannelHandlerContext, buffer: inout ByteBuffer) -> DecodingState {
        failed = true
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        context.fireChannelRead(NIOAny(Frame.tooLarge))
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A last line without `\n` at end of input still counts as a request.
        if !failed, buffer.readableBytes > 0 {
            if try decode(context: context, buffer: &buffer) == .continue { return .continue }
            if buffer.readableBytes > 0, !failed {
                let line = buffer.readSlice(length: buffer.readableBytes) ?? ByteBuffer()
                scanned = 0
                context.fireChannelRead(NIOAny(Frame.line(line)))
            }
        }
        return .needMoreData
    }
}
