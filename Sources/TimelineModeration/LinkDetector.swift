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
