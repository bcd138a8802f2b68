import TimelineModel

/// Evidence bytes with their SHA-256, hashed once where they arrive
/// (`evidence.put` on the event loop) and never again on the writer.
public struct EvidenceBlob: Sendable {
    /// The file's bytes.
    public let bytes: [UInt8]
    /// SHA-256 of ``bytes``: the key in log/'s blobs table.
    public let sha256: [UInt8]

    /// Hashes `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        sha256 = Hashing.sha256(bytes)
    }

    /// ``sha256`` in lower-case hex, as `evidence.attached`'s `data.sha256` names it.
    public var sha256Hex: String { Hashing.hex(sha256) }
}
