/// FNV-1a 64-bit hash of a byte range: word sets for the e-mail and link
/// detectors are sets of these hashes, so checking a word allocates nothing.
enum WordHash {
    /// The FNV-1a 64-bit offset basis (the hash of the empty word).
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    /// The FNV-1a 64-bit prime.
    static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// Hash of `bytes[start..<end]`.
    @inline(__always)
    static func of(_ bytes: [UInt8], _ start: Int, _ end: Int) -> UInt64 {
        var hash = offsetBasis
        var index = start
        while index < end {
            hash = (hash ^ UInt64(bytes[index])) &* prime
            index += 1
        }
        return hash
    }

    /// Hash of a whole string's lowercase UTF-8 bytes.
    static func of(_ string: String) -> UInt64 {
        let bytes = Array(string.lowercased().utf8)
        return of(bytes, 0, bytes.count)
    }
}
