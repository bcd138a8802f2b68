/// How one clause decides.
enum ClauseMatcher: Sendable {
    case length
    case email(EmailDetector)
    case phone(PhoneDetector)
    case link(LinkDetector)
    /// Any phrase; with `requiresCue` a `requireAny` word too; with `usesNotAfter`
    /// only phrases not right after a `notAfter` word (`I'm such an idiot`).
    case phrases(requiresCue: Bool, usesNotAfter: Bool)
    case near(NearClause)
    case messenger(MessengerClause)
    case wallet(WalletDetector)

    /// The clause kind as config/moderation.json names it (`timelinectl moderation test --explain`).
    var kind: String {
        switch self {
        case .length: return "length"
        case .email: return "email"
        case .phone: return "phone"
        case .link: return "link"
        case .phrases(let requiresCue, _): return requiresCue ? "phrases with a cue" : "phrases"
        case .near: return "near"
        case .messenger: return "messenger"
        case .wallet: return "wallet"
        }
    }
}
