import TimelineModel

/// A rule's reported name and verdict.
struct CompiledModerationRule: Sendable {
    var name: String
    var verdict: ModerationVerdictKind
}
