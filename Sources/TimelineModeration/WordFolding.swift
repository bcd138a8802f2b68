import TimelineModel
/// Byte-level tables used to cut words and fold them, compiled from `normalization`.
struct WordFolding: Sendable {
    /// The wildcard a `*` inside a word becomes: it stands for zero or one letter.
    static let wildcard: UInt8 = 0x2A

    /// Byte → letter for leetspeak (`0` → `o`), 0 when the byte is not leet.
    var leet: [UInt8]
    /// Letter → skeleton letter (`l` → `i`); identity for the others.
    var skeleton: [UInt8]
    /// Byte may separate pieces of one split word.
    var joinSeparator: [Bool]
    /// 0: not part of a word, 1: letter, 2: digit, 3: symbol allowed inside a word.
    var wordClass: [UInt8]
    /// The folded hashes of the words that stand for `@` and `.` in a spelled-out address.
    var atHashes: Set<UInt64> = []
    var dotHashes: Set<UInt64> = []
    /// Bit `hash & 63` of every at and dot word's hash: most words are told apart
    /// from them without hashing into the sets (see ``mayBeAddressWord(_:)``).
    var addressWordBits: UInt64 = 0

    init(leet leetMap: [UInt8: UInt8], skeleton skeletonMap: [UInt8: UInt8], joinSeparators: [UInt8], atWords: [String] = ["at"], dotWords: [String] = ["dot"]) {
        var leet = [UInt8](repeating: 0, count: 256)
        for (key, value) in leetMap { leet[Int(key)] = value }
        var skeleton = (0..<256).map { UInt8($0) }
        for (key, value) in skeletonMap { skeleton[Int(key)] = value }
        var join = [Bool](repeating: false, count: 256)
        for byte in joinSeparators { join[Int(byte)] = true }
        var wordClass = [UInt8](repeating: 0, count: 256)
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { wordClass[Int(byte)] = 1 }
        for byte in 0x80...0xFF { wordClass[byte] = 1 }  // the UTF-8 bytes of letters of other scripts
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { wordClass[Int(byte)] = 2 }
        for (key, _) in leetMap where wordClass[Int(key)] == 0 { wordClass[Int(key)] = 3 }
        wordClass[Int(Self.wildcard)] = 3
        self.leet = leet
        self.skeleton = skeleton
        self.joinSeparator = join
        self.wordClass = wordClass
        self.atHashes = Set(atWords.map { foldedHash(of: $0) })
        self.dotHashes = Set(dotWords.map { foldedHash(of: $0) })
        for hash in atHashes.union(dotHashes) { addressWordBits |= 1 << (hash & 63) }
    }

    /// Whether a word with this folded hash may be an at or dot word (no false negatives).
    @inline(__always)
    func mayBeAddressWord(_ hash: UInt64) -> Bool { addressWordBits & (1 << (hash & 63)) != 0 }

    /// The hash of `bytes[start..<end]` folded like a word's skeleton: when the
    /// word has a letter, leetspeak digits and symbols become letters and the
    /// skeleton table applies (`gma1l` and `gmail` hash alike); a word of digits
    /// only keeps its digits. The address view hashes its words this way and the
    /// compiler hashes provider, domain and TLD lists this way, so both meet.
    func foldedHash(_ bytes: [UInt8], _ start: Int, _ end: Int, hasLetter: Bool) -> UInt64 {
        var hash = FNV1a.offsetBasis
        var index = start
        while index < end {
            var byte = bytes[index]
            if hasLetter && leet[Int(byte)] != 0 { byte = leet[Int(byte)] }
            hash = FNV1a.step(hash, skeleton[Int(byte)])
            index += 1
        }
        return hash
    }

    /// ``foldedHash(_:_:_:hasLetter:)`` of a lowercase ASCII word.
    func foldedHash(of word: String) -> UInt64 {
        let bytes = Array(word.lowercased().utf8)
        return foldedHash(bytes, 0, bytes.count, hasLetter: bytes.contains { wordClass[Int($0)] == 1 })
    }
}
