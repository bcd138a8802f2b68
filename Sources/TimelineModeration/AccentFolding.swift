import Foundation

/// Accented Latin letters (U+00C0–U+024F, U+1E00–U+1EFF) to their ASCII base letter,
/// derived once from the canonical decompositions.
enum AccentFolding {
    /// Scalar value → lowercase ASCII letter.
    static let table: [UInt32: UInt8] = {
        var table: [UInt32: UInt8] = [:]
        for range in [0x00C0...0x024F, 0x1E00...0x1EFF] {
            for value in range {
                guard let scalar = Unicode.Scalar(UInt32(value)) else { continue }
                let decomposed = String(Character(scalar)).decomposedStringWithCanonicalMapping
                guard let first = decomposed.unicodeScalars.first, first.isASCII,
                      decomposed.unicodeScalars.count > 1 else { continue }
                let byte = UInt8(first.value)
                if byte >= 0x41 && byte <= 0x5A {
                    table[UInt32(value)] = byte + 32
                } else if byte >= 0x61 && byte <= 0x7A {
                    table[UInt32(value)] = byte
                }
            }
        }
        return table
    }()
}
