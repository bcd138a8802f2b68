#if canImport(Glibc)
import Glibc
#endif

/// Where the next `\n` is: the one definition of the wire protocol's framing
/// (PROTOCOL.md: one JSON value per `\n`-terminated line), used by the NIO
/// ``LineFrameDecoder`` of the daemon and the Swift client and by the blocking
/// `LineBuffer` of the fuzzer and the tests' raw connections.
///
/// Bytes already searched are not searched again when more arrive, so a line
/// that comes in many reads costs time linear in its length.
public struct LineScanner: Sendable {
    /// What ``next(in:)`` found.
    public enum Outcome: Sendable, Equatable {
        /// A complete line of `length` bytes (without its `\n`) starts the unread bytes.
        case line(length: Int)
        /// No `\n` yet, and the bytes so far are within the limit.
        case needMore
        /// The current line is longer than ``maxLineBytes`` (framing is lost).
        case tooLarge
    }

    /// The longest line accepted.
    public let maxLineBytes: Int
    /// Unread bytes before this offset hold no `\n`.
    private var scanned = 0

    /// A scanner refusing lines longer than `maxLineBytes`.
    public init(maxLineBytes: Int) { self.maxLineBytes = maxLineBytes }

    /// Looks for the end of the current line in `unread` (the bytes not consumed
    /// yet, starting where the current line starts). After `.line`, consume that
    /// line and its `\n` before the next call.
    public mutating func next(in unread: UnsafeRawBufferPointer) -> Outcome {
        guard let base = unread.baseAddress, scanned < unread.count else { return scanned > maxLineBytes ? .tooLarge : .needMore }
        if let found = memchr(base + scanned, Int32(UInt8(ascii: "\n")), unread.count - scanned) {
            let length = base.distance(to: UnsafeRawPointer(found))
            scanned = 0
            return length > maxLineBytes ? .tooLarge : .line(length: length)
        }
        scanned = unread.count
        return scanned > maxLineBytes ? .tooLarge : .needMore
    }

    /// Forgets what was searched (the buffer was emptied).
    public mutating func reset() { scanned = 0 }
}
