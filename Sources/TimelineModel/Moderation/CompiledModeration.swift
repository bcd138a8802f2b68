// MARK: - Compiling a configuration into matchers

/// What a word-list term means to one clause.
enum TermRole: UInt8, Sendable {
    /// `phrases`: a match makes the clause match.
    case term
    /// `requireAny`: at least one must appear anywhere in the message.
    case cue
    /// `near`: the two sides of the pair.
    case first, second
    /// `near.gapWords`: the only words allowed between the pair.
    case gap
    /// `near.notAfter`: a pair right after one of these (e.g. `I`, `we`) does not count.
    case notAfter
    /// `near.skipBefore`: words skipped when looking for `notAfter` (`will`, `just`).
    case skip
    /// `messenger.names` / `ambiguousNames`.
    case name, ambiguous
    /// `messenger.contextWords`: a contact cue near a name.
    case context
    /// `messenger.prepositions`: `on`, `via` right before an ambiguous name.
    case preposition
    /// `messenger.possessives`: `my`, `your` right before a name.
    case possessive
    /// `messenger.contextAfter`: a contact cue only when it follows the name (`telegram as bob`).
    case contextAfter
    /// `messenger.unlessNear`: a name near one of these is not a contact (`nitro`).
    case unless

    /// Roles that can make a clause match on their own; others only qualify.
    var isPrimary: Bool { self == .term || self == .first || self == .name || self == .ambiguous }
}

/// One (clause, role) use of a term.
struct TermUse: Sendable {
    var clause: Int32
    var role: TermRole
}

/// The `near` clause parameters.
struct NearClause: Sendable {
    var maxGap: Int
    var anyOrder: Bool
    var withinClause: Bool
    var usesGapWords: Bool
    var usesNotAfter: Bool
    var requiresCue: Bool
}

/// The `messenger` clause parameters.
struct MessengerClause: Sendable {
    var window: Int
    /// Long names also found inside a longer word (`discordapp`): (skeleton, term).
    var substringNames: [([UInt8], Int32)]
}

/// How one clause decides.
enum ClauseMatcher: Sendable {
    case length
    case email(EmailDetector)
    case phone(PhoneDetector)
    case link(LinkDetector)
    case phrases(requiresCue: Bool)
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
        case .phrases(let requiresCue): return requiresCue ? "phrases with a cue" : "phrases"
        case .near: return "near"
        case .messenger: return "messenger"
        case .wallet: return "wallet"
        }
    }
}

/// A clause and the rule it belongs to.
struct CompiledClause: Sendable {
    var rule: Int
    var matcher: ClauseMatcher
    /// Its matches do not count after a negation or near a warning.
    var negatable: Bool = false
}

/// What a term means outside any clause (bits of ``CompiledModeration/termFlags``).
struct TermFlags: OptionSet, Sendable {
    var rawValue: UInt8
    /// A spelled-out digit (`five`): a message without digits still needs phone detection.
    static let digitWord = TermFlags(rawValue: 1)
    /// `negation.words`.
    static let negation = TermFlags(rawValue: 2)
    /// `negation.except`.
    static let negationExcept = TermFlags(rawValue: 4)
    /// `negation.warnings`.
    static let warning = TermFlags(rawValue: 8)
}

/// A rule's reported name and verdict.
struct CompiledModerationRule: Sendable {
    var name: String
    var verdict: ModerationVerdictKind
}

/// A configuration compiled for matching: folding tables, one trie for every
/// word list, and the clauses that read its hits.
struct CompiledModeration: Sendable {
    var config: ModerationConfig
    var normalizer: TextNormalizer
    var folding: WordFolding
    var matcher: WordListMatcher
    /// For each term, the clauses that use it and how: `termUseList[termUseOffsets[t]..<termUseOffsets[t + 1]]`.
    var termUseOffsets: [Int32]
    var termUseList: [TermUse]
    var rules: [CompiledModerationRule]
    var clauses: [CompiledClause]
    /// Rule indices in name order, so verdicts list names sorted.
    var rulesByName: [Int]
    /// Some messenger clause looks for names inside longer words.
    var hasSubstringNames: Bool
    /// Per term: what it means outside the clauses (a digit word, a negation, a warning).
    var termFlags: [TermFlags]
    /// The most words between a negation or warning and the match it cancels.
    var negationWindow: Int
    /// Some clause is negatable and the config has negation words.
    var hasNegation: Bool

    /// The most rules a policy may have (matched rules are kept in a bit set).
    static let maxRules = 64

    /// A policy with no rules, used only if the built-in configuration could not be compiled.
    static func empty() -> CompiledModeration {
        let config = ModerationConfig(
            version: 1, maxVisibleChars: 1500, flagAfterFiltered: 3,
            normalization: ModerationNormalizationConfig(confusables: [:], leet: [:], skeleton: [:], digitWords: [:],
                                               zeroWords: [], joinSeparators: " ", minJoinLength: 5),
            rules: [])
        return CompiledModeration(
            config: config, normalizer: TextNormalizer(confusables: [:]),
            folding: WordFolding(leet: [:], skeleton: [:], joinSeparators: [0x20]),
            matcher: WordListMatcher(), termUses: [], rules: [], clauses: [], rulesByName: [], termFlags: [])
    }

    private init(config: ModerationConfig, normalizer: TextNormalizer, folding: WordFolding,
                 matcher: WordListMatcher, termUses: [[TermUse]], rules: [CompiledModerationRule],
                 clauses: [CompiledClause], rulesByName: [Int], termFlags: [TermFlags]) {
        self.config = config
        self.normalizer = normalizer
        self.folding = folding
        self.matcher = matcher
        var offsets: [Int32] = [0]
        var list: [TermUse] = []
        for uses in termUses {
            list.append(contentsOf: uses)
            offsets.append(Int32(list.count))
        }
        self.termUseOffsets = offsets
        self.termUseList = list
        self.rules = rules
        self.clauses = clauses
        self.rulesByName = rulesByName
        var flags = termFlags
        while flags.count < matcher.termCount { flags.append([]) }
        self.termFlags = flags
        self.negationWindow = config.negation?.window ?? 3
        self.hasNegation = clauses.contains(where: \.negatable) && flags.contains { !$0.isDisjoint(with: [.negation, .warning]) }
        self.hasSubstringNames = clauses.contains {
            if case .messenger(let messenger) = $0.matcher { !messenger.substringNames.isEmpty } else { false }
        }
    }

    /// Validates and compiles `config`.
    init(_ config: ModerationConfig) throws(ModerationConfigError) {
        var compiler = try PolicyCompiler(config)
        try compiler.compileRules()
        compiler.matcher.freeze()
        self.init(config: config, normalizer: compiler.normalizer, folding: compiler.folding,
                  matcher: compiler.matcher, termUses: compiler.termUses, rules: compiler.rules,
                  clauses: compiler.clauses,
                  rulesByName: compiler.rules.indices.sorted { compiler.rules[$0].name < compiler.rules[$1].name },
                  termFlags: compiler.termFlags)
    }
}
