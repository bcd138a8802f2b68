/// Bytes received on a stream, cut into lines at `\n`: the wire protocol's
/// framing, shared by the fuzzer's socket and the tests' raw connections.
/// Consumed bytes are dropped in bulk, so reading many short lines stays linear.
public struct LineBuffer: Sendable {
    private var bytes: [UInt8] = []
    /// Where unread bytes start in `bytes`.
    private var head = 0
    /// Unread bytes before this index hold no `\n` (a long line is scanned once, not once per chunk).
    private var scanned = 0

    public init() {}

    /// Whether nothing unread is buffered.
    public var isEmpty: Bool { head == bytes.count }

    /// Adds received bytes.
    public mutating func append(_ chunk: ArraySlice<UInt8>) { bytes.append(contentsOf: chunk) }

    /// The next complete line without its `\n`, or `nil` when none is buffered yet.
    public mutating func nextLine() -> [UInt8]? {
        let newline: Int? = bytes.withUnsafeBufferPointer { b in
            var i = max(head, scanned)
            while i < b.count {
                if b[i] == UInt8(ascii: "\n") { return i }
                i += 1
            }
            return nil
        }
        guard let newline else {
            scanned = bytes.count
            if head > 0 {
                bytes.removeSubrange(..<head)
                scanned -= head
                head = 0
            }
            return nil
        }
        let line = Array(bytes[head..<newline])
        head = newline + 1
        scanned = head
        if head == bytes.count {
            removeAll()
        }
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
        scanned = 0
    }
}
