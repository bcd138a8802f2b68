import TimelineModel

/// ``FNV1a`` of a word: word sets for the e-mail and link detectors are sets of
/// these hashes, so checking a word allocates nothing.
enum WordHash {

    /// Hash of `bytes[start..<end]`.
    @inline(__always)
    static func of(_ bytes: [UInt8], _ start: Int, _ end: Int) -> UInt64 {
        var hash = FNV1a.offsetBasis
        var index = start
        while index < end {
            hash = FNV1a.step(hash, bytes[index])
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
