// MARK: - E-mail addresses and links

/// Finds e-mail addresses in the address view, plain or obfuscated.
///
/// An address is `local AT domain`, where AT is `@` or a bracketed `[at]`
/// (any domain with a known top-level domain, or a known mail provider; written
/// tight, `bob@site.pro`, any alphabetic top-level domain of two or more
/// letters), or the bare word `at` between two words (when the domain is a
/// known mail provider, or a known top-level domain follows a spelled-out `dot`:
/// `bob at mail dot ru`; so "meet at 5pm" passes). Dots may be written `.`,
/// `[dot]` or `dot`; spaced-out letters are merged first.
struct EmailDetector: Sendable, Equatable {
    /// Mail providers recognised even without a top-level domain (`john at gmail`).
    var providers: HashedWordSet
    /// Top-level domains that end an address (`com`, `de`, `io`…).
    var topLevelDomains: HashedWordSet

    /// Whether the view contains an address.
    func matches(_ view: AddressView) -> Bool {
        let items = view.items
        for index in items.indices where items[index].kind == .at || items[index].kind == .atWord {
            guard index > 0, index + 1 < items.count else { continue }
            let local = items[index - 1]
            guard local.kind == .word else { continue }
            let weak = items[index].kind == .atWord
            if weak && !(items[index].spaceBefore && items[index + 1].spaceBefore) { continue }
            guard let labels = DomainChain(items, from: index + 1, allowWordDots: true) else { continue }
            let provider = providers.contains(hash: items[index + 1].hash)
            let knownTLD = labels.count >= 2 && topLevelDomains.contains(hash: labels.lastHash)
            if weak {
                if provider || (knownTLD && labels.usedWordDot) { return true }
                continue
            }
            if provider || knownTLD { return true }
            // `bob@trader.ai`: written tight, any alphabetic top-level domain counts.
            if !items[index].spaceBefore && !items[index + 1].spaceBefore,
               let tight = DomainChain(items, from: index + 1, allowWordDots: false, allowSpaces: false),
               tight.count >= 2, Self.isAlphabeticLabel(items[tight.end - 1], in: view.text) {
                return true
            }
        }
        return false
    }

    /// The label has two or more letters and nothing else.
    private static func isAlphabeticLabel(_ item: AddressItem, in text: [UInt8]) -> Bool {
        guard item.end - item.start >= 2 else { return false }
        for index in Int(item.start)..<Int(item.end) where !(text[index] >= 0x61 && text[index] <= 0x7A) {
            return false
        }
        return true
    }
}

/// Finds URLs, bare domains and known invite or short-link domains.
///
/// A link is any `scheme://`, any `www.`, a known domain from the list even
/// when written `discord dot gg` or `t . me`, or a bare `name.tld` written
/// without spaces whose top-level domain is in the list. Domains right after
/// an `@` belong to an e-mail address and are left to ``EmailDetector``;
/// allowed domains (the marketplace's own) never match; a bare name (a game
/// platform called by its domain, `Battle.net`) is a name, not a link, unless
/// a path follows it. Labels are compared folded (`d1scord` is `discord`).
struct LinkDetector: Sendable, Equatable {
    /// Known invite/short-link domains, as label hashes (`["discord", "gg"]`).
    var knownDomains: [[UInt64]]
    /// First-label hashes of the known domains, for a quick check.
    var knownFirstLabels: HashedWordSet
    /// Top-level domains that make a bare `name.tld` a link.
    var topLevelDomains: HashedWordSet
    /// Domains that never count (label hashes, matched as a suffix).
    var allowedDomains: [[UInt64]]
    /// Platform names written as domains (label hashes, matched as a suffix):
    /// bare, with no path after them, they are not links.
    var bareNames: [[UInt64]]
    /// Top-level domains whose bare two-label `name.tld` is a name (`agar.io`,
    /// `krunker.io`: browser games are called by their domain).
    var bareNameTLDs: HashedWordSet
    /// Folded hash of `www`.
    var wwwHash: UInt64

    /// Whether the view contains a link.
    func matches(_ view: AddressView) -> Bool {
        if view.hasScheme { return true }
        let items = view.items
        for index in items.indices where items[index].kind == .word {
            // After `@` or `[at]` the domain belongs to an e-mail address; the word `at` does not switch
            // link detection off (`contact me at goldguy.com`).
            if index > 0 && items[index - 1].kind == .at { continue }
            if index > 0 && items[index - 1].kind == .dot && !items[index].spaceBefore { continue }
            let item = items[index]
            guard index + 1 < items.count,
                  items[index + 1].kind == .dot || items[index + 1].kind == .dotWord else { continue }
            if item.hash == wwwHash && items[index + 1].kind == .dot { return true }
            if knownFirstLabels.contains(hash: item.hash) && matchesKnown(items, at: index) { return true }
            guard items[index + 1].kind == .dot, let chain = DomainChain(items, from: index, allowWordDots: false, allowSpaces: false), chain.count >= 2,
                  item.hasLetter, topLevelDomains.contains(hash: chain.lastHash) else { continue }
            if Self.hasSuffix(chain.hashes, in: allowedDomains) { continue }
            let pathFollows = chain.end < items.count && items[chain.end].kind == .slash && !items[chain.end].spaceBefore
            if !pathFollows && Self.hasSuffix(chain.hashes, in: bareNames) { continue }
            if !pathFollows && chain.count == 2 && bareNameTLDs.contains(hash: chain.lastHash) { continue }
            return true
        }
        return false
    }

    /// A known domain starts at `index` (dots may be `dot`, spaces allowed).
    private func matchesKnown(_ items: [AddressItem], at index: Int) -> Bool {
        guard let chain = DomainChain(items, from: index, allowWordDots: true, allowSpaces: true) else { return false }
        for domain in knownDomains where domain.count <= chain.count {
            if Array(chain.hashes.prefix(domain.count)) == domain { return true }
        }
        return false
    }

    /// Whether `labels` ends with one of `domains` (`eu.battle.net` ends with `battle.net`).
    private static func hasSuffix(_ labels: [UInt64], in domains: [[UInt64]]) -> Bool {
        for domain in domains where domain.count <= labels.count {
            if labels.suffix(domain.count).elementsEqual(domain) { return true }
        }
        return false
    }
}

/// A run of domain labels `word (dot word)*` in the address view.
struct DomainChain {
    var hashes: [UInt64] = []
    /// Some dot was the word `dot` (`mail dot ru`).
    var usedWordDot = false
    /// The index of the first item after the last label.
    var end: Int
    var count: Int { hashes.count }
    var lastHash: UInt64 { hashes.last ?? 0 }

    /// Reads labels from `index`; nil when `items[index]` is not a word.
    /// - Parameters:
    ///   - allowWordDots: The word `dot` counts as a dot.
    ///   - allowSpaces: Spaces may surround dots (otherwise a dot must touch both labels).
    init?(_ items: [AddressItem], from index: Int, allowWordDots: Bool, allowSpaces: Bool = true) {
        guard index < items.count, items[index].kind == .word else { return nil }
        hashes.append(items[index].hash)
        var position = index + 1
        while position + 1 < items.count && hashes.count < 8 {
            let separator = items[position]
            let label = items[position + 1]
            let isDot = separator.kind == .dot || (allowWordDots && separator.kind == .dotWord)
            guard isDot, label.kind == .word else { break }
            if separator.kind == .dot && !allowSpaces && (separator.spaceBefore || label.spaceBefore) { break }
            hashes.append(label.hash)
            if separator.kind == .dotWord { usedWordDot = true }
            position += 2
        }
        end = position
    }
}

// MARK: - Small hashed word sets shared by the contact detectors

/// FNV-1a 64-bit hash of a byte range: word sets for the e-mail and link
/// detectors are sets of these hashes, so checking a word allocates nothing.
enum WordHash {
    /// The FNV-1a 64-bit offset basis (the hash of the empty word).
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    /// The FNV-1a 64-bit prime.
    static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// Hash of `bytes[start..<end]`.
    @inline(__always)
    static func of(_ bytes: [UInt8], _ start: Int, _ end: Int) -> UInt64 {
        var hash = offsetBasis
        var index = start
        while index < end {
            hash = (hash ^ UInt64(bytes[index])) &* prime
            index += 1
        }
        return hash
    }

    /// Hash of a whole string's lowercase UTF-8 bytes.
    static func of(_ string: String) -> UInt64 {
        let bytes = Array(string.lowercased().utf8)
        return of(bytes, 0, bytes.count)
    }
}

/// A set of words, checked by hash (the compiler hashes them folded, like the address view).
struct HashedWordSet: Sendable, Equatable {
    private var hashes: Set<UInt64>

    /// Creates the set from word hashes.
    init(hashes: [UInt64]) {
        self.hashes = Set(hashes)
    }

    /// Whether the word with this hash is in the set.
    @inline(__always)
    func contains(hash: UInt64) -> Bool {
        hashes.contains(hash)
    }

    /// True when the set has no words.
    var isEmpty: Bool { hashes.isEmpty }
}
