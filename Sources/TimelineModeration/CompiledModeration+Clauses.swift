// MARK: - Moderating one message

extension CompiledModeration {
    /// Spreads term hits over the clauses that use them, plus substring name hits:
    /// the hits of clause `c` are `hits[offsets[c]..<offsets[c + 1]]`.
    ///
    /// Two kinds of hit do not reach a clause as a match (a name, a phrase, either
    /// side of a pair): one of a term that the order's item title also contains
    /// (`itemTerms`: a "Discord Nitro" order may talk about Discord), and, for a
    /// `negatable` clause, one that `negation` cancels.
    func groupByClause(_ hits: [TermHit], tokenized: TokenizedText, negation: NegationScope? = nil,
                       itemTerms: Set<Int32> = []) -> ([ClauseHit], [Int32]) {
        /// Whether a match by `term` over `first...last` does not count for `clause`.
        func excluded(_ term: Int32, _ first: Int32, _ last: Int32, clause: Int) -> Bool {
            if itemTerms.contains(term) { return true }
            guard let negation, clauses[clause].negatable else { return false }
            return negation.cancels(first: first, last: last, tokenized.tokens)
        }
        var offsets = [Int32](repeating: 0, count: clauses.count + 1)
        guard !hits.isEmpty else { return ([], offsets) }
        var entries: [ClauseEntry] = []
        // Long messenger names inside longer words (`discordapp`, `mydiscord`).
        var primary: UInt64 = 0
        if hasSubstringNames {
            for (index, clause) in clauses.enumerated() {
                guard case .messenger(let messenger) = clause.matcher, !messenger.substringNames.isEmpty else { continue }
                for (position, token) in tokenized.tokens.enumerated() where token.skeletonLength > 6 {
                    for (name, term) in messenger.substringNames where name.count < token.skeletonLength
                        && Self.contains(tokenized.skeleton, Int(token.skeletonStart), Int(token.skeletonEnd), name)
                        && !excluded(term, Int32(position), Int32(position), clause: index) {
                        entries.append(ClauseEntry(clause: Int32(index), hit: ClauseHit(
                            role: .name, first: Int32(position), last: Int32(position), obfuscated: token.obfuscated)))
                        primary |= 1 << UInt64(index & 63)
                    }
                }
            }
        }
        termUseOffsets.withUnsafeBufferPointer { offsets in
            termUseList.withUnsafeBufferPointer { uses in
                // Only clauses with a primary hit (a phrase, a name, or both a `first` and a `second`)
                // can match; common `first` words (`i`, `pay`) alone do not wake a `near` clause.
                var firsts: UInt64 = 0
                var seconds: UInt64 = 0
                for hit in hits {
                    for index in Int(offsets[Int(hit.term)])..<Int(offsets[Int(hit.term) + 1]) {
                        let bit: UInt64 = 1 << UInt64(uses[index].clause & 63)
                        switch uses[index].role {
                        case .first: firsts |= bit
                        case .second: seconds |= bit
                        case let role where role.isPrimary: primary |= bit
                        default: break
                        }
                    }
                }
                primary |= firsts & seconds
                guard primary != 0 else { return }
                entries.reserveCapacity(entries.count + hits.count * 2)
                for hit in hits {
                    for index in Int(offsets[Int(hit.term)])..<Int(offsets[Int(hit.term) + 1]) {
                        let use = uses[index]
                        guard primary & (1 << UInt64(use.clause & 63)) != 0 else { continue }
                        if (use.role.isPrimary || use.role == .second)
                            && excluded(hit.term, hit.first, hit.last, clause: Int(use.clause)) { continue }
                        entries.append(ClauseEntry(clause: use.clause, hit: ClauseHit(
                            role: use.role, first: hit.first, last: hit.last, obfuscated: hit.obfuscated)))
                    }
                }
            }
        }
        guard !entries.isEmpty else { return ([], offsets) }
        // Counting sort by clause, keeping the order of hits within a clause.
        for entry in entries { offsets[Int(entry.clause) + 1] += 1 }
        for index in 0..<clauses.count { offsets[index + 1] += offsets[index] }
        var cursor = offsets
        let placeholder = ClauseHit(role: .term, first: 0, last: 0, obfuscated: false)
        var sorted = [ClauseHit](repeating: placeholder, count: entries.count)
        for entry in entries {
            sorted[Int(cursor[Int(entry.clause)])] = entry.hit
            cursor[Int(entry.clause)] += 1
        }
        return (sorted, offsets)
    }

    // MARK: near

    /// A `first` hit followed by a `second` hit within `maxGap` words, honouring
    /// gap words, clause breaks, `notAfter` and `requireAny`.
    static func matchesNear(_ near: NearClause, _ hits: ArraySlice<ClauseHit>, _ tokens: [WordToken]) -> Bool {
        guard hits.contains(where: { $0.role == .first }), hits.contains(where: { $0.role == .second }) else { return false }
        if near.requiresCue && !hits.contains(where: { $0.role == .cue }) { return false }
        for a in hits where a.role == .first {
            for b in hits where b.role == .second {
                let forward = b.first > a.last
                guard forward || (near.anyOrder && a.first > b.last) else { continue }
                let left = forward ? a : b
                let right = forward ? b : a
                guard Int(right.first - left.last - 1) <= near.maxGap else { continue }
                if near.withinClause && (left.last..<right.first).contains(where: { tokens[Int($0)].clauseBreakAfter }) {
                    continue
                }
                if near.usesGapWords && !gapIsCovered(from: left.last + 1, to: right.first, hits) { continue }
                if near.usesNotAfter && followsExcludedWord(a, hits, tokens) { continue }
                return true
            }
        }
        return false
    }

    /// Every word in `start..<end` is part of a gap-word hit.
    private static func gapIsCovered(from start: Int32, to end: Int32, _ hits: ArraySlice<ClauseHit>) -> Bool {
        var position = start
        while position < end {
            var next: Int32 = -1
            for hit in hits where hit.role == .gap && hit.first == position && hit.last < end {
                next = max(next, hit.last + 1)
            }
            if next < 0 { return false }
            position = next
        }
        return true
    }

    /// The words before `hit`, skipping `skipBefore` words, end with a `notAfter` word.
    static func followsExcludedWord(_ hit: ClauseHit, _ hits: ArraySlice<ClauseHit>, _ tokens: [WordToken]) -> Bool {
        var position = hit.first - 1
        var skipped = 0
        while position >= 0 && skipped <= 4 && !tokens[Int(position)].clauseBreakAfter {
            if hits.contains(where: { $0.role == .notAfter && $0.last == position }) { return true }
            var earliest: Int32 = -1
            for skip in hits where skip.role == .skip && skip.last == position {
                earliest = earliest < 0 ? skip.first : min(earliest, skip.first)
            }
            if earliest < 0 { return false }
            position = earliest - 1
            skipped += 1
        }
        return false
    }

    // MARK: messenger

    /// A messenger name used as a contact channel (see docs/MODERATION.md).
    static func matchesMessenger(_ messenger: MessengerClause, _ hits: ArraySlice<ClauseHit>,
                                 _ text: NormalizedText, _ tokenized: TokenizedText) -> Bool {
        guard hits.contains(where: { $0.role == .name || $0.role == .ambiguous }) else { return false }
        let tokens = tokenized.tokens
        let handle = hasHandle(text.bytes)
        for name in hits where name.role == .name || name.role == .ambiguous {
            if hits.contains(where: { $0.role == .unless && distance($0, name) <= 1 }) { continue }
            let colon = followedByColon(name, text.bytes, tokens)
            if name.role == .name {
                if name.obfuscated || text.usedCompatibilityForms || handle || colon { return true }
                // A name split by spaces into ordinary words (`we chat`) needs a cue in its own clause,
                // and a possessive alone (`can we chat about my order`) is not one.
                let split = name.last > name.first && !tokens[Int(name.first)].ideographic
                for cue in hits where cue.role == .context || cue.role == .contextAfter {
                    let gap = distance(cue, name)
                    guard gap > 0 && gap <= messenger.window else { continue }
                    // `telegram as goldguy`: after the name, and followed by one word that ends the clause
                    // (not `telegram as a messenger is blocked`).
                    if cue.role == .contextAfter && !(cue.first > name.last && Self.endsClauseAfterOneWord(cue, tokens)) {
                        continue
                    }
                    if split {
                        if sameClause(cue, name, tokens) == false { continue }
                        if hits.contains(where: { ($0.role == .possessive || $0.role == .preposition)
                            && $0.first == cue.first && $0.last == cue.last }) { continue }
                    }
                    return true
                }
            } else {
                // Ambiguous names (`line`, `disc`, `dc`) are ordinary words: they need a strong cue.
                if colon { return true }
                let before = name.first - 1
                let preposition = hits.contains { $0.role == .preposition && $0.last == before }
                let possessive = hits.contains { $0.role == .possessive && $0.last == before }
                switch handleAfter(name, text.bytes, tokens) {
                case .atHandle: return true
                case .handleLike where preposition || possessive: return true
                default: break
                }
                if (preposition || possessive) && handle { return true }
                // `add me on signal`: an invitation earlier in the same clause, then `on`/`via` + the name.
                if preposition && hits.contains(where: { $0.role == .cue && $0.last < before
                    && before - $0.last <= Int32(messenger.window) && sameClause($0, name, tokens) }) {
                    return true
                }
            }
        }
        return false
    }

    /// Exactly one word follows `hit` before the end of its clause or message.
    private static func endsClauseAfterOneWord(_ hit: ClauseHit, _ tokens: [WordToken]) -> Bool {
        let next = Int(hit.last) + 1
        guard next < tokens.count, !tokens[Int(hit.last)].clauseBreakAfter else { return false }
        return next + 1 == tokens.count || tokens[next].clauseBreakAfter
    }

    /// No clause break (`, . ! ? ; :`, line break) between two spans.
    private static func sameClause(_ a: ClauseHit, _ b: ClauseHit, _ tokens: [WordToken]) -> Bool {
        let left = min(a.last, b.last)
        let right = max(a.first, b.first)
        guard left < right else { return true }
        return !(left..<right).contains { tokens[Int($0)].clauseBreakAfter }
    }

    /// What follows a name: nothing handle-like, an `@handle`, or a word shaped like a user name.
    enum HandleAfter { case none, atHandle, handleLike }

    /// Reads the word after the name, skipping `:`, `-`, `=` and one `is`: `ig @bob` is an `@handle`;
    /// `is gold_guy`, `gold.trader`, `goldguy99`, `bob#1234` are shaped like user names.
    static func handleAfter(_ hit: ClauseHit, _ bytes: [UInt8], _ tokens: [WordToken]) -> HandleAfter {
        var index = Int(tokens[Int(hit.last)].end)
        func skipFiller() {
            while index < bytes.count && (bytes[index] == 0x20 || bytes[index] == UInt8(ascii: ":")
                || bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "=")) { index += 1 }
        }
        skipFiller()
        if index + 2 < bytes.count && bytes[index] == UInt8(ascii: "i") && bytes[index + 1] == UInt8(ascii: "s")
            && bytes[index + 2] == 0x20 {
            index += 3
            skipFiller()
        }
        guard index < bytes.count else { return .none }
        if bytes[index] == UInt8(ascii: "@") {
            return index + 1 < bytes.count && isLetter(bytes[index + 1]) ? .atHandle : .none
        }
        guard isLetter(bytes[index]) else { return .none }
        var end = index
        var inner = false
        while end < bytes.count && isHandleByte(bytes[end]) {
            if (bytes[end] == UInt8(ascii: "_") || bytes[end] == UInt8(ascii: ".")) && end + 1 < bytes.count
                && isHandleByte(bytes[end + 1]) && bytes[end + 1] != UInt8(ascii: ".") {
                inner = true
            }
            end += 1
        }
        var trailingDigits = 0
        while trailingDigits < end - index && isDigit(bytes[end - 1 - trailingDigits]) { trailingDigits += 1 }
        let tagged = end < bytes.count && bytes[end] == UInt8(ascii: "#") && end + 1 < bytes.count && isDigit(bytes[end + 1])
        return inner || trailingDigits >= 2 || tagged ? .handleLike : .none
    }

    @inline(__always)
    private static func isLetter(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7A }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Words between two spans plus one (0 when they overlap).
    @inline(__always)
    static func distance(_ a: ClauseHit, _ b: ClauseHit) -> Int32 {
        if b.first > a.last { return b.first - a.last }
        if a.first > b.last { return a.first - b.last }
        return 0
    }

    /// `@name` (not inside an address) or `name#1234` somewhere in the message.
    static func hasHandle(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "@") && index + 1 < bytes.count && isHandleByte(bytes[index + 1])
                && (index == 0 || !isHandleByte(bytes[index - 1])) {
                return true
            }
            if byte == UInt8(ascii: "#") && index > 0 && isHandleByte(bytes[index - 1]) {
                var digits = 0
                while index + 1 + digits < bytes.count && bytes[index + 1 + digits] >= 0x30
                    && bytes[index + 1 + digits] <= 0x39 { digits += 1 }
                if digits == 4 || digits == 5 { return true }
            }
            index += 1
        }
        return false
    }

    /// The name is followed by `:` (`discord: name`).
    private static func followedByColon(_ hit: ClauseHit, _ bytes: [UInt8], _ tokens: [WordToken]) -> Bool {
        var index = Int(tokens[Int(hit.last)].end)
        while index < bytes.count && bytes[index] == 0x20 { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
        // Not a time or a ratio: something other than a digit follows.
        var next = index + 1
        while next < bytes.count && bytes[next] == 0x20 { next += 1 }
        return next < bytes.count && !(bytes[next] >= 0x30 && bytes[next] <= 0x39)
    }

    @inline(__always)
    private static func isHandleByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: ".")
    }

    @inline(__always)
    private static func contains(_ haystack: [UInt8], _ start: Int, _ end: Int, _ needle: [UInt8]) -> Bool {
        guard end - start >= needle.count, let head = needle.first else { return false }
        var position = start
        while position + needle.count <= end {
            if haystack[position] == head {
                var offset = 1
                while offset < needle.count && haystack[position + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            position += 1
        }
        return false
    }
}
