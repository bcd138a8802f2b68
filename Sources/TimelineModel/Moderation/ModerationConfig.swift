import Foundation

// MARK: - The JSON model of config/moderation.json
//
// These types mirror the file one to one (see docs/MODERATION.md). They are
// decoded with JSONDecoder, which is fine: a policy is loaded at start-up and
// on reload, never per message. `CompiledModeration` turns them into matchers.

/// The decoded content of `config/moderation.json`, before compilation.
struct ModerationConfig: Codable, Equatable, Sendable {
    /// The format version; this code reads version 1.
    var version: Int
    /// Messages longer than this many Unicode scalars are hidden as spam (default 1500).
    var maxVisibleChars: Int?
    /// Filtered messages from one user on one order before `moderation.flagged` (default 3).
    var flagAfterFiltered: Int?
    /// Days after a `filtered`/`hidden` verdict during which its author may appeal it (default 183: EU DSA Art. 20 asks for at least six months).
    var appealWindowDays: Int?
    /// Word lists that several clauses share, by name: a clause's list entry
    /// `"list:NAME"` stands for every word of `wordLists[NAME]` (expanded on decoding).
    var wordLists: [String: [String]]?
    /// The folding tables used to normalise text and word lists alike.
    var normalization: ModerationNormalizationConfig
    /// Words that turn a match into a warning or a refusal (`don't`, `never`,
    /// `scam`), for clauses marked `negatable`.
    var negation: ModerationNegationConfig?
    /// The rules, each a name, a verdict and the clauses that make it match.
    var rules: [ModerationRuleConfig]
}

/// The `normalization` section: how text is folded before matching.
struct ModerationNormalizationConfig: Codable, Equatable, Sendable {
    /// One non-ASCII scalar (a Cyrillic/Greek look-alike, a typographic quote) to ASCII text.
    var confusables: [String: String]
    /// One ASCII digit or symbol to the letter it stands for in leetspeak (`"0": "o"`).
    var leet: [String: String]
    /// Letters treated as one in word matching (`"l": "i"`, so `1`, `l`, `i`, `|` and `!` meet).
    var skeleton: [String: String]
    /// Number words read by the phone detector: digits (`"five": "5"`), teens,
    /// tens and hundreds (`"treinta": "30"`, `"pięćset": "500"`); see ``SpokenNumber``.
    var digitWords: [String: String]
    /// Words that make the next digit count several times (`"double": 2`).
    var repeatWords: [String: Int]?
    /// Words that join number words (`y` in `treinta y cuatro`, `und` in `vierundzwanzig`).
    var numberConnectors: [String]?
    /// Words read as `0` only inside a run of digits (`oh`, `o`).
    var zeroWords: [String]
    /// Characters that may separate the pieces of a split word (`d.i.s.c.o.r.d`).
    var joinSeparators: String
    /// Shortest word (in letters) that may match when written as several multi-letter pieces.
    var minJoinLength: Int
    /// Words that stand for `@` in a spelled-out address (`at`, `arroba`, `punkt`…); default `["at"]`.
    var atWords: [String]?
    /// Words that stand for `.` in a spelled-out address; default `["dot"]`.
    var dotWords: [String]?
}

/// The `negation` section: what makes a `negatable` clause's match a warning
/// or a refusal instead (`don't pay outside the site`, `I never use Telegram`,
/// `people asking for Discord are scammers`).
struct ModerationNegationConfig: Codable, Equatable, Sendable {
    /// Negations: a match at most `window` words after one, in the same clause, does not count.
    var words: [String]
    /// Phrases that contain a negation but invite (`why don't you`, `don't you have`):
    /// a negation inside one of them does not negate.
    var except: [String]?
    /// Warning words (`scam`, `scammer`, `fraud`): a match within `window` words of one,
    /// before or after, in the same clause, does not count.
    var warnings: [String]?
    /// The most words between a negation or warning and the match (default 3).
    var window: Int?
}

/// One rule: a name reported in verdicts, the verdict it gives, and its clauses.
struct ModerationRuleConfig: Codable, Equatable, Sendable {
    /// The reported name, e.g. `contact.email`; unique within the file.
    var name: String
    /// The verdict given when any clause matches.
    var verdict: ModerationVerdictKind
    /// A sentence for people reading the file; ignored by the matcher.
    var description: String?
    /// The clauses; the rule matches when any one of them matches.
    var match: [ModerationClauseConfig]
}

/// The kinds of clause a rule can use.
enum ModerationClauseKind: String, Codable, Equatable, Sendable, CaseIterable {
    /// The message is longer than `maxVisibleChars` Unicode scalars.
    case length
    /// An e-mail address, plain or obfuscated (`[at]`, `dot`, spaced letters).
    case email
    /// A phone number, in digits and/or spelled-out digits.
    case phone
    /// A URL, a bare domain, or a known invite/short-link domain.
    case link
    /// A messenger name used as a contact channel.
    case messenger
    /// Any listed word or phrase, optionally only with a cue word elsewhere in the message.
    case phrases
    /// A word from `first` followed (or preceded) by one from `second` within `maxGap` words.
    case near
    /// A crypto wallet address, by format and checksum (``WalletDetector``).
    case wallet
}

/// One clause of a rule; which fields are required depends on `kind`.
struct ModerationClauseConfig: Codable, Equatable, Sendable {
    var kind: ModerationClauseKind
    /// The clause's matches do not count after a negation or near a warning (see ``ModerationNegationConfig``).
    var negatable: Bool?
    // phrases
    var phrases: [String]?
    var requireAny: [String]?
    // near
    var first: [String]?
    var second: [String]?
    var maxGap: Int?
    var anyOrder: Bool?
    var withinClause: Bool?
    var gapWords: [String]?
    var notAfter: [String]?
    var skipBefore: [String]?
    // messenger (also: contextWords)
    var names: [String]?
    var ambiguousNames: [String]?
    var prepositions: [String]?
    var possessives: [String]?
    var contextAfter: [String]?
    var unlessNear: [String]?
    var window: Int?
    var substringMinLength: Int?
    // email and link
    var providers: [String]?
    var tlds: [String]?
    var domains: [String]?
    var allowedDomains: [String]?
    var bareNames: [String]?
    var bareNameTlds: [String]?
    // phone (also: contextWords, skipBefore); wallet: contextWords (for Solana keys)
    var minDigits: Int?
    var maxDigits: Int?
    var contextWords: [String]?
    var idWords: [String]?
}

// MARK: - Decoding with actionable errors

extension ModerationConfig {
    /// Decodes the file's bytes, turning every decoding failure into a sentence
    /// that names the offending JSON path.
    static func decode(_ bytes: [UInt8]) throws(ModerationConfigError) -> ModerationConfig {
        var config: ModerationConfig
        do {
            config = try JSONDecoder().decode(ModerationConfig.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw ModerationConfigError(message: Self.describe(error))
        } catch {
            throw ModerationConfigError(message: "The moderation config could not be read: \(error).")
        }
        try config.expandWordLists()
        return config
    }

    /// Renders a coding path as `rules[2].match[0].kind`.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var out = ""
        for key in codingPath {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return out.isEmpty ? "(top level)" : out
    }

    /// One sentence per kind of decoding failure.
    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return "The moderation config is missing the required field '\(field)'; add it (see docs/MODERATION.md for the format)."
        case .typeMismatch(let type, let context):
            return "The moderation config field '\(path(context.codingPath))' has the wrong type; expected \(typeName(type))."
        case .valueNotFound(let type, let context):
            return "The moderation config field '\(path(context.codingPath))' is null; expected \(typeName(type))."
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                let detail = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
                return "The moderation config is not valid JSON (\(detail ?? context.debugDescription)); fix the syntax."
            }
            let field = path(context.codingPath)
            if context.codingPath.last?.stringValue == "verdict" {
                let allowed = ModerationVerdictKind.allCases.map(\.rawValue).joined(separator: ", ")
                return "The moderation config field '\(field)' must be one of \(allowed)."
            }
            if context.codingPath.last?.stringValue == "kind" {
                let allowed = ModerationClauseKind.allCases.map(\.rawValue).joined(separator: ", ")
                return "The moderation config field '\(field)' must be one of \(allowed)."
            }
            return "The moderation config field '\(field)' is invalid: \(context.debugDescription)"
        @unknown default:
            return "The moderation config could not be decoded: \(error)."
        }
    }

    /// A reader-friendly name for the expected JSON type.
    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Bool.Type: "true or false"
        case is [String].Type: "a list of strings"
        case is [String: String].Type: "an object of strings"
        default: "\(type)"
        }
    }
}

// MARK: - Shared word lists

extension ModerationConfig {
    /// The prefix of a list entry that names a shared word list.
    static let listReferencePrefix = "list:"

    /// Every list field of a clause, which may hold `"list:NAME"` entries.
    static var clauseListFields: [(name: String, path: WritableKeyPath<ModerationClauseConfig, [String]?>)] {
        [
            ("phrases", \.phrases), ("requireAny", \.requireAny), ("first", \.first), ("second", \.second),
            ("gapWords", \.gapWords), ("notAfter", \.notAfter), ("skipBefore", \.skipBefore), ("names", \.names),
            ("ambiguousNames", \.ambiguousNames), ("prepositions", \.prepositions), ("possessives", \.possessives),
            ("contextAfter", \.contextAfter), ("unlessNear", \.unlessNear), ("providers", \.providers), ("tlds", \.tlds),
            ("domains", \.domains), ("allowedDomains", \.allowedDomains), ("bareNames", \.bareNames),
            ("bareNameTlds", \.bareNameTlds), ("contextWords", \.contextWords), ("idWords", \.idWords),
        ]
    }

    /// Replaces each `"list:NAME"` entry of every clause by the words of `wordLists[NAME]`.
    mutating func expandWordLists() throws(ModerationConfigError) {
        let lists = wordLists ?? [:]
        for r in rules.indices {
            for c in rules[r].match.indices {
                for field in Self.clauseListFields {
                    guard let words = rules[r].match[c][keyPath: field.path],
                          words.contains(where: { $0.hasPrefix(Self.listReferencePrefix) }) else { continue }
                    var expanded: [String] = []
                    for word in words {
                        guard word.hasPrefix(Self.listReferencePrefix) else { expanded.append(word); continue }
                        let name = String(word.dropFirst(Self.listReferencePrefix.count))
                        guard let list = lists[name] else {
                            throw ModerationConfigError(message: "rules[\(r)].match[\(c)].\(field.name) names the word list \"\(name)\", which wordLists does not define; add it there or list the words.")
                        }
                        expanded += list
                    }
                    rules[r].match[c][keyPath: field.path] = expanded
                }
            }
        }
    }
}
