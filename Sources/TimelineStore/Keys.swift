import LMDB
import TimelineModel

/// Key encodings of the store's tables. Numbers are big-endian so that LMDB's
/// byte order is numeric order; text parts end in a NUL so prefixes never overlap.
enum Keys {
    static func uint64(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    static func readUInt64(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<8 { value = value << 8 | UInt64(bytes[offset + i]) }
        return value
    }

    /// A signed time as an order-preserving unsigned number.
    static func time(_ t: Timestamp) -> [UInt8] { uint64(UInt64(bitPattern: t.microseconds) ^ (1 << 63)) }

    static func readTime(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Timestamp {
        Timestamp(microseconds: Int64(bitPattern: readUInt64(bytes, at: offset) ^ (1 << 63)))
    }

    static func text(_ s: String) -> [UInt8] { Array(s.utf8) + [0] }

    /// `log`: position.
    static func position(_ p: UInt64) -> [UInt8] { uint64(p) }

    /// `orderEvents`: order NUL revision.
    static func orderRevision(_ order: String, _ revision: UInt64) -> [UInt8] { text(order) + uint64(revision) }

    /// `byParticipant`: user NUL order.
    static func participantOrder(_ user: String, _ order: String) -> [UInt8] { text(user) + Array(order.utf8) }

    /// `byState`: state NUL order.
    static func stateOrder(_ state: OrderStatus, _ order: String) -> [UInt8] { text(state.rawValue) + Array(order.utf8) }

    /// `disputeQueue`: status NUL openedAt order.
    static func dispute(_ status: DisputeStatus, _ openedAt: Timestamp, _ order: String) -> [UInt8] {
        text(status.rawValue) + time(openedAt) + Array(order.utf8)
    }

    /// `timers`: due kind NUL order.
    static func timer(_ due: Timestamp, _ kind: TimerKind, _ order: String) -> [UInt8] {
        time(due) + text(kind.rawValue) + Array(order.utf8)
    }

    /// `appeals`: status NUL appeal position.
    static func appeal(_ status: Appeal.Status, _ appealPosition: UInt64) -> [UInt8] { text(status.rawValue) + uint64(appealPosition) }

    /// `blobRefs`: raw SHA-256 (32 bytes) + position; `nil` for a malformed hex digest.
    static func blobRef(_ sha256: String, _ position: UInt64) -> [UInt8]? {
        Hashing.bytes(fromHex: sha256).flatMap { $0.count == 32 ? $0 + uint64(position) : nil }
    }

    /// `replyTimes`: user NUL reply number.
    static func replyTime(_ user: String, _ number: UInt64) -> [UInt8] { text(user) + uint64(number) }

    /// The text after a NUL-terminated prefix of `count` bytes.
    static func suffix(_ key: UnsafeRawBufferPointer, after count: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: key[count...]), as: UTF8.self)
    }

    static func hasPrefix(_ key: UnsafeRawBufferPointer, _ prefix: [UInt8]) -> Bool {
        key.count >= prefix.count && key.prefix(prefix.count).elementsEqual(prefix)
    }
}
