import TimelineWire

/// Bytes received on a blocking stream, cut into lines by the wire protocol's
/// ``LineScanner`` (the framing the daemon and the Swift client use), for the
/// fuzzer's socket and the tests' raw connections. Replies have no length limit
/// here. Consumed bytes are dropped in bulk, so reading many short lines stays linear.
public struct LineBuffer: Sendable {
    private var bytes: [UInt8] = []
    /// Where unread bytes start in `bytes`.
    private var head = 0
    private var scanner = LineScanner(maxLineBytes: .max)

    public init() {}

    /// Whether nothing unread is buffered.
    public var isEmpty: Bool { head == bytes.count }

    /// Adds received bytes.
    public mutating func append(_ chunk: ArraySlice<UInt8>) { bytes.append(contentsOf: chunk) }

    /// The next complete line without its `\n`, or `nil` when none is buffered yet.
    public mutating func nextLine() -> [UInt8]? {
        let head = self.head
        let found = bytes.withUnsafeBytes { raw in scanner.next(in: UnsafeRawBufferPointer(rebasing: raw[head...])) }
        guard case .line(let length) = found else {
            if head > 0 {
                // Keep only the unread part; the scanner's offset is relative to it, so it holds.
                bytes.removeSubrange(..<head)
                self.head = 0
            }
            return nil
        }
        let line = Array(bytes[head..<head + length])
        self.head = head + length + 1
        if self.head == bytes.count { removeAll() }
        return line
    }

    /// Everything unread (a last line without `\n`); the buffer is empty afterwards.
    public mutating func takeRest() -> [UInt8] {
        let rest = Array(bytes[head...])
        removeAll()
        return rest
    }

    /// Drops everything buffered.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        head = 0
        scanner.reset()
    }
}
