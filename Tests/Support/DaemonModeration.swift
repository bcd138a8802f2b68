import TimelineModeration
import TimelineStore

extension ModerationHolder {
    /// What the daemon runs with by default: the built-in copy of config/moderation.json.
    /// Stores in tests that append chat use it, so verdicts are the daemon's.
    public static func builtIn() -> ModerationHolder { ModerationHolder(ModerationPolicy.builtIn) }
}
