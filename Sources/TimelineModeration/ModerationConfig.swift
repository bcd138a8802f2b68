import TimelineModel
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
