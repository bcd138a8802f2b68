/// A clause hit tagged with its clause, before grouping.
struct ClauseEntry {
    var clause: Int32
    var hit: ClauseHit
}
