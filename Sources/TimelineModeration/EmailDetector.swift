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
