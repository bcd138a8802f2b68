/// A run of domain labels `word (dot word)*` in the address view.
struct DomainChain {
    var hashes: [UInt64] = []
    /// Some dot was the word `dot` (`mail dot ru`).
    var usedWordDot = false
    /// The index of the first item after the last label.
    var end: Int
    var count: Int { hashes.count }
    var lastHash: UInt64 { hashes.last ?? 0 }

    /// Reads labels from `index`; nil when `items[index]` is not a word.
    /// - Parameters:
    ///   - allowWordDots: The word `dot` counts as a dot.
    ///   - allowSpaces: Spaces may surround dots (otherwise a dot must touch both labels).
    init?(_ items: [AddressItem], from index: Int, allowWordDots: Bool, allowSpaces: Bool = true) {
        guard index < items.count, items[index].kind == .word else { return nil }
        hashes.append(items[index].hash)
        var position = index + 1
        while position + 1 < items.count && hashes.count < 8 {
            let separator = items[position]
            let label = items[position + 1]
            let isDot = separator.kind == .dot || (allowWordDots && separator.kind == .dotWord)
            guard isDot, label.kind == .word else { break }
            if separator.kind == .dot && !allowSpaces && (separator.spaceBefore || label.spaceBefore) { break }
            hashes.append(label.hash)
            if separator.kind == .dotWord { usedWordDot = true }
            position += 2
        }
        end = position
    }
}
