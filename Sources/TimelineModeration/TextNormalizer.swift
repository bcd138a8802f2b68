import Foundation

// MARK: - Normalisation: text to the digit-preserving byte view

/// Folds message text into a ``NormalizedText``.
///
/// Steps, in order: NFKC (skipped for pure ASCII text), removal of zero-width
/// and bidi control characters and of combining marks, lowercasing, folding of
/// confusables (Cyrillic/Greek look-alikes, typographic punctuation) and of
/// accented Latin letters to ASCII.
struct TextNormalizer: Sendable {
    /// Non-ASCII scalar → ASCII bytes, from `normalization.confusables`.
    var confusables: [UInt32: [UInt8]]

    /// Normalises `text`. Pure ASCII text never touches Foundation.
    func normalize(_ text: String) -> NormalizedText {
        if Self.isASCII(text) {
            return Self.normalizeASCII(text)
        }
        return normalizeUnicode(text)
    }

    /// The fast path: lowercase, map controls to spaces.
    static func normalizeASCII(_ text: String) -> NormalizedText {
        var text = text
        let out: [UInt8] = text.withUTF8 { utf8 in
            [UInt8](unsafeUninitializedCapacity: utf8.count) { buffer, initialized in
                var index = 0
                for byte in utf8 {
                    switch byte {
                    case 0x41...0x5A: buffer[index] = byte | 0x20
                    case 0x0A, 0x0D: buffer[index] = 0x0A
                    case 0x00..<0x20, 0x7F: buffer[index] = 0x20
                    default: buffer[index] = byte
                    }
                    index += 1
                }
                initialized = utf8.count
            }
        }
        return NormalizedText(bytes: out, suspicious: [], usedCompatibilityForms: false, wasASCII: true)
    }

    /// The general path: right-to-left overrides resolved, NFKC, then fold scalar by scalar.
    func normalizeUnicode(_ input: String) -> NormalizedText {
        let text = Self.resolvingOverrides(input)
        var usedCompatibility = false
        for scalar in text.unicodeScalars where scalar.value >= 0x80 {
            if Self.isCompatibilityForm(scalar.value) {
                usedCompatibility = true
                break
            }
        }
        let nfkc = text.precomposedStringWithCompatibilityMapping
        var out = [UInt8]()
        var suspicious = [Bool]()
        /// Per byte: 0 written as ASCII, 1 folded from a look-alike or accent, 2 a letter of its own script.
        var origin = [UInt8]()
        out.reserveCapacity(nfkc.utf8.count)
        suspicious.reserveCapacity(nfkc.utf8.count)
        origin.reserveCapacity(nfkc.utf8.count)
        var pendingInvisible = false

        func emit(_ byte: UInt8, _ flag: Bool, _ from: UInt8 = 0) {
            out.append(byte)
            suspicious.append(flag || pendingInvisible)
            origin.append(from)
            pendingInvisible = false
        }
        func emitSpace() {
            if out.last != 0x20 { emit(0x20, false) }
        }
        func emitNative(_ scalar: Unicode.Scalar) {
            let ideographic = Self.isIdeographic(scalar.value)
            if ideographic { emitSpace() }
            let flag = pendingInvisible
            for byte in String(scalar).utf8 { emit(byte, flag, 2) }
            if ideographic { emitSpace() }
        }

        for scalar in nfkc.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                emit(Self.asciiFold[Int(value)], false)
                continue
            }
            if Self.isInvisible(value) {
                pendingInvisible = true
                continue
            }
            let properties = scalar.properties
            let lowered = properties.changesWhenLowercased ? (properties.lowercaseMapping.unicodeScalars.first ?? scalar) : scalar
            if let folded = confusables[value] ?? confusables[lowered.value] {
                let evasive = folded.contains { Self.isAlphanumeric($0) }
                for byte in folded { emit(Self.asciiFold[Int(byte)], evasive, evasive ? 1 : 0) }
                continue
            }
            if let base = AccentFolding.table[value] {
                emit(base, true, 1)
                continue
            }
            switch properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .spacingMark, .format:
                pendingInvisible = true
            case .decimalNumber:
                if let number = properties.numericValue, number >= 0, number <= 9 {
                    emit(UInt8(48 + Int(number)), true)
                } else {
                    emitNative(lowered)
                }
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
                emitNative(lowered)
            case .lineSeparator, .paragraphSeparator:
                emit(0x0A, false)
            default:
                emit(0x20, false)
            }
        }
        Self.clearLookAlikesInNativeWords(&suspicious, out, origin)
        return NormalizedText(bytes: out, suspicious: suspicious, usedCompatibilityForms: usedCompatibility,
                              wasASCII: false)
    }

    /// A word written in its own script (it has a letter of a non-Latin script
    /// that is not a look-alike, and no letter typed as ASCII) is not evasive
    /// because some of its letters look Latin: `телеграм` folds `е`, `р`, `а`
    /// but keeps `т`, `л`, `г`. A removed invisible character still counts.
    static func clearLookAlikesInNativeWords(_ suspicious: inout [Bool], _ bytes: [UInt8], _ origin: [UInt8]) {
        var start = 0
        while start < bytes.count {
            guard isWordByte(bytes[start]) else {
                start += 1
                continue
            }
            var end = start
            var native = false
            var ascii = false
            while end < bytes.count && isWordByte(bytes[end]) {
                if origin[end] == 2 { native = true }
                if origin[end] == 0 && bytes[end] >= 0x61 && bytes[end] <= 0x7A { ascii = true }
                end += 1
            }
            if native && !ascii {
                for index in start..<end where origin[index] == 1 { suspicious[index] = false }
            }
            start = end
        }
    }

    /// A letter or digit byte of the folded view (any byte from 0x80 up belongs to a letter).
    @inline(__always)
    static func isWordByte(_ byte: UInt8) -> Bool {
        byte >= 0x80 || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
    }

    /// Han, kana and Hangul: scripts written without spaces between words, so
    /// each character is read as a word of its own.
    @inline(__always)
    static func isIdeographic(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x11FF, 0x3040...0x30FF, 0x3130...0x318F, 0x31F0...0x31FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA960...0xA97F, 0xAC00...0xD7AF, 0xF900...0xFAFF, 0xFF66...0xFF9F, 0x20000...0x2FFFF:
            true
        default:
            false
        }
    }

    /// The text in the order it is displayed: a right-to-left override (U+202E)
    /// shows the characters up to its pop (U+202C), an isolate's end (U+2069) or the
    /// end of the line in reverse, so `\u{202E}drocsid` reads "discord". The
    /// controls stay (they are removed later, marking their neighbours suspicious).
    static func resolvingOverrides(_ text: String) -> String {
        guard text.unicodeScalars.contains("\u{202E}") else { return text }
        var out = String.UnicodeScalarView()
        var span: [Unicode.Scalar] = []
        var overriding = false
        for scalar in text.unicodeScalars {
            if scalar == "\u{202E}" {
                out.append(contentsOf: span.reversed())
                span = []
                overriding = true
                out.append(scalar)
            } else if overriding && (scalar == "\u{202C}" || scalar == "\u{2069}" || scalar == "\n" || scalar == "\u{2029}") {
                out.append(contentsOf: span.reversed())
                span = []
                overriding = false
                out.append(scalar)
            } else if overriding {
                span.append(scalar)
            } else {
                out.append(scalar)
            }
        }
        out.append(contentsOf: span.reversed())
        return String(out)
    }

    // MARK: Character classes

    /// Whether every byte of `text` is ASCII (no Foundation call, no copy for native strings).
    static func isASCII(_ text: String) -> Bool {
        if let result = text.utf8.withContiguousStorageIfAvailable({ bytes in bytes.allSatisfy { $0 < 0x80 } }) {
            return result
        }
        return text.utf8.allSatisfy { $0 < 0x80 }
    }

    /// Zero-width characters, the soft hyphen and bidi controls: removed.
    @inline(__always)
    static func isInvisible(_ value: UInt32) -> Bool {
        switch value {
        case 0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFEFF, 0xFFA0: true
        case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x2069: true
        default: false
        }
    }

    /// Scalars that NFKC maps to ASCII and that people use to dodge filters.
    static func isCompatibilityForm(_ value: UInt32) -> Bool {
        switch value {
        case 0xFF01...0xFF5E, 0x1D400...0x1D7FF, 0x2460...0x24FF, 0x1F100...0x1F1FF, 0x2070...0x209F,
             0x1D00...0x1DBF, 0x2100...0x214F, 0x3200...0x32FF:
            true
        default:
            false
        }
    }

    @inline(__always)
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// ASCII byte → folded byte: lowercase, tabs and controls to spaces, CR/LF to LF.
    static let asciiFold: [UInt8] = (0..<256).map { value in
        switch value {
        case 0x41...0x5A: UInt8(value + 32)
        case 0x0A, 0x0D: 0x0A
        case 0x00..<0x20, 0x7F: 0x20
        default: UInt8(value)
        }
    }
}
