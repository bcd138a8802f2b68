/// Bytes received on a stream, cut into lines at `\n`: the wire protocol's
/// framing, shared by the fuzzer's socket and the tests' raw connections.
/// Consumed bytes are dropped in bulk, so reading many short lines stays linear.
public struct LineBuffer: Sendable {
    private var bytes: [UInt8] = []
    /// Where unread bytes start in `bytes`.
    private var head = 0

    public init() {}

    /// Whether nothing unread is buffered.
    public var isEmpty: Bool { head == bytes.count }

    /// Adds received bytes.
    public mutating func append(_ chunk: ArraySlice<UInt8>) { bytes.append(contentsOf: chunk) }

    /// The next complete line without its `\n`, or `nil` when none is buffered yet.
    public mutating func nextLine() -> [UInt8]? {
        guard let newline = bytes[head...].firstIndex(of: UInt8(ascii: "\n")) else {
            if head > 0 {
                bytes.removeSubrange(..<head)
                head = 0
            }
            return nil
        }
        let line = Array(bytes[head..<newline])
        head = newline + 1
        if head == bytes.count {
            bytes.removeAll(keepingCapacity: true)
            head = 0
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
    }
}
