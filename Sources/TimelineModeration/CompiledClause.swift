/// A clause and the rule it belongs to.
struct CompiledClause: Sendable {
    var rule: Int
    var matcher: ClauseMatcher
    /// Its matches do not count after a negation or near a warning.
    var negatable: Bool = false
}
