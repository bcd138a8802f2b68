import TimelineModel

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
            ? NegationScope(hits, flags: termFlags, window: negationWindow, text: normalized.bytes, tokens: tokenized.tokens) : nil
        let (clauseHits, offsets) = groupByClause(hits, tokenized: tokenized,
                                                  negation: negation?.isEmpty == false ? negation : nil,
                                                  itemTerms: hits.isEmpty ? [] : terms(in: itemTitle))
        var matched: UInt64 = 0
        var address: AddressView?
        let addressCandidate = tokenized.mayHoldAddress
        for index in clauses.indices {
            let (bit, needsHits) = clauseGuards[index]
            if matched & bit != 0 { continue }
            let clauseHits = clauseHits[Int(offsets[index])..<Int(offsets[index + 1])]
            // Most clauses see no word of theirs: decided without copying the clause.
            if needsHits && clauseHits.isEmpty { continue }
            let clause = clauses[index]
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
            case .phrases(let requiresCue, let usesNotAfter):
                hit = clauseHits.contains { $0.role == .term
                    && !(usesNotAfter && Self.followsExcludedWord($0, clauseHits, tokenized.tokens)) }
                    && (!requiresCue || clauseHits.contains { $0.role == .cue })
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
