/// One (clause, role) use of a term.
struct TermUse: Sendable {
    var clause: Int32
    var role: TermRole
}
