import TimelineModel
// MARK: - Words and their letter-folded skeletons

/// The words of a message and the letter-folded view of each.
///
/// The skeleton of a word that contains a letter folds leetspeak (`d1sc0rd` →
/// `discord`) and the skeleton table (`l` → `i`); a word of digits only keeps
/// its digits, so prices and quantities never turn into words.
struct TokenizedText: Sendable {
    var tokens: [WordToken]
    var skeleton: [UInt8]
    /// ASCII digits in the message (inside words; digits are always inside words).
    var digitCount: Int
    /// An e-mail address or link is possible: the text has `@`, `://`, a dot
    /// touching a following letter (`x.com`, `t . me`), or the words `at`/`dot`.
    /// Prices (`12.50`) and full stops (`ok. thanks`) do not count.
    var mayHoldAddress: Bool

    init(_ text: NormalizedText, folding: WordFolding) {
        let count = text.bytes.count
        var tokens = [WordToken]()
        tokens.reserveCapacity(count / 3 + 1)
        let suspicious = text.suspicious
        var digitCount = 0
        var mayHoldAddress = false
        var afterAtWord = false
        // A word's skeleton is never longer than the word, so `count` bytes suffice.
        let skeleton = [UInt8](unsafeUninitializedCapacity: count) { out, written in
            var length = 0
            text.bytes.withUnsafeBufferPointer { bytes in
            folding.wordClass.withUnsafeBufferPointer { wordClass in
            folding.leet.withUnsafeBufferPointer { leet in
            folding.skeleton.withUnsafeBufferPointer { fold in
                var index = 0
                while index < count {
                    let cls = wordClass[Int(bytes[index])]
                    if cls != 1 && cls != 2 {
                        index += 1
                        continue
                    }
                    // Extend over letters, digits and inner symbols, then drop trailing symbols.
                    var end = index + 1
                    var hasLetter = cls == 1
                    var hasDigit = cls == 2
                    while end < count {
                        let next = wordClass[Int(bytes[end])]
                        if next == 0 { break }
                        if next == 1 {
                            hasLetter = true
                        } else if next == 2 {
                            hasDigit = true
                        } else if bytes[end] == UInt8(ascii: "@") {
                            mayHoldAddress = true
                        }
                        end += 1
                    }
                    while end > index && wordClass[Int(bytes[end - 1])] == 3 { end -= 1 }
                    let skeletonStart = length
                    var obfuscated = false
                    for position in index..<end {
                        let byte = bytes[position]
                        if !suspicious.isEmpty && suspicious[position] { obfuscated = true }
                        let folded: UInt8
                        switch wordClass[Int(byte)] {
                        case 1:
                            folded = fold[Int(byte)]
                        case 2 where hasLetter && leet[Int(byte)] != 0:
                            folded = fold[Int(leet[Int(byte)])]
                            obfuscated = true
                            digitCount += 1
                        case 2:
                            folded = byte
                            digitCount += 1
                        default:
                            folded = byte == WordFolding.wildcard ? WordFolding.wildcard : fold[Int(leet[Int(byte)])]
                            obfuscated = true
                        }
                        out[length] = folded
                        length += 1
                    }
                    // The dot words, `[at]`, and an at word before a word (not `at 5pm`) may be part of an address;
                    // they are recognised folded, like the address view reads them (`d0t`).
                    if afterAtWord && cls == 1 { mayHoldAddress = true }
                    afterAtWord = false
                    let skeletonLength = length - skeletonStart
                    var hash = FNV1a.offsetBasis
                    if skeletonLength >= 2 && skeletonLength <= 16 {
                        for position in skeletonStart..<length { hash = FNV1a.step(hash, out[position]) }
                    }
                    if skeletonLength >= 2 && skeletonLength <= 16 && folding.mayBeAddressWord(hash) {
                        if folding.dotHashes.contains(hash) {
                            mayHoldAddress = true
                        } else if folding.atHashes.contains(hash) {
                            let before = index > 0 ? bytes[index - 1] : 0
                            if before == UInt8(ascii: "[") || before == UInt8(ascii: "(") || before == UInt8(ascii: "{")
                                || before == UInt8(ascii: "<") {
                                mayHoldAddress = true
                            }
                            afterAtWord = true
                        }
                    }
                    tokens.append(WordToken(
                        start: Int32(index), end: Int32(end),
                        skeletonStart: Int32(skeletonStart), skeletonEnd: Int32(length),
                        obfuscated: obfuscated, hasLetter: hasLetter, hasDigit: hasDigit, join: .none,
                        clauseBreakAfter: false,
                        ideographic: bytes[index] >= 0xE1 && Self.isOneIdeograph(bytes, index, end)))
                    index = end
                }
            }
            }
            }
            }
            written = length
        }
        // Describe the gap after each word, and look for address punctuation in every gap.
        if Self.describeGaps(&tokens, text.bytes, folding.joinSeparator) { mayHoldAddress = true }
        self.tokens = tokens
        self.skeleton = skeleton
        self.digitCount = digitCount
        self.mayHoldAddress = mayHoldAddress
    }

    /// Marks how each word connects to the next (``WordJoin``) and where clauses
    /// break; returns whether some gap holds address punctuation (`@`, `://`, a
    /// dot before a letter, `[.]`).
    private static func describeGaps(_ tokens: inout [WordToken], _ text: [UInt8], _ joinSeparators: [Bool]) -> Bool {
        let count = text.count
        var mayHoldAddress = false
        tokens.withUnsafeMutableBufferPointer { tokens in
        text.withUnsafeBufferPointer { bytes in
        joinSeparators.withUnsafeBufferPointer { joinSeparator in
            for position in -1..<tokens.count {
                let gapStart = position < 0 ? 0 : Int(tokens[position].end)
                let gapEnd = position + 1 < tokens.count ? Int(tokens[position + 1].start) : count
                var joinable = gapEnd - gapStart <= 3
                var onlySpaces = true
                var clauseBreak = false
                for gap in gapStart..<gapEnd {
                    let byte = bytes[gap]
                    if !joinSeparator[Int(byte)] { joinable = false }
                    if byte != 0x20 { onlySpaces = false }
                    switch byte {
                    case UInt8(ascii: "."):
                        clauseBreak = true
                        // `x.com` or `t . me`: a letter follows the dot (directly or after one space).
                        let next = gap + 1 < count ? bytes[gap + 1] : 0
                        let spaced = next == 0x20 && gap > 0 && bytes[gap - 1] == 0x20 && gap + 2 < count
                        let after = spaced ? bytes[gap + 2] : next
                        let before = gap > 0 ? bytes[gap - 1] : 0
                        if (after >= 0x61 && after <= 0x7A) || after >= 0x80
                            || before == UInt8(ascii: "[") || before == UInt8(ascii: "(")
                            || before == UInt8(ascii: "{") || before == UInt8(ascii: "<") {
                            mayHoldAddress = true  // `[.]` too
                        }
                    case UInt8(ascii: "@"):
                        mayHoldAddress = true
                    case UInt8(ascii: ":"):
                        clauseBreak = true
                        if gap + 2 < count && bytes[gap + 1] == UInt8(ascii: "/") && bytes[gap + 2] == UInt8(ascii: "/") {
                            mayHoldAddress = true
                        }
                    case UInt8(ascii: ","), UInt8(ascii: "!"), UInt8(ascii: "?"), UInt8(ascii: ";"), 0x0A:
                        clauseBreak = true
                    default:
                        break
                    }
                }
                guard position >= 0 && position + 1 < tokens.count else { continue }
                if tokens[position].ideographic || tokens[position + 1].ideographic {
                    // Characters of scripts without spaces are never pieces of one split word.
                    tokens[position].clauseBreakAfter = clauseBreak
                    continue
                }
                if gapEnd - gapStart == 1 && bytes[gapStart] == UInt8(ascii: "'") {
                    tokens[position].join = .contraction
                } else if joinable {
                    tokens[position].join = onlySpaces ? .space : .separator
                }
                tokens[position].clauseBreakAfter = clauseBreak
            }
        }
        }
        }
        return mayHoldAddress
    }

    /// `bytes[start..<end]` is the UTF-8 of exactly one Han, kana or Hangul character.
    static func isOneIdeograph(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        let lead = bytes[start]
        let length = lead >= 0xF0 ? 4 : 3
        guard end - start == length else { return false }
        var value = UInt32(lead & (length == 4 ? 0x07 : 0x0F))
        for index in (start + 1)..<end { value = value << 6 | UInt32(bytes[index] & 0x3F) }
        return TextNormalizer.isIdeographic(value)
    }
}
