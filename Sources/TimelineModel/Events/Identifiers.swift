/// The syntax of order ids and event ids (PROTOCOL.md "Recorded event").
public enum Identifiers {
    /// 1–128 characters of `[A-Za-z0-9._:-]`.
    public static func isValidOrderId(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard (1...128).contains(utf8.count) else { return false }
        return utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 46 || c == 95 || c == 58 || c == 45
        }
    }

    /// 1–128 printable ASCII characters (space through tilde).
    public static func isValidEventId(_ id: String) -> Bool {
        var id = id
        return id.withUTF8 { isValidEventId(utf8: $0) }
    }

    /// ``isValidEventId(_:)`` of an id's UTF-8 bytes.
    public static func isValidEventId(utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        (1...128).contains(utf8.count) && utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }
    }

    /// The eventId of an event the daemon appends itself: `prefix` followed by
    /// `parts` joined with `:` when that is a valid eventId (the readable form,
    /// e.g. `timer:auto_confirm:A-1:7`), otherwise `prefix` followed by the hex
    /// SHA-256 of that text, so that long order ids or non-ASCII user ids still
    /// give a deterministic id of at most 128 printable ASCII characters.
    public static func daemonEventId(prefix: String, _ parts: String...) -> String {
        let readable = prefix + parts.joined(separator: ":")
        if isValidEventId(readable) { return readable }
        return prefix + Hashing.sha256Hex(Array(readable.utf8))
    }

    /// The sentence for a bad order id.
    public static let orderIdRule = "order ids are 1–128 characters of A–Z, a–z, 0–9, '.', '_', ':' and '-'"
    /// The sentence for a bad event id.
    public static let eventIdRule = "eventId must be 1–128 printable ASCII characters"
}
