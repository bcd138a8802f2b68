import Foundation
import Testing
@testable import TimelineModeration
import TimelineModel

// MARK: - Helpers

/// Paths of the shared files, found from this source file.
enum ModerationFiles {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let repository = testsFolder.deletingLastPathComponent()
    static let corpus = testsFolder.appendingPathComponent("Fixtures/moderation-corpus.jsonl")
    static let config = repository.appendingPathComponent("config/moderation.json")
}

private let builtInPolicy = ModerationPolicy.builtIn

private func verdictOf(_ text: String) -> ModerationVerdictKind { builtInPolicy.moderate(text).verdict }
private func rulesOf(_ text: String) -> [String] { builtInPolicy.moderate(text).rules }

private func normalizedOf(_ text: String) -> NormalizedText { builtInPolicy.compiled.normalizer.normalize(text) }
private func baseString(_ text: String) -> String { String(decoding: normalizedOf(text).bytes, as: UTF8.self) }
private func skeletons(_ text: String) -> [String] {
    let tokenized = TokenizedText(normalizedOf(text), folding: builtInPolicy.compiled.folding)
    return tokenized.tokens.map {
        String(decoding: tokenized.skeleton[Int($0.skeletonStart)..<Int($0.skeletonEnd)], as: UTF8.self)
    }
}

// MARK: - Normalisation

@Suite("Moderation: normalisation steps")
struct ModerationNormalisationTests {
    @Test("pure ASCII takes the fast path and is only lowercased")
    func asciiFastPath() {
        let text = normalizedOf("Sell 20K Gold\tNOW")
        #expect(text.suspicious.isEmpty)
        #expect(String(decoding: text.bytes, as: UTF8.self) == "sell 20k gold now")
    }

    @Test("NFKC folds fullwidth and mathematical letters and remembers it")
    func nfkc() {
        #expect(baseString("ｄｉｓｃｏｒｄ") == "discord")
        #expect(baseString("𝐝𝐢𝐬𝐜𝐨𝐫𝐝") == "discord")
        #expect(normalizedOf("ｄｉｓｃｏｒｄ").usedCompatibilityForms)
        #expect(!normalizedOf("café").usedCompatibilityForms)
    }

    @Test("zero-width, soft hyphen and bidi controls are removed and mark the next letter")
    func invisibleCharacters() {
        #expect(baseString("dis\u{200B}cord") == "discord")
        #expect(baseString("dis\u{00AD}co\u{202B}rd\u{2066}") == "discord")
        #expect(baseString("d\u{FEFF}i\u{2060}s") == "dis")
        #expect(normalizedOf("dis\u{200B}cord").isSuspicious(3))
    }

    @Test("Cyrillic and Greek look-alikes and accents fold to Latin")
    func confusables() {
        #expect(baseString("dіscord") == "discord")        // Cyrillic і
        #expect(baseString("ΡΑΥΡΑL") == "paypal")          // Greek capitals
        #expect(baseString("dïscörd") == "discord")
        #expect(baseString("d̶i̶s̶c̶o̶r̶d̶") == "discord")      // combining strike-through
        #expect(baseString("don’t") == "don't")
        #expect(normalizedOf("dіscord").isSuspicious(1))
    }

    @Test("a right-to-left override is read as displayed: reversed \"discord\" is caught, plain Arabic or Hebrew passes")
    func bidiOverride() {
        #expect(rulesOf("add me on \u{202E}drocsid\u{202C} pls") == ["contact.messenger"])
        #expect(rulesOf("write me: \u{202E}moc.liamg@htims.nhoj") == ["contact.email"])
        #expect(verdictOf("\u{202E}12 swords delivered\u{202C}") == .delivered)
        #expect(verdictOf("شكرا، وصلت السيوف") == .delivered)
        #expect(verdictOf("תודה, קיבלתי") == .delivered)
    }

    @Test("wallet addresses are caught by format and checksum; ids with a wrong checksum, hashes and order numbers pass")
    func wallets() {
        for text in [
            "send btc to 1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            "usdt trc20: TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "0x52908400098527886E0F7030069857D2E4169EE7",
            "eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359 pls",
            "my wallet １ＢｏａｔＳＬＲＨｔＫＮｎｇｋｄＸＥｅｏｂＲ７６ｂ５３ＬＥＴｔｐｙＴ ok",
            "to bc1qw508d6\u{200B}qejxtdg4y5r3\u{200B}zarvary0c5xw7kv8f3t4", "0x5aAeb6053F3E94C9b9A09f\u{2060}33669435E7Ef1BeAed",
            "sol: 879SC3psH6DzFDX3Tm1YqGuq1U4T3YA7qhJ5trUGmAgY", "phantom wallet Ga44nssBUhiq3HTcw5zoDPT8S8MLZvaYUopt8MLGuLMb",
        ] {
            #expect(rulesOf(text) == ["payment.offplatform"], "\(text)")
        }
        for text in [
            "1BoatSLRHtKNngkdXEeobR76b53LETtpyX", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
            "order A1B2C3D4E5F6G7H8J9K1L2M3N4P5Q6 arrived", "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "trade id 76561198012345678901234567", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "0xfb6916095cA1df60bB79Ce92cE3Ea74c37c5d359",
            "the key is 879SC3psH6DzFDX3Tm1YqGuq1U4T3YA7qhJ5trUGmAgY", "sol 879SC3psH6DzFDX3Tm1YqGuq1U4T3YA7",
        ] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
    }

    @Test("Keccak-256 matches Ethereum's published digests")
    func keccak() {
        let hex = { (bytes: [UInt8]) in bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(Keccak256.hash([])) == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        #expect(hex(Keccak256.hash(Array("abc".utf8))) == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
        #expect(hex(Keccak256.hash([UInt8](repeating: 0x61, count: 200))).count == 64)
    }

    @Test("e-mail addresses spelled with the at and dot words of other languages are caught; the same words in prose pass")
    func foreignAtDotWords() {
        for text in ["john arroba gmail punto com", "anna malpa gmail kropka com", "schreib mir: max klammeraffe gmx punkt de",
                     "jean arobase outlook point fr", "ivan sobaka yandex tochka ru"] {
            #expect(rulesOf(text) == ["contact.email"], "\(text)")
        }
        for text in ["at this point the sword is at 50%", "el punto de entrega es la plaza", "ich bin um 8 punkt da"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
    }

    @Test("leaving the platform in other languages and local spellings of messengers are caught")
    func otherLanguages() {
        for text in ["hablemos fuera de la plataforma", "vamos falar fora da plataforma", "lass uns außerhalb der Plattform reden",
                     "on continue en dehors de la plateforme", "parliamo fuori dalla piattaforma", "pogadajmy poza platformą",
                     "platform dışında konuşalım"] {
            #expect(rulesOf(text) == ["contact.messenger"], "\(text)")
        }
        for text in ["add me on weixin", "escríbeme por wasap", "me chama no zapzap"] {
            #expect(rulesOf(text) == ["contact.messenger"], "\(text)")
        }
        for text in ["mi numero es seis cero cero uno dos tres cuatro cinco seis", "ruf an: null eins fünf eins zwei drei vier fünf sechs sieben",
                     "appelle le zero six un deux trois quatre cinq six sept", "numara sifir bes uc iki bir iki uc dort bes"] {
            #expect(rulesOf(text) == ["contact.phone"], "\(text)")
        }
        for text in ["dos espadas y tres escudos por favor", "ich habe zwei von drei bekommen", "j'ai reçu deux sur trois"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
        for text in ["eres un idiota", "du Arschloch", "t'es un connard", "sei uno stronzo", "ty kurwa", "sen aptal misin"] {
            #expect(rulesOf(text) == ["harassment"], "\(text)")
        }
        for text in ["la plataforma dice que está entregado", "a plataforma mostra o pedido", "die Plattform zeigt 2 von 2"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
    }

    @Test("gift cards as payment and paying on the side are caught; gift cards as the traded item pass")
    func giftCardsAndSidePayments() {
        for text in ["pay me in amazon gift cards", "can you pay with google play cards?", "i do itunes cards",
                     "pay me personally and i add 5% off", "5% discount if you pay me on the side", "cheaper if you pay me outside"] {
            #expect(rulesOf(text) == ["payment.offplatform"], "\(text)")
        }
        for text in ["I ordered a 25 EUR steam gift card", "the gift card code arrived, thanks", "is the giftcard region EU?",
                     "I paid for 2 gift cards on the site"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
    }

    @Test("leetspeak folds in the letter view but digits stay digits")
    func leetTwoViews() {
        #expect(baseString("D1sc0rd 1500") == "d1sc0rd 1500")
        #expect(skeletons("D1sc0rd 1500 $12.50 20k") == ["discord", "1500", "12", "50", "2ok"])
        #expect(skeletons("k!ll sc@mmer a$$hole") == ["kiii", "scammer", "asshoie"])
        #expect(skeletons("@seller idiot!") == ["seiier", "idiot"])
    }

    @Test("separators between single letters collapse into one word")
    func separatorsCollapse() {
        for text in ["d i s c o r d", "d.i.s.c.o.r.d", "d-i-s-c-o-r-d", "d*i*s*c*o*r*d", "dis.cord", "whats app me"] {
            #expect(rulesOf(text) == ["contact.messenger"], "\(text)")
        }
        #expect(verdictOf("a b c d e are the options") == .delivered)
    }

    @Test("e-mail separators [at], (at), dot and spaced letters collapse in the address view")
    func addressView() {
        let view = AddressView(Array("j o h n [at] g m a i l dot c o m".utf8), folding: builtInPolicy.compiled.folding)
        let kinds = view.items.map(\.kind)
        #expect(kinds == [.word, .at, .word, .dotWord, .word])
        let words = view.items.filter { $0.kind == .word }.map {
            String(decoding: view.text[Int($0.start)..<Int($0.end)], as: UTF8.self)
        }
        #expect(words == ["john", "gmail", "com"])
        // Words are hashed folded: `gma1l` is `gmail`, `d0t` is `dot`.
        let folded = AddressView(Array("bob at gma1l d0t com".utf8), folding: builtInPolicy.compiled.folding)
        let plain = AddressView(Array("bob at gmail dot com".utf8), folding: builtInPolicy.compiled.folding)
        #expect(folded.items.map(\.kind) == [.word, .atWord, .word, .dotWord, .word])
        #expect(folded.items.map(\.hash) == plain.items.map(\.hash))
    }

    @Test("spelled-out digits become digits for phone detection only")
    func spelledDigits() {
        #expect(rulesOf("five five five one two three four five six") == ["contact.phone"])
        #expect(rulesOf("4one5 five5five 0one3two") == ["contact.phone"])
        #expect(verdictOf("one two three, testing") == .delivered)
        #expect(verdictOf("I have one account and two boosts") == .delivered)
    }
}

// MARK: - Rules

@Suite("Moderation: each rule, positive and negative")
struct ModerationRuleTests {
    @Test("contact.email catches plain and obfuscated addresses only")
    func email() {
        for text in ["mail me: john.smith@gmail.com", "john [at] gmail dot com", "j o h n @ g m a i l . c o m",
                     "john(at)outlook(dot)com", "write to mike_99 at gmail", "ｊｏｈｎ＠ｇｍａｉｌ．ｃｏｍ"] {
            #expect(rulesOf(text) == ["contact.email"], "\(text)")
        }
        for text in ["meet at 5pm", "look at the listing", "price @ 12.50 each", "add @seller in game"] {
            #expect(!rulesOf(text).contains("contact.email"), "\(text)")
        }
    }

    @Test("contact.phone needs phone formatting or context, not just many digits")
    func phone() {
        for text in ["call me +1 415 555 0132", "0049-151-2345678", "415-555-0132", "(415) 555-0132",
                     "my number is 4155550132", "4 1 5 5 5 5 0 1 3 2", "06 12 34 56 78"] {
            #expect(rulesOf(text) == ["contact.phone"], "\(text)")
        }
        for text in ["order #123456789", "order number 123456789", "trade id 4829173650", "500000000 silver",
                     "it's 2024-05-12 18:30", "12:30-14:00", "prices 12.50 13.00 14.00 15.50",
                     "I have 100 200 300 400 gold", "5 5 5 gold", "steam id 76561198012345678",
                     "runes 999,999,999"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
    }

    @Test("contact.link catches URLs, bare domains and invite links, also with 'dot'")
    func link() {
        for text in ["discord.gg/abc", "t.me/x", "wa.me/4915123", "https://example.org/x", "www.cheap.shop",
                     "cheapgold.com", "discord dot gg slash abc", "t . me / goldshop", "discord[.]gg/abc",
                     "http://192.168.0.1:8080"] {
            #expect(rulesOf(text).contains("contact.link"), "\(text)")
        }
        for text in ["patch 3.24", "version 1.2.3", "ok.thanks", "gg wp", "see ordertimeline.example/help",
                     "3.5M gold"] {
            #expect(!rulesOf(text).contains("contact.link"), "\(text)")
        }
    }

    @Test("contact.messenger: evasive spellings always, plain names only with a contact cue")
    func messenger() {
        for text in ["add me on discord", "d1sc0rd", "disc0rd: name#1234", "add me on telegram @seller",
                     "ｄｉｓｃｏｒｄ", "dis\u{200B}cord", "dіscord", "whats app me", "my discord is x_1",
                     "hmu on snap: fastgold", "add me on signal", "let's continue outside the site"] {
            #expect(rulesOf(text) == ["contact.messenger"], "\(text)")
        }
        for text in ["the game's official discord announced the patch", "bought discord nitro, code fails",
                     "my signal is weak", "insta buy at 15.00", "I got dc'd", "add me on steam for the trade offer"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
    }

    @Test("payment.offplatform: a method with a direction, or a fee-dodging phrase")
    func payment() {
        for text in ["pay me via paypal friends and family", "send it on cashapp", "venmo", "usdt wallet directly",
                     "skip the site fee pay direct", "do you take paypal?", "p a y p a l f&f"] {
            #expect(rulesOf(text) == ["payment.offplatform"], "\(text)")
        }
        for text in ["I'll pay when it arrives", "the cash shop item", "I paid with paypal on the site",
                     "can I pay with paypal at checkout?", "my bank sent an alert"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
    }

    @Test("harassment: insults, threats, and insults aimed at 'you'")
    func harassment() {
        for text in ["you idiot", "moron", "kill yourself", "kys", "k y s", "you scammer piece of shit",
                     "you're a fucking scammer", "f*ck you", "1d10t", "u r dumb", "you are useless"] {
            #expect(rulesOf(text) == ["harassment"], "\(text)")
        }
        for text in ["you sent a useless item", "thank you, useless rolls happen", "this boss is stupid hard",
                     "kill the boss yourself", "the bastard sword +9", "is this a scam?", "you scammed me?"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
    }

    @Test("pressure.close_dispute flags asking the other party to close it, not 'I will close it'")
    func pressure() {
        for text in ["just close the dispute", "close the case first then I send", "cancel the dispute or else",
                     "remove the dispute and i'll deliver", "can you withdraw your claim?"] {
            #expect(builtInPolicy.moderate(text) == ModerationVerdict(verdict: .flagged, rules: ["pressure.close_dispute"]),
                    "\(text)")
        }
        for text in ["I will close the dispute once it arrives", "how do I close the dispute?",
                     "the dispute will close automatically", "remove the case from my listing",
                     "I won't close the dispute yet", "I want to cancel the order"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
    }

    @Test("spam.length hides text longer than maxVisibleChars Unicode scalars")
    func length() {
        #expect(verdictOf(String(repeating: "a", count: 1500)) == .delivered)
        #expect(rulesOf(String(repeating: "a", count: 1501)) == ["spam.length"])
        #expect(verdictOf(String(repeating: "é", count: 1500)) == .delivered)
        #expect(verdictOf(String(repeating: "é", count: 1501)) == .hidden)
        #expect(verdictOf(String(repeating: "\u{200B}", count: 1500)) == .delivered)  // 4500 UTF-8 bytes
        var strict = builtInPolicy
        strict.maxVisibleChars = 10
        #expect(strict.moderate("twelve chars").verdict == .hidden)
    }

    @Test("pathological 10 000-character inputs finish and are judged")
    func pathological() {
        let start = Date()
        #expect(rulesOf(String(repeating: "*", count: 10_000)) == ["spam.length"])
        #expect(rulesOf(String(repeating: "a*", count: 5_000)) == ["spam.length"])
        #expect(rulesOf(String(repeating: "ll ", count: 3_000)) == ["spam.length"])
        #expect(rulesOf(String(repeating: "1 ", count: 5_000)) == ["spam.length"])
        #expect(rulesOf(String(repeating: "d i s c o r d ", count: 700)) == ["contact.messenger", "spam.length"])
        #expect(rulesOf(String(repeating: "ｄ\u{200B}і", count: 3_000)) == ["spam.length"])
        #expect(rulesOf(String(repeating: "my order number is 123456789 ", count: 360)) == ["spam.length"])
        #expect(rulesOf(String(repeating: "c a l l 5551234567 ", count: 600)) == ["contact.phone", "spam.length"])
        #expect(Date().timeIntervalSince(start) < 30)
    }

    @Test("precedence is filtered > hidden > flagged, and rules are sorted and unique")
    func precedence() {
        let long = "just close the dispute, you idiot, add me on discord " + String(repeating: "x", count: 1500)
        let result = builtInPolicy.moderate(long)
        #expect(result.verdict == .filtered)
        #expect(result.rules == ["contact.messenger", "harassment", "pressure.close_dispute", "spam.length"])
        #expect(builtInPolicy.moderate("just close the dispute " + String(repeating: "x", count: 1500)).verdict == .hidden)
        #expect(builtInPolicy.moderate("hello") == ModerationVerdict(verdict: .delivered, rules: []))
    }
}

// MARK: - Folded context words, numbers introduced as ids, platform names, invite links

@Suite("Moderation: every word list is matched folded, ids and platform names pass")
struct ModerationFoldingTests {
    @Test("phone context words count in leetspeak, split or spelled with separators")
    func foldedPhoneContext() {
        for text in ["ph0ne: 5551234567", "my numb3r is 5551234567", "c4ll me 5551234567", "t3xt me 5551234567",
                     "c.a.l.l me 5551234567", "my n u m b e r is 5551234567", "phone: 5551234567",
                     "call me 5551234567", "my phone is 5551234567"] {
            #expect(rulesOf(text) == ["contact.phone"], "\(text)")
        }
    }

    @Test("mail providers and 'dot' count in leetspeak")
    func foldedMailDomain() {
        for text in ["bob at gma1l dot com", "bob at gmail d0t com", "bob@gma1l.c0m", "bob [at] 0utlook dot com"] {
            #expect(rulesOf(text) == ["contact.email"], "\(text)")
        }
        for text in ["meet at 5pm", "look at g4me.exe", "bob at g4me"] {
            #expect(!rulesOf(text).contains("contact.email"), "\(text)")
        }
    }

    @Test("a number introduced as an order, tracking, invoice or reference number is not a phone number")
    func idNumbersWithFillers() {
        for text in ["my order number is 1234567890", "your order number is 1234567890",
                     "the tracking number is 1234567890", "invoice number is 1234567890", "order number 1234567890",
                     "the transaction id was 1234567890", "my order's number is 1234567890",
                     "reference number: 1234567890", "0rder number is 1234567890", "o r d e r number is 1234567890"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
        // Fillers do not reach across a clause, nor past two other words.
        for text in ["add my account, my number is 5551234567", "order arrived, call me 5551234567",
                     "the order is late so call my cell 5551234567", "my number is 5551234567"] {
            #expect(rulesOf(text) == ["contact.phone"], "\(text)")
        }
    }

    @Test("game platforms named by their domain are names, not links, unless a path follows")
    func platformNames() {
        for text in ["I play on Battle.net", "log in to Battle.net and accept the gift",
                     "the item is on my Battle.net account", "my Battle.net tag is Bob#1234",
                     "I play on Battle.net.", "key for GOG.com", "it's on itch.io", "EU.Battle.net is down"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
        for text in ["battle.net/shop/gift", "https://battle.net", "www.battle.net", "discord.gg/abc", "t.me/bob",
                     "cheapgold.com", "battle.net.cheapgold.com", "check cheapgold.com for 20% off"] {
            #expect(rulesOf(text).contains("contact.link"), "\(text)")
        }
    }

    @Test("Instagram and WhatsApp short links are links without a scheme too")
    func inviteLinks() {
        for text in ["ig.me/m/bob", "https://ig.me/m/bobtrades", "wa.link/abc123", "wa dot link slash abc123"] {
            #expect(rulesOf(text).contains("contact.link"), "\(text)")
        }
    }

    @Test("a domain list entry that is not a domain is a config error naming its path")
    func badDomainEntry() {
        let json = ModerationConfigTests.minimal.replacingOccurrences(
            of: "{\"kind\": \"phrases\", \"phrases\": [\"gold seller\"]}",
            with: "{\"kind\": \"link\", \"domains\": [\"discord.gg\"], \"tlds\": [\"com\"], \"bareNames\": [\"battle\"]}")
        do {
            _ = try ModerationPolicy(configJSON: Array(json.utf8))
            Issue.record("a bare name without a dot was accepted")
        } catch {
            #expect(error.message.contains("rules[0].match[0].bareNames[0]"), "\(error.message)")
        }
    }
}

// MARK: - Configuration

@Suite("Moderation: configuration loading")
struct ModerationConfigTests {
    static let minimal = """
    {"version": 1, "normalization": {"confusables": {}, "leet": {"0": "o"}, "skeleton": {}, "digitWords": {},
     "zeroWords": [], "joinSeparators": " .", "minJoinLength": 5},
     "rules": [{"name": "bad.word", "verdict": "filtered", "match": [{"kind": "phrases", "phrases": ["gold seller"]}]}]}
    """

    private func load(_ json: String) throws(ModerationConfigError) -> ModerationPolicy {
        try ModerationPolicy(configJSON: Array(json.utf8))
    }

    private func error(_ json: String) -> ModerationConfigError? {
        do {
            _ = try load(json)
            return nil
        } catch {
            return error
        }
    }

    @Test("a valid minimal config loads with defaults and matches")
    func valid() throws {
        let loaded = try load(Self.minimal)
        #expect(loaded.ruleCount == 1)
        #expect(loaded.maxVisibleChars == 1500)
        #expect(loaded.flagAfterFiltered == 3)
        #expect(loaded.moderate("G0LD SELLER here").verdict == .filtered)
        #expect(loaded.moderate("gold for sale").verdict == .delivered)
    }

    @Test("a clause's \"list:NAME\" entry stands for a shared word list; an undefined one is an error naming its path")
    func sharedWordLists() throws {
        let shared = Self.minimal
            .replacingOccurrences(of: "{\"version\": 1,", with: "{\"version\": 1, \"wordLists\": {\"sellers\": [\"gold seller\", \"coin shop\"]},")
            .replacingOccurrences(of: "\"phrases\": [\"gold seller\"]", with: "\"phrases\": [\"list:sellers\", \"boost service\"]")
        let loaded = try load(shared)
        for text in ["G0LD SELLER here", "best coin shop", "cheap boost service"] {
            #expect(loaded.moderate(text).verdict == .filtered, "\(text)")
        }
        #expect(loaded.moderate("gold for sale").verdict == .delivered)
        let undefined = Self.minimal.replacingOccurrences(of: "\"phrases\": [\"gold seller\"]", with: "\"phrases\": [\"list:nope\"]")
        let message = error(undefined)?.message ?? ""
        #expect(message.contains("rules[0].match[0].phrases") && message.contains("nope"), "\(message)")
    }

    @Test("the shipped config loads with every rule")
    func shipped() throws {
        let bytes = try [UInt8](Data(contentsOf: ModerationFiles.config))
        let loaded = try ModerationPolicy(configJSON: bytes)
        #expect(loaded.ruleCount == 8)
        #expect(loaded.maxVisibleChars == 1500)
        #expect(loaded.flagAfterFiltered == 3)
    }

    @Test("the built-in builtInPolicy equals the one loaded from config/moderation.json")
    func builtInMatchesFile() throws {
        let bytes = try [UInt8](Data(contentsOf: ModerationFiles.config))
        let loaded = try ModerationPolicy(configJSON: bytes)
        #expect(loaded.config == ModerationPolicy.builtIn.config)
        #expect(loaded.ruleCount == ModerationPolicy.builtIn.ruleCount)
        #expect(BuiltInModerationConfig.json == String(decoding: bytes, as: UTF8.self)
            .trimmingCharacters(in: .newlines))
    }

    @Test("invalid JSON is reported as a syntax problem")
    func invalidJSON() {
        let failure = error("{\"version\": 1, ")
        #expect(failure?.message.contains("not valid JSON") == true, "\(String(describing: failure))")
    }

    @Test("a missing field names its path")
    func missingField() {
        let failure = error(Self.minimal.replacingOccurrences(of: "\"name\": \"bad.word\", ", with: ""))
        #expect(failure?.message.contains("missing the required field 'rules[0].name'") == true,
                "\(String(describing: failure))")
        let noRules = error("{\"version\": 1, \"normalization\": {}}")
        #expect(noRules?.message.contains("missing the required field") == true, "\(String(describing: noRules))")
    }

    @Test("an unknown verdict lists the allowed ones")
    func unknownVerdict() {
        let failure = error(Self.minimal.replacingOccurrences(of: "\"filtered\"", with: "\"banned\""))
        #expect(failure?.message.contains("rules[0].verdict' must be one of delivered, flagged, filtered, hidden") == true,
                "\(String(describing: failure))")
    }

    @Test("semantic errors: version, duplicate names, empty lists, unmatchable words")
    func semanticErrors() {
        let version = error(Self.minimal.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 2"))
        #expect(version?.message.contains("reads version 1") == true)
        let empty = error(Self.minimal.replacingOccurrences(of: "[\"gold seller\"]", with: "[]"))
        #expect(empty?.message.contains("needs a non-empty 'phrases' list") == true, "\(String(describing: empty))")
        let unmatchable = error(Self.minimal.replacingOccurrences(of: "[\"gold seller\"]", with: "[\"!!!\"]"))
        #expect(unmatchable?.message.contains("rules[0].match[0].phrases[0]") == true,
                "\(String(describing: unmatchable))")
        let duplicate = error(Self.minimal.replacingOccurrences(
            of: "\"rules\": [", with: "\"rules\": [{\"name\": \"bad.word\", \"verdict\": \"flagged\", \"match\": [{\"kind\": \"length\"}]}, "))
        #expect(duplicate?.message.contains("appears twice") == true, "\(String(describing: duplicate))")
        let deliveredRule = error(Self.minimal.replacingOccurrences(of: "\"filtered\"", with: "\"delivered\""))
        #expect(deliveredRule?.message.contains("rules[0].verdict' of rule \"bad.word\" is 'delivered'") == true,
                "\(String(describing: deliveredRule))")
        let wrongType = error(Self.minimal.replacingOccurrences(of: "\"minJoinLength\": 5", with: "\"minJoinLength\": \"5\""))
        #expect(wrongType?.message.contains("normalization.minJoinLength' has the wrong type") == true,
                "\(String(describing: wrongType))")
    }
}

// MARK: - Corpus

/// One labelled line of `Tests/Fixtures/moderation-corpus.jsonl`.
struct ModerationCorpusLine: Decodable {
    var text: String
    var expected: ModerationVerdictKind
    var note: String
    var `repeat`: Int?

    var fullText: String { String(repeating: text, count: self.repeat ?? 1) }
}

@Suite("Moderation: labelled corpus")
struct ModerationCorpusTests {
    static func loadCorpus() throws -> [ModerationCorpusLine] {
        let content = try String(contentsOf: ModerationFiles.corpus, encoding: .utf8)
        let decoder = JSONDecoder()
        return try content.split(separator: "\n").map { try decoder.decode(ModerationCorpusLine.self, from: Data($0.utf8)) }
    }

    @Test("the corpus is big and varied enough")
    func corpusShape() throws {
        let corpus = try Self.loadCorpus()
        #expect(corpus.count >= 320)
        let delivered = corpus.filter { $0.expected == .delivered }
        #expect(delivered.count * 2 >= corpus.count)
        for kind in ModerationVerdictKind.allCases {
            #expect(corpus.contains { $0.expected == kind }, "no \(kind) example")
        }
    }

    @Test("precision and recall of 'filtered' and the overall agreement meet the bar")
    func corpusQuality() throws {
        let corpus = try Self.loadCorpus()
        var confusion: [ModerationVerdictKind: [ModerationVerdictKind: Int]] = [:]
        var mismatches: [String] = []
        for line in corpus {
            let actual = builtInPolicy.moderate(line.fullText)
            confusion[line.expected, default: [:]][actual.verdict, default: 0] += 1
            if actual.verdict != line.expected {
                mismatches.append("expected \(line.expected.rawValue), got \(actual.verdict.rawValue) \(actual.rules): "
                    + "\(line.text.prefix(80)) (\(line.note))")
            }
        }
        func count(_ expected: ModerationVerdictKind, _ actual: ModerationVerdictKind) -> Int {
            confusion[expected]?[actual] ?? 0
        }
        let truePositives = count(.filtered, .filtered)
        let predicted = ModerationVerdictKind.allCases.reduce(0) { $0 + count($1, .filtered) }
        let actual = ModerationVerdictKind.allCases.reduce(0) { $0 + count(.filtered, $1) }
        let precision = predicted == 0 ? 0 : Double(truePositives) / Double(predicted)
        let recall = actual == 0 ? 0 : Double(truePositives) / Double(actual)
        let mismatchRate = Double(mismatches.count) / Double(corpus.count)

        print("moderation corpus: \(corpus.count) messages, \(mismatches.count) mismatches "
            + String(format: "(%.2f%%)", mismatchRate * 100))
        print(String(format: "filtered: precision %.4f (%d/%d), recall %.4f (%d/%d)",
                     precision, truePositives, predicted, recall, truePositives, actual))
        print("confusion (rows expected, columns actual): " + ModerationVerdictKind.allCases.map(\.rawValue).joined(separator: " "))
        for expected in ModerationVerdictKind.allCases {
            let row = ModerationVerdictKind.allCases.map { String(count(expected, $0)) }.joined(separator: " ")
            print("  \(expected.rawValue): \(row)")
        }
        for mismatch in mismatches { print("  mismatch: \(mismatch)") }

        #expect(precision >= 0.98, "filtered precision \(precision) below 0.98")
        #expect(recall >= 0.95, "filtered recall \(recall) below 0.95")
        #expect(mismatchRate <= 0.02, "\(mismatches.count) of \(corpus.count) verdicts disagree with the labels")
    }
}

@Suite("Moderation: explain gives the verdict of moderate and its reasons")
struct ModerationExplainTests {
    @Test("the same verdict as moderate, one match per matched rule naming its clause kind, and the text as the clauses saw it", arguments: [
        "see you tomorrow", "call me +49 170 1234567", "add me on d1sc0rd", "my email is bob at gmail dot com",
        "\u{202E}drocsid\u{202C} me", "pay 0.1 BTC to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    ])
    func explainMatchesModerate(text: String) {
        let e = builtInPolicy.explain(text)
        #expect(e.verdict == builtInPolicy.moderate(text))
        #expect(e.matches.map(\.rule).sorted() == e.verdict.rules)
        #expect(e.matches.allSatisfy { !$0.clause.isEmpty })
        if text.hasPrefix("\u{202E}") { #expect(e.normalized.contains("discord"), "bidi resolved: \(e.normalized)") }
        if text.contains("+49") { #expect(e.matches.contains { $0.clause == "phone" }) }
    }
}

// MARK: - Breadth: cases from the black-box probe

@Suite("Moderation: breadth — ordinary chat passes, obvious contacts, threats and pressure are caught")
struct ModerationBreadthTests {
    @Test("messenger names that are ordinary words or slang need a strong cue")
    func ambiguousMessengerNames() {
        for text in ["can we chat here? my item hasn't arrived", "sorry for my dc, add me back to the group",
                     "my dc was because of lag, ping me when ready", "add me to your session",
                     "I'll use my tele, add me to party", "I'm on line 3 of the quest, message me when done",
                     "my disc is scratched, can you message support?", "can we chat about my order",
                     "I use line 2 in the dungeon, add me later"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
        for text in ["add me on signal", "hmu on snap: fastgold", "ig @goldguy", "tg @gold_guy",
                     "my insta is gold_guy99", "add me on line: bob123", "add me on we chat", "whats app me"] {
            #expect(rulesOf(text) == ["contact.messenger"], "\(text)")
        }
    }

    @Test("a handle given after the name, or a search for it, is a contact")
    func handles() {
        for text in ["I'm on telegram as goldguy", "search goldguy on telegram", "on discord I'm goldguy"] {
            #expect(rulesOf(text) == ["contact.messenger"], "\(text)")
        }
        for text in ["telegram as a messenger is blocked in my country", "ig is great for screenshots",
                     "line 2 is bugged, use line_3 instead", "I'm on session 2 of the raid"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
    }

    @Test("round quantities in thousands groups are not phone numbers")
    func thousandsGroups() {
        for text in ["1 000 000 000 gold +100 000 000 bonus", "I'll send 500 000 000 + 500 000 000 gold",
                     "ok, call it 20 EUR for 1 000 000 000 gold", "the total number is 1 500 000 000 gold",
                     "what number do you want? 1 000 000 000 or 2 000 000 000?", "10.000.000.000 silver",
                     "I have 500000000 gold, call me when ready", "level 1/2 done, 1000/2000 hp",
                     "dates 12/05/2024 and 13/05/2024"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
        for text in ["call me +1 415 555 0132", "call me +34 612 345 678"] {
            #expect(rulesOf(text) == ["contact.phone"], "\(text)")
        }
    }

    @Test("a phone number with the context word after it, or written with a slash, is caught")
    func phoneContextAfterAndSlash() {
        for text in ["4155550132 is my number", "4155550132 call me", "tel.: 0151/2345678",
                     "my number is 0151/2345 678"] {
            #expect(rulesOf(text) == ["contact.phone"], "\(text)")
        }
        #expect(verdictOf("order 4155550132 is my number") == .delivered)
    }

    @Test("browser games named by their .io domain are names; with a path or scheme they are links")
    func ioGames() {
        for text in ["selling Agar.io account", "Krunker.io skins for sale", "I play slither.io a lot"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
        for text in ["cheapgold.io/shop", "https://agar.io", "www.agar.io", "shop.cheapgold.io"] {
            #expect(rulesOf(text).contains("contact.link"), "\(text)")
        }
    }

    @Test("the word 'at' does not switch link detection off")
    func linksAfterAt() {
        for text in ["join at t.me/goldguy", "at discord.gg/abc", "I'm at instagram.com/goldguy",
                     "available at bit.ly/abc123", "better prices at www.goldshop.net", "contact me at goldguy.com",
                     "buy cheaper at cheapgold.com"] {
            #expect(rulesOf(text).contains("contact.link"), "\(text)")
        }
        for text in ["meet at 5pm", "look at the listing", "price @ 12.50 each"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
    }

    @Test("e-mail: any alphabetic TLD after a tight @, and 'at … dot tld' spelled out")
    func emails() {
        for text in ["bob@trader.ai", "bob@site.pro", "bob AT example DOT org", "email me bob at example dot org",
                     "bob at mail dot ru"] {
            #expect(rulesOf(text) == ["contact.email"], "\(text)")
        }
        for text in ["add @seller in game", "price @ 12.50 each", "version@1.2"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
    }

    @Test("threats and insults a test author would write are filtered")
    func harassment() {
        for text in ["I will kill you", "i'll kill you", "I'll hunt you down", "I'm going to find you and hurt you",
                     "you're dead meat", "fck you", "fuk u", "f*** you", "fuckoff", "you cretin", "get lost loser",
                     "are you stupid?", "stupid seller", "go to hell", "you can go to hell"] {
            #expect(rulesOf(text) == ["harassment"], "\(text)")
        }
        for text in ["we go to hell difficulty after nightmare", "the boss will kill you in one hit",
                     "I'll find you a better price", "this boss can kill you fast", "are you a scammer?",
                     "get lost in the maze and you find the chest", "sorry if I hurt you",
                     "are you done? stupid boss mechanics", "I'm gonna end you in the arena lol"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
    }

    @Test("payment outside the platform: bank transfer, crypto, P2P apps with a direction")
    func payment() {
        for text in ["can you pay by bank transfer?", "i can do bank transfer", "bank transfer is fine for me",
                     "usdt trc20 only", "bitcoin only", "can you pay with crypto?", "revolut me the money",
                     "skrill me", "i'll give you 10% off if you pay by paypal", "iban DE89370400440532013000"] {
            #expect(rulesOf(text) == ["payment.offplatform"], "\(text)")
        }
        for text in ["do you like crypto games?", "we do quests for crypto coins in game", "payment in gold only",
                     "crypto is too volatile for me", "bitcoin price went up today",
                     "can I pay with paypal at checkout?"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
    }

    @Test("pressure to close a dispute is flagged; asking how to close it is not")
    func pressure() {
        for text in ["no gold until the dispute is closed", "why did you open a dispute? close it now",
                     "mark the dispute as resolved and I'll send the rest"] {
            #expect(builtInPolicy.moderate(text) == ModerationVerdict(verdict: .flagged, rules: ["pressure.close_dispute"]),
                    "\(text)")
        }
        for text in ["where do I click to close the dispute?", "the button to close the dispute is greyed out",
                     "end of season claim rewards are great", "how do I mark the dispute as resolved?",
                     "I will close it once it arrives, the dispute is fine"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
    }

    @Test("look-alikes outside the old table and Greek letters with diacritics fold")
    func confusables() {
        #expect(rulesOf("add me on disϲord") == ["contact.messenger"])
        #expect(rulesOf("ϲashapp me") == ["payment.offplatform"])
        #expect(rulesOf("ѵenmo me") == ["payment.offplatform"])
        #expect(rulesOf("ἰdiot") == ["harassment"])
        #expect(baseString("Ἰ ά ӓ") == "i a a")
    }
}
