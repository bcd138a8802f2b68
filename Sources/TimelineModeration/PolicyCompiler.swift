import TimelineModel
import Foundation

// MARK: - Validation and compilation of each rule

/// Turns a decoded ``ModerationConfig`` into matchers, failing with a sentence
/// that names the offending field.
struct PolicyCompiler {
    let config: ModerationConfig
    var normalizer: TextNormalizer
    var folding: WordFolding
    var matcher = WordListMatcher()
    var termUses: [[TermUse]] = []
    var rules: [CompiledModerationRule] = []
    var clauses: [CompiledClause] = []

    init(_ config: ModerationConfig) throws(ModerationConfigError) {
        self.config = config
        guard config.version == 1 else {
            throw Self.error("'version' is \(config.version), but this daemon reads version 1; convert the file or upgrade the daemon")
        }
        if let max = config.maxVisibleChars, max < 1 {
            throw Self.error("'maxVisibleChars' must be at least 1 (it is \(max))")
        }
        if let days = config.appealWindowDays, days < 1 {
            throw Self.error("'appealWindowDays' must be at least 1 (it is \(days))")
        }
        if let count = config.flagAfterFiltered, count < 1 {
            throw Self.error("'flagAfterFiltered' must be at least 1 (it is \(count))")
        }
        let normalization = config.normalization
        var confusables: [UInt32: [UInt8]] = [:]
        for (key, value) in normalization.confusables {
            let scalars = Array(key.unicodeScalars)
            guard scalars.count == 1, let scalar = scalars.first, !scalar.isASCII else {
                throw Self.error("'normalization.confusables' key \"\(key)\" must be exactly one non-ASCII character")
            }
            guard !value.isEmpty, value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
                throw Self.error("'normalization.confusables' value for \"\(key)\" must be printable ASCII text")
            }
            confusables[scalar.value] = Array(value.lowercased().utf8)
        }
        Self.addDecomposedLookAlikes(to: &confusables)
        var leet: [UInt8: UInt8] = [:]
        for (key, value) in normalization.leet {
            guard let from = Self.singleASCII(key), !(from >= 0x61 && from <= 0x7A), from > 0x20,
                  let to = Self.singleASCII(value.lowercased()), to >= 0x61 && to <= 0x7A else {
                throw Self.error("'normalization.leet' maps one ASCII digit or symbol to one letter; \"\(key)\": \"\(value)\" does not")
            }
            leet[from] = to
        }
        var skeleton: [UInt8: UInt8] = [:]
        for (key, value) in normalization.skeleton {
            guard let from = Self.singleASCII(key.lowercased()), from >= 0x61 && from <= 0x7A,
                  let to = Self.singleASCII(value.lowercased()), to >= 0x61 && to <= 0x7A else {
                throw Self.error("'normalization.skeleton' maps one letter to one letter; \"\(key)\": \"\(value)\" does not")
            }
            skeleton[from] = to
        }
        guard normalization.minJoinLength >= 1 else {
            throw Self.error("'normalization.minJoinLength' must be at least 1")
        }
        let separators = Array(normalization.joinSeparators.utf8)
        guard !separators.isEmpty, separators.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && !TextNormalizer.isAlphanumeric($0) }) else {
            throw Self.error("'normalization.joinSeparators' must list ASCII punctuation or spaces only")
        }
        let normalizer = TextNormalizer(confusables: confusables)
        for (word, number) in normalization.digitWords {
            guard Self.foldedNumberWord(word, normalizer) != nil, Self.numberWordValue(number) != nil else {
                throw Self.error("'normalization.digitWords' maps one word (letters and inner apostrophes only, one character in Han, kana or Hangul) to a number from 0 to 19, a multiple of ten up to 90 or of a hundred up to 900; \"\(word)\": \"\(number)\" does not")
            }
        }
        for (word, count) in normalization.repeatWords ?? [:] where Self.foldedWord(word, normalizer) == nil || !(2...9).contains(count) {
            throw Self.error("'normalization.repeatWords' maps one word of letters to how often the next digit counts (2 to 9); \"\(word)\": \(count) does not")
        }
        for word in normalization.numberConnectors ?? [] where Self.foldedWord(word, normalizer) == nil {
            throw Self.error("'normalization.numberConnectors' entries must be single words of letters; \"\(word)\" is not")
        }
        for word in normalization.zeroWords where Self.foldedWord(word, normalizer) == nil {
            throw Self.error("'normalization.zeroWords' entries must be single words of letters; \"\(word)\" is not")
        }
        let atWords = normalization.atWords ?? ["at"], dotWords = normalization.dotWords ?? ["dot"]
        var foldedAddressWords: [[String]] = [[], []]
        for (list, words) in [atWords, dotWords].enumerated() {
            for word in words {
                guard let folded = Self.foldedWord(word, normalizer) else {
                    throw Self.error("'normalization.atWords' and 'dotWords' entries must be single words of letters; \"\(word)\" is not")
                }
                foldedAddressWords[list].append(String(decoding: folded, as: UTF8.self))
            }
        }
        self.normalizer = normalizer
        folding = WordFolding(leet: leet, skeleton: skeleton, joinSeparators: separators,
                              atWords: foldedAddressWords[0], dotWords: foldedAddressWords[1])
        matcher.minJoinLength = normalization.minJoinLength
    }

    // MARK: Rules

    /// Per term: what it means outside the clauses (``TermFlags``).
    var termFlags: [TermFlags] = []

    /// Adds `words` to the trie with `flag` (no clause uses them through ``termUses``).
    private mutating func flagTerms(_ words: [String], _ flag: TermFlags, path: String) throws(ModerationConfigError) {
        for (index, word) in words.enumerated() {
            guard let skeleton = skeleton(of: word) else {
                throw Self.error("'\(path)[\(index)]' (\"\(word)\") has no matchable letters or digits; use letters, digits and spaces")
            }
            let term = Int(matcher.insert(skeleton))
            while termFlags.count <= term { termFlags.append([]) }
            termFlags[term].insert(flag)
        }
    }

    mutating func compileRules() throws(ModerationConfigError) {
        defer { while termUses.count < matcher.termCount { termUses.append([]) } }
        for word in config.normalization.digitWords.keys {
            if let skeleton = skeleton(of: word) {
                let term = Int(matcher.insert(skeleton))
                while termFlags.count <= term { termFlags.append([]) }
                termFlags[term].insert(.digitWord)
            }
        }
        if let negation = config.negation {
            if let window = negation.window, !(0...10).contains(window) {
                throw Self.error("'negation.window' must be between 0 and 10 (it is \(window))")
            }
            try flagTerms(negation.words, .negation, path: "negation.words")
            try flagTerms(negation.except ?? [], .negationExcept, path: "negation.except")
            try flagTerms(negation.warnings ?? [], .warning, path: "negation.warnings")
        }
        guard config.rules.count <= CompiledModeration.maxRules else {
            throw Self.error("there are \(config.rules.count) rules; at most \(CompiledModeration.maxRules) are supported")
        }
        var names: Set<String> = []
        for (ruleIndex, rule) in config.rules.enumerated() {
            let where_ = "rules[\(ruleIndex)]"
            guard !rule.name.isEmpty, rule.name.utf8.allSatisfy({ Self.isNameByte($0) }) else {
                throw Self.error("'\(where_).name' must be non-empty and use only a-z, 0-9, '.', '_' and '-' (it is \"\(rule.name)\")")
            }
            guard names.insert(rule.name).inserted else {
                throw Self.error("rule name \"\(rule.name)\" appears twice; rule names must be unique")
            }
            guard rule.verdict != .delivered else {
                throw Self.error("'\(where_).verdict' of rule \"\(rule.name)\" is 'delivered', which would report a rule on a delivered message; use flagged, filtered or hidden, or remove the rule")
            }
            guard !rule.match.isEmpty else {
                throw Self.error("'\(where_).match' is empty; give rule \"\(rule.name)\" at least one clause")
            }
            rules.append(CompiledModerationRule(name: rule.name, verdict: rule.verdict))
            for (clauseIndex, clause) in rule.match.enumerated() {
                let path = "\(where_).match[\(clauseIndex)]"
                let matcher = try compileClause(clause, path: path, rule: rule.name, clauseIndex: Int32(clauses.count))
                clauses.append(CompiledClause(rule: ruleIndex, matcher: matcher, negatable: clause.negatable ?? false))
            }
        }
    }

    private mutating func compileClause(_ clause: ModerationClauseConfig, path: String, rule: String,
                                        clauseIndex: Int32) throws(ModerationConfigError) -> ClauseMatcher {
        switch clause.kind {
        case .length:
            return .length
        case .wallet:
            return .wallet(WalletDetector(contextWords: clause.contextWords ?? []))
        case .email:
            let providers = try Self.required(clause.providers, "providers", path)
            let tlds = try Self.required(clause.tlds, "tlds", path)
            return .email(EmailDetector(
                providers: HashedWordSet(hashes: try labelHashes(providers, path: "\(path).providers")),
                topLevelDomains: HashedWordSet(hashes: try labelHashes(tlds, path: "\(path).tlds"))))
        case .link:
            let tlds = try Self.required(clause.tlds, "tlds", path)
            let domains = try Self.required(clause.domains, "domains", path)
            let known = try domainHashes(domains, path: "\(path).domains")
            return .link(LinkDetector(
                knownDomains: known, knownFirstLabels: HashedWordSet(hashes: known.compactMap(\.first)),
                topLevelDomains: HashedWordSet(hashes: try labelHashes(tlds, path: "\(path).tlds")),
                allowedDomains: try domainHashes(clause.allowedDomains ?? [], path: "\(path).allowedDomains"),
                bareNames: try domainHashes(clause.bareNames ?? [], path: "\(path).bareNames"),
                bareNameTLDs: HashedWordSet(hashes: try labelHashes(clause.bareNameTlds ?? [], path: "\(path).bareNameTlds")),
                wwwHash: folding.foldedHash(of: "www")))
        case .phone:
            let minDigits = clause.minDigits ?? 9
            let maxDigits = clause.maxDigits ?? 15
            guard minDigits >= 5, maxDigits >= minDigits else {
                throw Self.error("'\(path)' needs 5 <= minDigits <= maxDigits (got \(minDigits) and \(maxDigits))")
            }
            // Context words, id words and fillers: folded like every list, in a trie of their own.
            var words = WordListMatcher()
            words.minJoinLength = config.normalization.minJoinLength
            var roles: [UInt8] = []
            for (list, role, field) in [(clause.contextWords, PhoneWordMarks.context, "contextWords"),
                                        (clause.idWords, PhoneWordMarks.idWord, "idWords"),
                                        (clause.skipBefore, PhoneWordMarks.filler, "skipBefore")] {
                for (index, phrase) in (list ?? []).enumerated() {
                    guard let skeleton = skeleton(of: phrase) else {
                        throw Self.error("'\(path).\(field)[\(index)]' (\"\(phrase)\") has no matchable letters or digits; use letters, digits and spaces")
                    }
                    let term = Int(words.insert(skeleton))
                    while roles.count <= term { roles.append(0) }
                    roles[term] |= role
                }
            }
            words.freeze()
            let normalization = config.normalization
            let numberWords = normalization.digitWords.compactMap { word, number in
                Self.foldedNumberWord(word, normalizer).flatMap { folded in Self.numberWordValue(number).map { (folded, $0) } }
            }
            let repeatWords = (normalization.repeatWords ?? [:]).compactMap { word, count in
                Self.foldedWord(word, normalizer).map { ($0, count) }
            }
            return .phone(PhoneDetector(
                minDigits: minDigits, maxDigits: maxDigits, numberWords: numberWords,
                zeroWords: normalization.zeroWords.compactMap { Self.foldedWord($0, normalizer) },
                connectors: (normalization.numberConnectors ?? []).compactMap { Self.foldedWord($0, normalizer) },
                repeatWords: repeatWords, words: PhoneWordLists(matcher: words, roles: roles)))
        case .phrases:
            let phrases = try Self.required(clause.phrases, "phrases", path)
            try addTerms(phrases, role: .term, clause: clauseIndex, path: "\(path).phrases")
            try addTerms(clause.requireAny ?? [], role: .cue, clause: clauseIndex, path: "\(path).requireAny")
            try addTerms(clause.notAfter ?? [], role: .notAfter, clause: clauseIndex, path: "\(path).notAfter")
            try addTerms(clause.skipBefore ?? [], role: .skip, clause: clauseIndex, path: "\(path).skipBefore")
            return .phrases(requiresCue: !(clause.requireAny ?? []).isEmpty, usesNotAfter: !(clause.notAfter ?? []).isEmpty)
        case .near:
            try addTerms(try Self.required(clause.first, "first", path), role: .first, clause: clauseIndex, path: "\(path).first")
            try addTerms(try Self.required(clause.second, "second", path), role: .second, clause: clauseIndex, path: "\(path).second")
            try addTerms(clause.gapWords ?? [], role: .gap, clause: clauseIndex, path: "\(path).gapWords")
            try addTerms(clause.notAfter ?? [], role: .notAfter, clause: clauseIndex, path: "\(path).notAfter")
            try addTerms(clause.skipBefore ?? [], role: .skip, clause: clauseIndex, path: "\(path).skipBefore")
            try addTerms(clause.requireAny ?? [], role: .cue, clause: clauseIndex, path: "\(path).requireAny")
            let maxGap = clause.maxGap ?? 2
            guard (0...10).contains(maxGap) else {
                throw Self.error("'\(path).maxGap' must be between 0 and 10 (it is \(maxGap))")
            }
            return .near(NearClause(maxGap: maxGap, anyOrder: clause.anyOrder ?? false,
                                    withinClause: clause.withinClause ?? false,
                                    usesGapWords: !(clause.gapWords ?? []).isEmpty,
                                    usesNotAfter: !(clause.notAfter ?? []).isEmpty,
                                    requiresCue: !(clause.requireAny ?? []).isEmpty))
        case .messenger:
            let names = try Self.required(clause.names, "names", path)
            let nameTerms = try addTerms(names, role: .name, clause: clauseIndex, path: "\(path).names")
            try addTerms(clause.ambiguousNames ?? [], role: .ambiguous, clause: clauseIndex, path: "\(path).ambiguousNames")
            try addTerms(try Self.required(clause.contextWords, "contextWords", path), role: .context,
                         clause: clauseIndex, path: "\(path).contextWords")
            try addTerms(clause.prepositions ?? [], role: .preposition, clause: clauseIndex, path: "\(path).prepositions")
            try addTerms(clause.possessives ?? [], role: .possessive, clause: clauseIndex, path: "\(path).possessives")
            try addTerms(clause.contextAfter ?? [], role: .contextAfter, clause: clauseIndex,
                         path: "\(path).contextAfter")
            try addTerms(clause.unlessNear ?? [], role: .unless, clause: clauseIndex, path: "\(path).unlessNear")
            try addTerms(clause.requireAny ?? [], role: .cue, clause: clauseIndex, path: "\(path).requireAny")
            let window = clause.window ?? 4
            guard (1...20).contains(window) else {
                throw Self.error("'\(path).window' must be between 1 and 20 (it is \(window))")
            }
            let minimum = clause.substringMinLength ?? 6
            let substring = nameTerms.filter { !$0.0.contains(0x20) && $0.0.count >= minimum }
            return .messenger(MessengerClause(window: window, substringNames: substring))
        }
    }

    /// Adds word-list entries to the trie; returns (skeleton, term) for each.
    @discardableResult
    private mutating func addTerms(_ phrases: [String], role: TermRole, clause: Int32,
                                   path: String) throws(ModerationConfigError) -> [([UInt8], Int32)] {
        var added: [([UInt8], Int32)] = []
        for (index, phrase) in phrases.enumerated() {
            guard let skeleton = skeleton(of: phrase) else {
                throw Self.error("'\(path)[\(index)]' (\"\(phrase)\") has no matchable letters or digits; use letters, digits and spaces")
            }
            let term = matcher.insert(skeleton)
            while termUses.count <= Int(term) { termUses.append([]) }
            termUses[Int(term)].append(TermUse(clause: clause, role: role))
            added.append((skeleton, term))
        }
        return added
    }

    /// The folded hash of one domain label (`gmail`, `com`), as the address view
    /// hashes a message's words; nil when the label is not one address word.
    private func labelHash(_ label: String) -> UInt64? {
        let bytes = normalizer.normalize(label).bytes
        guard !bytes.isEmpty, bytes.allSatisfy({ AddressView.isWordByte($0) }) else { return nil }
        return folding.foldedHash(bytes, 0, bytes.count, hasLetter: bytes.contains { AddressView.isLetter($0) })
    }

    /// The folded hashes of a list of labels (providers, top-level domains).
    private func labelHashes(_ labels: [String], path: String) throws(ModerationConfigError) -> [UInt64] {
        var hashes: [UInt64] = []
        for (index, label) in labels.enumerated() {
            guard let hash = labelHash(label) else {
                throw Self.error("'\(path)[\(index)]' (\"\(label)\") must be one domain label: letters, digits, '-' or '_'")
            }
            hashes.append(hash)
        }
        return hashes
    }

    /// The folded label hashes of each domain (`discord.gg` → hashes of `discord` and `gg`).
    private func domainHashes(_ domains: [String], path: String) throws(ModerationConfigError) -> [[UInt64]] {
        var result: [[UInt64]] = []
        for (index, domain) in domains.enumerated() {
            let labels = domain.split(separator: ".", omittingEmptySubsequences: false).map { labelHash(String($0)) }
            let hashes = labels.compactMap { $0 }
            guard labels.count >= 2, hashes.count == labels.count else {
                throw Self.error("'\(path)[\(index)]' (\"\(domain)\") must be a domain of two or more labels, such as discord.gg")
            }
            result.append(hashes)
        }
        return result
    }

    /// The skeleton of a word-list entry, folded exactly as message text is:
    /// words separated by whitespace become word breaks, other separators join.
    func skeleton(of phrase: String) -> [UInt8]? {
        let normalized = normalizer.normalize(phrase)
        let tokenized = TokenizedText(normalized, folding: folding)
        guard !tokenized.tokens.isEmpty else { return nil }
        var out: [UInt8] = []
        for (index, token) in tokenized.tokens.enumerated() {
            if index > 0 {
                let gap = normalized.bytes[Int(tokenized.tokens[index - 1].end)..<Int(token.start)]
                if gap.contains(0x20) || gap.contains(0x0A) { out.append(0x20) }
            }
            for byte in tokenized.skeleton[Int(token.skeletonStart)..<Int(token.skeletonEnd)] {
                guard WordListMatcher.symbolOf[Int(byte)] != 255 else { return nil }
                out.append(byte)
            }
        }
        return out
    }

    // MARK: Helpers

    /// Greek and Cyrillic letters with diacritics (`ἰ`, `ά`, `ӓ`), which NFKC leaves composed, fold
    /// like their base letter when the table has it: the canonical decomposition's first scalar.
    static func addDecomposedLookAlikes(to confusables: inout [UInt32: [UInt8]]) {
        for range in [0x0370...0x03FF, 0x0400...0x052F, 0x1F00...0x1FFF] {
            for value in range where confusables[UInt32(value)] == nil {
                guard let scalar = Unicode.Scalar(UInt32(value)) else { continue }
                let decomposed = String(Character(scalar)).decomposedStringWithCanonicalMapping.unicodeScalars
                guard decomposed.count > 1, let base = decomposed.first, let folded = confusables[base.value] else {
                    continue
                }
                confusables[UInt32(value)] = folded
            }
        }
    }

    static func error(_ text: String) -> ModerationConfigError {
        ModerationConfigError(message: "Invalid moderation config: \(text).")
    }

    static func required(_ list: [String]?, _ field: String, _ path: String) throws(ModerationConfigError) -> [String] {
        guard let list, !list.isEmpty else {
            throw error("clause '\(path)' needs a non-empty '\(field)' list")
        }
        return list
    }

    static func singleASCII(_ text: String) -> UInt8? {
        let bytes = Array(text.utf8)
        return bytes.count == 1 && bytes[0] < 0x80 ? bytes[0] : nil
    }

    /// A `digitWords` key as the digit-preserving view shows it: ``foldedWord(_:_:)``,
    /// except that apostrophes between letters stay (`п'ять`, since the text keeps them).
    static func foldedNumberWord(_ word: String, _ normalizer: TextNormalizer) -> [UInt8]? {
        let pieces = word.split(separator: "'", omittingEmptySubsequences: false)
        var folded: [UInt8] = []
        for (index, piece) in pieces.enumerated() {
            guard let bytes = foldedWord(String(piece), normalizer) else { return nil }
            if index > 0 { folded.append(0x27) }
            folded += bytes
        }
        return folded
    }

    /// The value of a `digitWords` entry: 0–19, a multiple of ten up to 90, or of a hundred up to 900.
    static func numberWordValue(_ text: String) -> Int? {
        guard text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(text), text.count <= 3 else { return nil }
        let valid = value < 20 || (value < 100 && value % 10 == 0) || (value < 1000 && value % 100 == 0)
        return valid ? value : nil
    }

    /// `word` as the digit-preserving view shows it (lowercased, look-alikes folded),
    /// or nil unless that is one word of letters: the phone and address detectors
    /// compare these bytes with the view's.
    static func foldedWord(_ word: String, _ normalizer: TextNormalizer) -> [UInt8]? {
        let bytes = normalizer.normalize(word).bytes.drop { $0 == 0x20 }.reversed().drop { $0 == 0x20 }.reversed()
        guard !bytes.isEmpty, bytes.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || $0 >= 0x80 }) else { return nil }
        return Array(bytes)
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }
}
