// MARK: - The public face of chat moderation

/// The compiled rules and word lists; immutable, cheap to share across threads.
///
/// A policy is compiled once from `config/moderation.json` (at start-up, on
/// SIGHUP or `admin.reloadModeration`) and then only read: copies share the
/// same storage, and ``moderate(_:)`` touches no shared mutable state, so any
/// number of event loops may call it at once.
///
/// ```swift
/// let policy = try ModerationPolicy(configJSON: Array(fileBytes))
/// let verdict = policy.moderate("pay me via paypal friends and family")
/// // verdict.verdict == .filtered, verdict.rules == ["payment.offplatform"]
/// ```
public struct ModerationPolicy: Sendable {
    /// The compiled configuration.
    let compiled: CompiledModeration

    /// Messages longer than this many Unicode scalars are `hidden` (rule `spam.length`); default 1500.
    public var maxVisibleChars: Int
    /// Filtered messages from one user on one order before the daemon appends `moderation.flagged`; default 3.
    public var flagAfterFiltered: Int
    /// Days after a `filtered`/`hidden` verdict during which its author may appeal it; default 183.
    public var appealWindowDays: Int

    /// The appeal window when the configuration names none: six months (EU DSA Art. 20(1)).
    public static let defaultAppealWindowDays = 183

    /// The number of rules (reported by `admin.reloadModeration`).
    public var ruleCount: Int { compiled.rules.count }

    /// The decoded configuration this policy was compiled from.
    var config: ModerationConfig { compiled.config }

    /// Parses and compiles the bytes of `config/moderation.json`.
    ///
    /// - Parameter configJSON: The file's bytes (UTF-8 JSON).
    /// - Throws: ``ModerationConfigError`` whose message names the problem and the
    ///   field, e.g. a syntax error, a missing `rules[0].name`, an unknown verdict,
    ///   or a word-list entry that cannot match anything.
    public init(configJSON: [UInt8]) throws(ModerationConfigError) {
        let config = try ModerationConfig.decode(configJSON)
        self.init(compiled: try CompiledModeration(config))
    }

    init(compiled: CompiledModeration) {
        self.compiled = compiled
        self.maxVisibleChars = compiled.config.maxVisibleChars ?? 1500
        self.flagAfterFiltered = compiled.config.flagAfterFiltered ?? 3
        self.appealWindowDays = compiled.config.appealWindowDays ?? Self.defaultAppealWindowDays
    }

    /// The same rules as `config/moderation.json`, embedded in the binary, for
    /// tests and as the fallback when the file cannot be loaded.
    public static let builtIn: ModerationPolicy = {
        do {
            return try ModerationPolicy(configJSON: Array(BuiltInModerationConfig.json.utf8))
        } catch {
            // Unreachable while the tests pass (they compile the literal); never crash the daemon.
            return ModerationPolicy(compiled: .empty())
        }
    }()

    /// Moderates one chat message.
    ///
    /// Guarantees: the verdict is the strictest among the matched rules
    /// (`filtered` > `hidden` > `flagged` > `delivered`); `rules` names every
    /// matched rule, sorted, unique, and is empty exactly when the verdict is
    /// `delivered`. Length is counted in Unicode scalars. The result depends only
    /// on `text` and the policy.
    /// - Parameter text: The message as the user wrote it.
    /// - Returns: The verdict and the matched rule names.
    /// - Parameter itemTitle: The order's `item.title`, when known: a word or
    ///   phrase of a rule that the title also contains names the traded item, not
    ///   a channel or a payment, and does not count (a "Discord Nitro" order may
    ///   talk about Discord Nitro; an "Amazon gift card" order about gift cards).
    ///   Addresses, numbers and links count whatever the title.
    public func moderate(_ text: String, itemTitle: String? = nil) -> ModerationVerdict {
        compiled.moderate(text, maxVisibleChars: maxVisibleChars, itemTitle: itemTitle)
    }

    /// ``moderate(_:itemTitle:)`` with its reasons: which clause of which rule matched,
    /// and the text as the clauses saw it (folded, look-alikes and bidi resolved).
    public func explain(_ text: String, itemTitle: String? = nil) -> ModerationExplanation {
        var matches: [ModerationExplanation.Match] = []
        let verdict = compiled.moderate(text, maxVisibleChars: maxVisibleChars, itemTitle: itemTitle) { rule, kind in
            let r = compiled.rules[rule]
            matches.append(.init(rule: r.name, verdict: r.verdict, clause: kind))
        }
        let normalized = compiled.normalizer.normalize(text)
        return ModerationExplanation(
            verdict: verdict, matches: matches,
            normalized: String(decoding: normalized.bytes, as: UTF8.self)
        )
    }
}

/// Why a message got its verdict (``ModerationPolicy/explain(_:)``).
public struct ModerationExplanation: Sendable, Equatable {
    /// One matched clause.
    public struct Match: Sendable, Equatable {
        /// The rule's name.
        public var rule: String
        /// The rule's verdict.
        public var verdict: ModerationVerdictKind
        /// The kind of the clause that matched (`phone`, `email`, `messenger`, `phrases`, …).
        public var clause: String
    }

    /// The verdict, exactly as ``ModerationPolicy/moderate(_:)`` gives it.
    public var verdict: ModerationVerdict
    /// The first matching clause of each matched rule, in config order.
    public var matches: [Match]
    /// The folded text the clauses ran over (look-alikes folded, other scripts' letters lowercased, Han, kana and Hangul spaced).
    public var normalized: String
}

// MARK: - Running the clauses

extension CompiledModeration {
    /// The word-list terms found in `title` (an order's item title).
    func terms(in title: String?) -> Set<Int32> {
        guard let title, !title.isEmpty else { return [] }
        let tokenized = TokenizedText(normalizer.normalize(title), folding: folding)
        var hits: [TermHit] = []
        matcher.findAll(in: tokenized, hits: &hits, budget: 256 + 64 * tokenized.skeleton.count)
        return Set(hits.map(\.term))
    }

    /// Runs every clause over `text` and combines the matched rules into a verdict.
    func moderate(_ text: String, maxVisibleChars: Int, itemTitle: String? = nil,
                  trace: ((_ rule: Int, _ clauseKind: String) -> Void)? = nil) -> ModerationVerdict {
        let normalized = normalizer.normalize(text)
        let scalarCount = normalized.wasASCII ? text.utf8.count : text.unicodeScalars.count
        let tokenized = TokenizedText(normalized, folding: folding)
        var hits: [TermHit] = []
        hits.reserveCapacity(tokenized.tokens.count / 2 + 8)
        if !tokenized.tokens.isEmpty {
            matcher.findAll(in: tokenized, hits: &hits, budget: 256 + 64 * tokenized.skeleton.count)
        }
        let negation = hasNegation && !hits.isEmpty
            ? NegationScope(hits, flags: termFlags, window: negationWindow) : nil
        let (clauseHits, offsets) = groupByClause(hits, tokenized: tokenized,
                                                  negation: negation?.isEmpty == false ? negation : nil,
                                                  itemTerms: hits.isEmpty ? [] : terms(in: itemTitle))
        var matched: UInt64 = 0
        var address: AddressView?
        let addressCandidate = tokenized.mayHoldAddress
        for (index, clause) in clauses.enumerated() {
            let bit: UInt64 = 1 << UInt64(clause.rule)
            if matched & bit != 0 { continue }
            let clauseHits = clauseHits[Int(offsets[index])..<Int(offsets[index + 1])]
            let hit: Bool
            switch clause.matcher {
            case .length:
                hit = scalarCount > maxVisibleChars
            case .wallet(let detector):
                hit = tokenized.digitCount > 0 && detector.matches(text)
            case .email(let detector):
                guard addressCandidate else { continue }
                let view = address ?? AddressView(normalized.bytes, folding: folding)
                address = view
                hit = detector.matches(view)
            case .link(let detector):
                guard addressCandidate else { continue }
                let view = address ?? AddressView(normalized.bytes, folding: folding)
                address = view
                hit = detector.matches(view)
            case .phone(let detector):
                // Enough digits already make a candidate; only otherwise look for spelled-out ones.
                let digitWordSeen = tokenized.digitCount >= detector.minDigits
                    || hits.contains { termFlags[Int($0.term)].contains(.digitWord) }
                guard detector.mayMatch(normalized.bytes, tokenized, digitWordSeen: digitWordSeen) else {
                    continue
                }
                hit = detector.matches(normalized.bytes, tokenized)
            case .phrases(let requiresCue):
                hit = clauseHits.contains { $0.role == .term } && (!requiresCue || clauseHits.contains { $0.role == .cue })
            case .near(let near):
                hit = Self.matchesNear(near, clauseHits, tokenized.tokens)
            case .messenger(let messenger):
                hit = Self.matchesMessenger(messenger, clauseHits, normalized, tokenized)
            }
            if hit {
                matched |= bit
                trace?(clause.rule, clause.matcher.kind)
            }
        }
        guard matched != 0 else { return .delivered }
        var verdict = ModerationVerdictKind.delivered
        var names: [String] = []
        for rule in rulesByName where matched & (1 << UInt64(rule)) != 0 {
            names.append(rules[rule].name)
            if rules[rule].verdict.severity > verdict.severity { verdict = rules[rule].verdict }
        }
        return ModerationVerdict(verdict: verdict, rules: names)
    }
}
