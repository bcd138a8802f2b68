// TEMPORARY until the moderation engine lands.
public enum ModerationVerdictKind: String, Sendable, Codable, CaseIterable { case delivered, flagged, filtered, hidden }
public struct ModerationVerdict: Sendable, Equatable, Hashable { public var verdict: ModerationVerdictKind; public var rules: [String]; public init(verdict: ModerationVerdictKind, rules: [String]) { self.verdict = verdict; self.rules = rules } }
public struct ModerationPolicy: Sendable {
    public static let builtIn = ModerationPolicy()
    public var maxVisibleChars = 1500
    public var flagAfterFiltered = 3
    public var ruleCount = 0
    public init() {}
    public init(configJSON: [UInt8]) throws(ModerationConfigError) {}
    public func moderate(_ text: String) -> ModerationVerdict { ModerationVerdict(verdict: .delivered, rules: []) }
}

public struct ModerationConfigError: Error, Sendable, Equatable { public var message: String }
