import TimelineModel

// MARK: - Compiling a configuration into matchers

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
    let clauses: [CompiledClause]
    /// Per clause: its rule's bit, and whether it can only match on hits of its own
    /// words (`phrases`, `near`, `messenger`), so a message without them skips it.
    let clauseGuards: [(bit: UInt64, needsHits: Bool)]
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
        self.clauseGuards = clauses.map { clause in
            let needsHits: Bool
            switch clause.matcher {
            case .phrases, .near, .messenger: needsHits = true
            case .length, .email, .phone, .link, .wallet: needsHits = false
            }
            return (1 << UInt64(clause.rule), needsHits)
        }
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
