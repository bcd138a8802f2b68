/// FNV-1a, 64 bits: a fast, non-cryptographic hash of bytes. The audit compares
/// eventIds with the index by it without keeping them; the moderation word sets
/// are sets of it, so checking a word allocates nothing. Never used where an
/// adversary's collision would matter: the chain and proofs use SHA-256.
public enum FNV1a {
    /// The offset basis: the hash of no bytes.
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    /// The FNV 64-bit prime.
    public static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// `hash` extended by one more byte; start from ``offsetBasis``.
    @inline(__always)
    public static func step(_ hash: UInt64, _ byte: UInt8) -> UInt64 {
        (hash ^ UInt64(byte)) &* prime
    }

    /// The hash of `bytes`.
    @inlinable
    public static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash = offsetBasis
        for byte in bytes { hash = step(hash, byte) }
        return hash
    }
}
