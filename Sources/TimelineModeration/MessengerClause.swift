/// The `messenger` clause parameters.
struct MessengerClause: Sendable {
    var window: Int
    /// Long names also found inside a longer word (`discordapp`): (skeleton, term).
    var substringNames: [([UInt8], Int32)]
}
