/// A term hit as seen by one clause: its role there and its span in words.
struct ClauseHit {
    var role: TermRole
    var first: Int32
    var last: Int32
    var obfuscated: Bool
}
