// MARK: - Defaults of config/moderation.json

/// The values `config/moderation.json` falls back to, defined once for the
/// engine, the store and the audit.
public enum ModerationDefaults {
    /// `appealWindowDays`: six months, as EU DSA Art. 20 asks at least.
    public static let appealWindowDays = 183
    /// `flagAfterFiltered`.
    public static let flagAfterFiltered = 3
}
