import Foundation
import NIOCore
import NIOEmbedded
import TestSupport
import Testing
import TimelineClient
import TimelineWire

#if canImport(Glibc)
import Glibc
#endif

/// Feeds `chunks` through a channel running the decoder; the frames it passed on.
func frames(_ chunks: [[UInt8]], limit: Int, close: Bool = false) throws -> [String] {
    let channel = EmbeddedChannel(handler: ByteToMessageHandler(LineFrameDecoder(maxFrameBytes: limit)))
    var out: [String] = []
    func drain() throws {
        while let frame = try channel.readInbound(as: Frame.self) {
            switch frame {
            case .line(let b): out.append(String(buffer: b))
            case .tooLarge: out.append("<too large>")
            }
        }
    }
    for chunk in chunks {
        try channel.writeInbound(channel.allocator.buffer(bytes: chunk))
        try drain()
    }
    if close { _ = try channel.finish() } else { _ = try? channel.finish() }
    try drain()
    return out
}

@Suite("the one line framing of both ends (TimelineWire.LineFrameDecoder)")
struct LineFrameDecoderTests {
    @Test("lines split across reads, several lines in one read, CRLF, and a last line without \\n at end of input")
    func splitting() throws {
        let text = Array("{\"a\":1}\n{\"b\":2}\r\n{\"c\"".utf8)
        let oneByteReads = text.map { [$0] } + [Array(":3}".utf8)]
        #expect(try frames(oneByteReads, limit: 1024, close: true) == ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"])
        #expect(try frames([Array("x\ny\nz\n".utf8)], limit: 1024) == ["x", "y", "z"])
    }

    @Test("a line one byte over the limit is refused, whether or not its newline has arrived; one at the limit passes")
    func limit() throws {
        let atLimit = [UInt8](repeating: UInt8(ascii: "a"), count: 64)
        #expect(try frames([atLimit + [10]], limit: 64) == [String(repeating: "a", count: 64)])
        #expect(try frames([atLimit + [UInt8(ascii: "a"), 10]], limit: 64) == ["<too large>"])
        #expect(try frames([atLimit, [UInt8(ascii: "a")], [UInt8(ascii: "a")]], limit: 64) == ["<too large>"])
        // After the refusal everything is swallowed: framing is lost.
        #expect(try frames([atLimit + [UInt8(ascii: "a"), 10] + Array("ok\n".utf8)], limit: 64) == ["<too large>"])
    }

    @Test("a 4 MiB reply in 4 KiB reads arrives whole")
    func largeLine() throws {
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 4 << 20)
        let chunks = stride(from: 0, to: big.count, by: 4096).map { Array(big[$0..<min($0 + 4096, big.count)]) } + [[10]]
        let out = try frames(chunks, limit: 8 << 20)
        #expect(out.count == 1 && out.first?.utf8.count == big.count)
    }

    @Test("the client fails its call with a sentence, not a hang, when the socket sends a line that is not JSON")
    func clientRefusesGarbage() async throws {
        let dir = try TempDirectory(prefix: "wire")
        let path = dir.path + "/fake.sock"
        let fd = try listeningSocket(at: path)
        defer { close(fd) }
        // A peer that answers every connection with one line that is not the protocol.
        let server = Thread {
            let peer = accept(fd, nil, nil)
            guard peer >= 0 else { return }
            let garbage = Array("HTTP/1.1 400 Bad Request\n".utf8)
            _ = garbage.withUnsafeBytes { write(peer, $0.baseAddress, garbage.count) }
            var buffer = [UInt8](repeating: 0, count: 256)
            while read(peer, &buffer, buffer.count) > 0 {}
            close(peer)
        }
        server.start()
        let client = try await TimelineClient.connect(socketPath: path)
        do {
            _ = try await client.call("hello")
            Issue.record("a garbage line was taken for a reply")
        } catch let error as TimelineClientError {
            guard case .malformedReply(let why) = error else {
                Issue.record("expected malformedReply, got \(error)")
                return
            }
            #expect(why.contains("not JSON"))
        }
        await client.close()
    }
}
