/// The `near` clause parameters.
struct NearClause: Sendable {
    var maxGap: Int
    var anyOrder: Bool
    var withinClause: Bool
    var usesGapWords: Bool
    var usesNotAfter: Bool
    var requiresCue: Bool
}
