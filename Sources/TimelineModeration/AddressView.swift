// MARK: - The address view: words, `@` and dots, with obfuscations undone

/// The address view of a message: what e-mail and link detection read.
///
/// `j o h n [at] g m a i l dot c o m` becomes `word(john) at word(gmail) dotWord
/// word(com)`, so one grammar covers plain and obfuscated addresses. Words are
/// compared by their folded hash, so leetspeak (`gma1l`, `d0t`) is undone too.
struct AddressView: Sendable {
    var items: [AddressItem] = []
    var text: [UInt8] = []
    /// The message contains `://`.
    var hasScheme = false

    /// Reads the digit-preserving view `bytes`, hashing words with `folding`.
    init(_ bytes: [UInt8], folding: WordFolding) {
        let count = bytes.count
        var index = 0
        var space = false
        var lastPieceLength = 0
        var lastWasMergeable = false
        items.reserveCapacity(count / 3 + 1)
        text.reserveCapacity(count)
        while index < count {
            let byte = bytes[index]
            if byte == 0x20 || byte == 0x0A {
                // Two spaces or a line break end a spaced-out word.
                if space || byte == 0x0A { lastWasMergeable = false }
                space = true
                index += 1
                continue
            }
            if Self.isWordByte(byte) {
                var end = index + 1
                while end < count && Self.isWordByte(bytes[end]) { end += 1 }
                let length = end - index
                if length == 1 && lastWasMergeable && lastPieceLength == 1 && space, var last = items.last,
                   last.kind == .word {
                    // `j o h n`: append to the previous single-letter word.
                    text.append(byte)
                    last.end += 1
                    last.hasLetter = last.hasLetter || Self.isLetter(byte)
                    last.hash = folding.foldedHash(text, Int(last.start), Int(last.end), hasLetter: last.hasLetter)
                    items[items.count - 1] = last
                } else {
                    let start = text.count
                    var hasLetter = false
                    for position in index..<end {
                        text.append(bytes[position])
                        if Self.isLetter(bytes[position]) { hasLetter = true }
                    }
                    let hash = folding.foldedHash(text, start, text.count, hasLetter: hasLetter)
                    var kind = AddressItem.Kind.word
                    if folding.mayBeAddressWord(hash) {
                        if folding.atHashes.contains(hash) { kind = .atWord } else if folding.dotHashes.contains(hash) { kind = .dotWord }
                    }
                    items.append(AddressItem(kind: kind, start: Int32(start), end: Int32(text.count),
                                             spaceBefore: space, hash: hash, hasLetter: hasLetter))
                }
                lastPieceLength = length
                lastWasMergeable = length == 1
                space = false
                index = end
                continue
            }
            lastWasMergeable = false
            if let (kind, next) = Self.bracketed(bytes, index) {
                items.append(AddressItem(kind: kind, start: 0, end: 0, spaceBefore: space, hash: 0, hasLetter: false))
                index = next
            } else {
                let kind: AddressItem.Kind
                switch byte {
                case UInt8(ascii: "@"): kind = .at
                case UInt8(ascii: "."): kind = .dot
                case UInt8(ascii: "/"): kind = .slash
                default: kind = .other
                }
                if byte == UInt8(ascii: ":") && index + 2 < count
                    && bytes[index + 1] == UInt8(ascii: "/") && bytes[index + 2] == UInt8(ascii: "/") {
                    hasScheme = true
                }
                items.append(AddressItem(kind: kind, start: 0, end: 0, spaceBefore: space, hash: 0, hasLetter: false))
                index += 1
            }
            space = false
        }
    }

    /// `[at]`, `( at )`, `{dot}`, `[.]`… starting at `index`: the kind and the index after it.
    private static func bracketed(_ bytes: [UInt8], _ index: Int) -> (AddressItem.Kind, Int)? {
        let open = bytes[index]
        let close: UInt8
        switch open {
        case UInt8(ascii: "["): close = UInt8(ascii: "]")
        case UInt8(ascii: "("): close = UInt8(ascii: ")")
        case UInt8(ascii: "{"): close = UInt8(ascii: "}")
        case UInt8(ascii: "<"): close = UInt8(ascii: ">")
        default: return nil
        }
        var position = index + 1
        func skipSpaces() { while position < bytes.count && bytes[position] == 0x20 { position += 1 } }
        skipSpaces()
        var kind: AddressItem.Kind
        if position + 1 < bytes.count && bytes[position] == UInt8(ascii: "a") && bytes[position + 1] == UInt8(ascii: "t") {
            kind = .at
            position += 2
        } else if position + 2 < bytes.count && bytes[position] == UInt8(ascii: "d")
                    && bytes[position + 1] == UInt8(ascii: "o") && bytes[position + 2] == UInt8(ascii: "t") {
            kind = .dot
            position += 3
        } else if position < bytes.count && (bytes[position] == UInt8(ascii: ".") || bytes[position] == UInt8(ascii: "@")) {
            kind = bytes[position] == UInt8(ascii: ".") ? .dot : .at
            position += 1
        } else {
            return nil
        }
        skipSpaces()
        guard position < bytes.count && bytes[position] == close else { return nil }
        return (kind, position + 1)
    }

    @inline(__always)
    static func isWordByte(_ byte: UInt8) -> Bool {
        isLetter(byte) || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "%")
    }

    @inline(__always)
    static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || byte >= 0x80
    }
}
