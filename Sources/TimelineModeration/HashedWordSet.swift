/// A set of words, checked by hash (the compiler hashes them folded, like the address view).
struct HashedWordSet: Sendable, Equatable {
    private var hashes: Set<UInt64>

    /// Creates the set from word hashes.
    init(hashes: [UInt64]) {
        self.hashes = Set(hashes)
    }

    /// Whether the word with this hash is in the set.
    @inline(__always)
    func contains(hash: UInt64) -> Bool {
        hashes.contains(hash)
    }

    /// True when the set has no words.
    var isEmpty: Bool { hashes.isEmpty }
}
