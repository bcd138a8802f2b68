import Foundation
import Testing
@testable import TimelineModeration
import TimelineModel

// Moderation v2: warnings and refusals, the order's item as context, numbers
// spelled out in many languages, and the labelled corpus in Fixtures/moderation.

private let policy = ModerationPolicy.builtIn

private func verdictOf(_ text: String, item: String? = nil) -> ModerationVerdictKind {
    policy.moderate(text, itemTitle: item).verdict
}

private func rulesOf(_ text: String, item: String? = nil) -> [String] {
    policy.moderate(text, itemTitle: item).rules
}

@Suite("Moderation: warnings and refusals pass, invitations that only look negated do not")
struct ModerationNegationTests {
    @Test("a refusal or a warning about going off the platform is delivered")
    func refusalsPass() {
        for text in ["don't pay outside the site, that's a scam", "i don't use discord, let's keep it here",
                     "i never use telegram for trades, sorry", "i won't add you on whatsapp, everything stays in this chat",
                     "cuidado, pagar fuera de la página es una estafa", "no uso whatsapp para ventas, seguimos por aquí",
                     "nie płać poza stroną, to oszustwo", "не плати вне сайта, это развод", "我不用微信交易，就在这里聊",
                     "사이트 밖에서 결제하면 사기예요, 조심하세요", "site dışında ödeme dolandırıcılık, dikkat"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
    }

    @Test("a negation only reaches the words right after it, in its own clause")
    func negationScope() {
        for text in ["don't worry, add me on discord", "no problem, add me on telegram", "why don't you add me on discord",
                     "don't be shy. add me on whatsapp", "chama no zapzap, mesmo número", "it's not a scam, pay me outside the site",
                     "i never got the item, add me on discord instead"] {
            #expect(verdictOf(text) == .filtered, "\(text)")
        }
    }

    @Test("a negated contact in digits or a link is still a contact")
    func negationLeavesAddresses() {
        #expect(rulesOf("don't tell anyone: bob@gmail.com") == ["contact.email"])
        #expect(rulesOf("never mind, discord.gg/abc123") == ["contact.link"])
    }
}

@Suite("Moderation: the order's item title is context")
struct ModerationItemTitleTests {
    @Test("naming the traded item is not an invitation to a channel")
    func itemWordsPass() {
        #expect(verdictOf("sent the discord nitro gift, add it on your discord account", item: "Discord Nitro 1 Month") == .delivered)
        #expect(verdictOf("sent the discord nitro gift, add it on your discord account") == .filtered)
    }

    @Test("the title does not excuse a contact in another channel")
    func otherChannelsStillCaught() {
        #expect(verdictOf("add me on telegram: tradeguy77", item: "Discord Nitro 1 Month") == .filtered)
    }
}

@Suite("Moderation: phone numbers spelled out with tens, hundreds, compounds and repeat words")
struct ModerationSpokenNumberTests {
    @Test("numbers read aloud in thirteen languages' grammar are phone numbers")
    func spokenPhones() {
        for text in ["call oh seven seven double four, triple six, two one nine",
                     "seis uno dos, treinta y cuatro, cincuenta y seis, setenta y ocho",
                     "null eins fünf eins, vierundzwanzig, achtunddreißig, sechsundfünfzig, neunzig",
                     "zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit",
                     "pięćset dwanaście, trzysta czterdzieści pięć, sześćset siedemdziesiąt osiem",
                     "sıfır beş yüz otuz iki, yüz yirmi üç, kırk beş, altmış yedi",
                     "восемь девятьсот шестнадцать, сто двадцать три, сорок пять, шестьдесят семь",
                     "нуль дев'яносто сім, сто двадцять три, сорок п'ять, шістдесят сім",
                     "onze nove oito sete meia cinco, quatro três dois um", "공일공 일이삼사 오육칠팔"] {
            #expect(rulesOf(text) == ["contact.phone"], "\(text)")
        }
    }

    @Test("quantities, prices and times in words are not phone numbers")
    func spokenQuantitiesPass() {
        for text in ["i have twenty five swords and thirty shields", "three hundred gold for two skins, deal?",
                     "quinientos euros por las dos cuentas", "vierundzwanzig Stunden, dann kommt die Lieferung",
                     "deux cent cinquante pièces d'or", "сто двадцать монет за два меча", "二十个金币，三百块",
                     "double xp weekend, triple drop rate", "once you have it, close the order"] {
            #expect(verdictOf(text) == .delivered, "\(text)")
        }
    }

    @Test("a word with digits inside is not one")
    func digitsAreNotAppended() {
        #expect(verdictOf("my uid 一 is 12345678") == .delivered)
    }
}

// MARK: - The labelled corpus

/// `Tests/Fixtures/moderation/`: the development half and the held-out half.
enum ModerationCorpus {
    static let folder = ModerationFiles.testsFolder.appendingPathComponent("Fixtures/moderation")

    static func load(_ name: String) throws -> [LabelledMessage] {
        let bytes = try Data(contentsOf: folder.appendingPathComponent(name))
        return try LabelledMessage.parseLines(Array(bytes))
    }
}

@Suite("Moderation: the labelled corpus of 13+ languages")
struct ModerationLabelledCorpusTests {
    @Test("both halves are as large and varied as the issue asks")
    func shape() throws {
        let dev = try ModerationCorpus.load("dev.jsonl"), holdout = try ModerationCorpus.load("holdout.jsonl")
        let all = dev + holdout
        #expect(all.count >= 1_500)
        let languages = Dictionary(grouping: all, by: \.language).filter { $0.value.count >= 40 }
        #expect(languages.count >= 13, "\(languages.keys.sorted())")
        let honest = all.filter { $0.expected == .delivered && $0.category.hasPrefix("honest.") }
        #expect(Double(honest.count) >= 0.4 * Double(all.count))
        #expect(Set(dev.map(\.text)).isDisjoint(with: holdout.map(\.text)))
    }

    /// The floors sit just below what was measured (docs/MODERATION.md lists the
    /// figures); a change that loses precision or recall fails here.
    @Test("each half keeps its precision and recall", arguments: [
        ("dev.jsonl", 0.99, 0.96), ("dev2.jsonl", 0.99, 0.97), ("holdout.jsonl", 0.95, 0.78),
    ])
    func figures(name: String, minPrecision: Double, minRecall: Double) throws {
        let evaluation = ModerationEvaluation(policy: policy, corpus: try ModerationCorpus.load(name))
        #expect(evaluation.filteredPrecision >= minPrecision, "\(name): \(evaluation.report(listMisses: false))")
        #expect(evaluation.filteredRecall >= minRecall, "\(name): \(evaluation.report(listMisses: false))")
        #expect(evaluation.hiddenRecall >= 0.95)
    }
}
