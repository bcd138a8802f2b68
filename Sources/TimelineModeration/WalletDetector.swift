import Crypto

/// Crypto wallet addresses in a message, by format and checksum, so that random
/// ids do not match: Bitcoin and Litecoin base58check (P2PKH/P2SH) and
/// bech32/bech32m (`bc1…`, `ltc1…`, `tb1…`), TRON base58check (`T…`), Ethereum
/// `0x` + 40 hex digits (the EIP-55 checksum verified when the case is mixed),
/// Monero's 95-character `4…`/`8…` addresses (format only) and Solana's
/// base58 public keys (32 bytes; no checksum exists, so they count only with one
/// of `contextWords` in the message). Works on the text as written, since base58
/// is case-sensitive, after dropping invisible characters (zero-width, bidi
/// controls, combining marks) and reading fullwidth letters and digits as ASCII.
struct WalletDetector: Sendable {
    static let base58Alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    static let base58Index: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (i, c) in base58Alphabet.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()
    static let bech32Charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    /// base58check version bytes of addresses: BTC 0x00/0x05, LTC 0x30/0x32, TRON 0x41.
    static let base58Versions: Set<UInt8> = [0x00, 0x05, 0x30, 0x32, 0x41]

    /// Words that make a checksum-less address (Solana) count, lowercased.
    let contextWords: Set<String>

    /// A detector for which a Solana key counts next to one of `contextWords`.
    init(contextWords: [String] = []) {
        self.contextWords = Set(contextWords.map { $0.lowercased() })
    }

    /// Whether `text` holds a wallet address.
    func matches(_ text: String) -> Bool {
        var token: [UInt8] = []
        var keyLike = false
        for scalar in text.unicodeScalars {
            if let byte = Self.addressByte(scalar) {
                token.append(byte)
                continue
            }
            if Self.isInvisible(scalar) { continue }
            if token.count >= 26 {
                if Self.isAddress(token) { return true }
                keyLike = keyLike || Self.isSolanaKey(token)
            }
            token.removeAll(keepingCapacity: true)
        }
        if token.count >= 26 {
            if Self.isAddress(token) { return true }
            keyLike = keyLike || Self.isSolanaKey(token)
        }
        return keyLike && hasContextWord(text)
    }

    /// The ASCII letter or digit `scalar` stands for (fullwidth ones read as ASCII), or nil.
    private static func addressByte(_ scalar: Unicode.Scalar) -> UInt8? {
        var value = scalar.value
        if value >= 0xFF10 && value <= 0xFF5A { value -= 0xFEE0 }
        let isAlnum = (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A) || (value >= 0x61 && value <= 0x7A)
        return isAlnum ? UInt8(value) : nil
    }

    /// Zero-width and format characters, bidi controls and combining marks: not part of what is seen.
    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        guard !scalar.isASCII else { return false }
        switch scalar.properties.generalCategory {
        case .format, .nonspacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// A word of `text` (split on anything but letters and digits) is a context word.
    private func hasContextWord(_ text: String) -> Bool {
        guard !contextWords.isEmpty else { return false }
        let words = text.lowercased().split { !($0.isLetter || $0.isNumber) }
        return words.contains { contextWords.contains(String($0)) }
    }

    static func isAddress(_ t: [UInt8]) -> Bool {
        if t.count == 42, t[0] == UInt8(ascii: "0"), t[1] | 0x20 == UInt8(ascii: "x") {
            let hex = t[2...]
            guard hex.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }) else { return false }
            return isEIP55(Array(hex))
        }
        if t.count == 95, t[0] == UInt8(ascii: "4") || t[0] == UInt8(ascii: "8"), t.allSatisfy({ $0 < 128 && base58Index[Int($0)] >= 0 }) {
            return true
        }
        if isBech32Address(t) { return true }
        if (26...35).contains(t.count), let decoded = base58Decode(t), decoded.count == 25, base58Versions.contains(decoded[0]) {
            let check = Array(SHA256.hash(data: Array(SHA256.hash(data: decoded[0..<21])))).prefix(4)
            return Array(decoded[21...]) == Array(check)
        }
        return false
    }

    /// 40 hex digits in one case, or mixed case that follows EIP-55: a letter is
    /// upper case exactly when its nibble of Keccak-256(lowercase hex) is ≥ 8.
    static func isEIP55(_ hex: [UInt8]) -> Bool {
        let hasUpper = hex.contains { $0 >= 0x41 && $0 <= 0x46 }
        let hasLower = hex.contains { $0 >= 0x61 && $0 <= 0x66 }
        guard hasUpper && hasLower else { return true }
        let digest = Keccak256.hash(hex.map { $0 >= 0x41 && $0 <= 0x46 ? $0 | 0x20 : $0 })
        for (i, c) in hex.enumerated() where c >= 0x41 {
            let nibble = i % 2 == 0 ? digest[i / 2] >> 4 : digest[i / 2] & 0x0F
            if (c <= 0x46) != (nibble >= 8) { return false }
        }
        return true
    }

    /// 32 to 44 base58 characters that decode to a 32-byte key, with upper case,
    /// lower case and digits all present (as random keys have; words and ids rarely).
    static func isSolanaKey(_ t: [UInt8]) -> Bool {
        guard (32...44).contains(t.count),
              t.contains(where: { $0 >= 0x41 && $0 <= 0x5A }), t.contains(where: { $0 >= 0x61 && $0 <= 0x7A }),
              t.contains(where: { $0 >= 0x30 && $0 <= 0x39 }),
              let decoded = base58Decode(t) else { return false }
        return decoded.count == 32
    }

    /// Base58 to bytes (leading `1`s are zero bytes); nil for a character outside the alphabet.
    static func base58Decode(_ t: [UInt8]) -> [UInt8]? {
        var bytes: [UInt8] = []
        for c in t {
            guard c < 128, base58Index[Int(c)] >= 0 else { return nil }
            var carry = Int(base58Index[Int(c)])
            for i in bytes.indices.reversed() {
                carry += Int(bytes[i]) * 58
                bytes[i] = UInt8(carry & 0xFF)
                carry >>= 8
            }
            while carry > 0 {
                bytes.insert(UInt8(carry & 0xFF), at: 0)
                carry >>= 8
            }
        }
        let zeros = t.prefix { $0 == UInt8(ascii: "1") }.count
        return [UInt8](repeating: 0, count: zeros) + bytes
    }

    /// `hrp1data` with a valid bech32 or bech32m checksum, for the hrps of wallets.
    static func isBech32Address(_ t: [UInt8]) -> Bool {
        let lower = t.map { $0 | 0x20 }
        let mixed = t.contains { $0 >= 0x41 && $0 <= 0x5A } && t.contains { $0 >= 0x61 && $0 <= 0x7A }
        guard !mixed, let separator = lower.lastIndex(of: UInt8(ascii: "1")) else { return false }
        let hrp = Array(lower[..<separator])
        guard [Array("bc".utf8), Array("tb".utf8), Array("ltc".utf8)].contains(hrp), lower.count - separator - 1 >= 6 else { return false }
        var values: [UInt32] = []
        for c in lower[(separator + 1)...] {
            guard let v = bech32Charset.firstIndex(of: c) else { return false }
            values.append(UInt32(v))
        }
        var expanded = hrp.map { UInt32($0 >> 5) } + [0] + hrp.map { UInt32($0 & 31) }
        expanded += values
        let check = polymod(expanded)
        return check == 1 || check == 0x2BC8_30A3
    }

    static func polymod(_ values: [UInt32]) -> UInt32 {
        let generator: [UInt32] = [0x3B6A_57B2, 0x2650_8E6D, 0x1EA1_19FA, 0x3D42_33DD, 0x2A14_62B3]
        var chk: UInt32 = 1
        for v in values {
            let top = chk >> 25
            chk = (chk & 0x1FF_FFFF) << 5 ^ v
            for i in 0..<5 where (top >> UInt32(i)) & 1 == 1 { chk ^= generator[i] }
        }
        return chk
    }
}
