// MARK: - Statements of reasons (EU DSA Art. 17) for automatic moderation verdicts

/// The `dsa` section of the daemon's configuration: what a statement of reasons
/// says beyond the record itself. Every field has a default, so a platform
/// without the section still gets complete statements; docs/MODERATION.md lists them.
public struct DSASettings: Sendable, Hashable {
    /// What the platform says about one moderation rule.
    public struct RuleTerms: Sendable, Hashable {
        /// The terms-and-conditions clause the rule enforces (`incompatible_content_ground`).
        public var termsClause: String
        /// The Transparency Database category (one of ``DSASettings/categories``).
        public var category: String
        /// Why such content is not shown (`incompatible_content_explanation`).
        public var explanation: String
    }

    /// ISO 3166-1 alpha-2 codes where the decision applies (`territorial_scope`); default: the EEA.
    public var territorialScope: [String]
    /// How to contest a decision (`redress`); the appeal deadline is added to it.
    public var redress: String
    /// Where the terms are published (`decision_ground_reference_url`), if configured.
    public var termsURL: String?
    /// Overrides of the built-in terms of each rule, by rule name.
    public var rules: [String: RuleTerms]

    /// The settings of a platform that configured nothing.
    public static let defaults = DSASettings(
        territorialScope: eeaCountries,
        redress: "You can appeal this decision from the order chat; support staff review every appeal and the message becomes visible if the decision is overturned.",
        termsURL: nil, rules: [:]
    )

    /// The 30 states of the European Economic Area.
    public static let eeaCountries = [
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU",
        "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
    ]

    /// The Transparency Database's statement categories.
    public static let categories = [
        "STATEMENT_CATEGORY_ANIMAL_WELFARE", "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
        "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS", "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR",
        "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT",
        "STATEMENT_CATEGORY_PROTECTION_OF_MINORS", "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
        "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE", "STATEMENT_CATEGORY_SELF_HARM", "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS",
        "STATEMENT_CATEGORY_VIOLENCE",
    ]

    /// The terms of `rule`: the configured ones, else the built-in ones of its kind
    /// (`contact.*` and `payment.*`: off-platform contact or payment; `harassment*`;
    /// `spam.*`; anything else: a breach of the terms).
    public func terms(of rule: String) -> RuleTerms {
        if let configured = rules[rule] { return configured }
        return Self.builtInTerms(of: rule)
    }

    /// The built-in terms by rule-name prefix, first match wins.
    static let builtIn: [(prefix: String, terms: RuleTerms)] = [
        ("contact.", RuleTerms(
            termsClause: "Terms of Service: trades and their conversation stay on the platform; no contact details or invitations to other channels",
            category: "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
            explanation: "The message contained contact details or an invitation to continue the conversation outside the platform, where buyers and sellers lose the platform's protection against fraud."
        )),
        ("payment.", RuleTerms(
            termsClause: "Terms of Service: every payment goes through the platform",
            category: "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
            explanation: "The message proposed a payment outside the platform, which removes the buyer's protection and is a common fraud pattern."
        )),
        ("harassment", RuleTerms(
            termsClause: "Community Rules: no insults, threats or harassment",
            category: "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
            explanation: "The message contained insults, threats or harassment of the other party."
        )),
        ("spam.", RuleTerms(
            termsClause: "Community Rules: no spam; chat messages stay within the length limit",
            category: "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
            explanation: "The message was longer than the chat's length limit and was hidden as spam."
        )),
    ]

    static func builtInTerms(of rule: String) -> RuleTerms {
        if let known = builtIn.first(where: { rule.hasPrefix($0.prefix) }) { return known.terms }
        return RuleTerms(
            termsClause: "Terms of Service: moderation rule \(rule)", category: "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
            explanation: "The message matched the moderation rule \(rule)."
        )
    }

    /// Reads the `dsa` section of the configuration (`nil`: the defaults).
    /// - Throws: a sentence naming the field that is wrong.
    public init(json: JSONValue?) throws(DSASettingsError) {
        self = .defaults
        guard let json, !json.isNull else { return }
        guard let o = json.objectValue else { throw DSASettingsError("dsa must be an object") }
        let known: Set<String> = ["territorialScope", "redress", "termsUrl", "rules"]
        if let unknown = o.keys.sorted().first(where: { !known.contains($0) }) {
            throw DSASettingsError("dsa.\(unknown) is not a setting (known: \(known.sorted().joined(separator: ", ")))")
        }
        if let scope = o["territorialScope"] {
            guard let codes = scope.arrayValue?.compactMap(\.stringValue), codes.count == scope.arrayValue?.count, !codes.isEmpty,
                  codes.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isUppercase } })
            else { throw DSASettingsError("dsa.territorialScope must be a non-empty array of ISO 3166-1 alpha-2 codes such as \"DE\"") }
            territorialScope = codes
        }
        if let redress = o["redress"] {
            guard let text = redress.stringValue, !text.isEmpty else { throw DSASettingsError("dsa.redress must be a non-empty string") }
            self.redress = text
        }
        if let url = o["termsUrl"] {
            guard let text = url.stringValue, text.hasPrefix("https://") || text.hasPrefix("http://") else {
                throw DSASettingsError("dsa.termsUrl must be an http(s) URL")
            }
            termsURL = text
        }
        if let rulesValue = o["rules"] {
            guard let members = rulesValue.objectValue else { throw DSASettingsError("dsa.rules must be an object: rule name → {termsClause, category, explanation}") }
            for (name, value) in members {
                let base = Self.builtInTerms(of: name)
                guard let r = value.objectValue else { throw DSASettingsError("dsa.rules.\(name) must be an object") }
                var terms = base
                for (key, v) in r {
                    guard let text = v.stringValue, !text.isEmpty else { throw DSASettingsError("dsa.rules.\(name).\(key) must be a non-empty string") }
                    switch key {
                    case "termsClause": terms.termsClause = text
                    case "explanation": terms.explanation = text
                    case "category":
                        guard Self.categories.contains(text) else {
                            throw DSASettingsError("dsa.rules.\(name).category must be a Transparency Database category such as STATEMENT_CATEGORY_SCAMS_AND_FRAUD")
                        }
                        terms.category = text
                    default: throw DSASettingsError("dsa.rules.\(name).\(key) is not a setting (known: category, explanation, termsClause)")
                    }
                }
                rules[name] = terms
            }
        }
    }

    init(territorialScope: [String], redress: String, termsURL: String?, rules: [String: RuleTerms]) {
        self.territorialScope = territorialScope
        self.redress = redress
        self.termsURL = termsURL
        self.rules = rules
    }
}

/// A `dsa` configuration section that cannot be used.
public struct DSASettingsError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, naming the field.
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The statement of reasons of one automatic `filtered`/`hidden` verdict
/// (PROTOCOL.md "Statement of reasons", EU Transparency Database field names),
/// derived from the order state and the configuration only: it holds no
/// message text and no user id.
public enum StatementOfReasons {
    /// The statement for `message`, moderated on shard `shardId`.
    public static func make(for message: ModeratedMessage, shardId: String, settings: DSASettings, appealWindowDays: Int) -> JSONValue {
        let terms = (message.rules.isEmpty ? [message.verdict == .hidden ? "spam.length" : "moderation"] : message.rules).map(settings.terms(of:))
        let category = ["STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"]
            .first { c in terms.contains { $0.category == c } } ?? terms.first?.category ?? "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
        let date = message.at.rfc3339.prefix(10)
        let deadline = Timestamp(microseconds: message.at.microseconds + Int64(appealWindowDays) * 86_400_000_000)
        var facts = "An automated filter kept this chat message from the other party of the order (verdict \(message.verdict.rawValue); rules: \(message.rules.joined(separator: ", ")))."
        var redress = settings.redress
        var automated = "AUTOMATED_DECISION_FULLY"
        switch message.appeal {
        case .none:
            redress += " An appeal is possible until \(deadline.rfc3339.prefix(10))."
        case .some(let appeal):
            let appealed = appeal.appealedAt.rfc3339.prefix(10)
            switch appeal.status {
            case .pending:
                facts += " The author appealed on \(appealed); the appeal is pending review by support staff."
                redress += " The appeal made on \(appealed) is pending review."
            case .upheld, .overturned:
                automated = "AUTOMATED_DECISION_NOT_AUTOMATED"
                let reviewed = appeal.reviewedAt.map { String($0.rfc3339.prefix(10)) } ?? String(appealed)
                facts += appeal.status == .upheld
                    ? " The author appealed on \(appealed); support staff reviewed the decision on \(reviewed) and upheld it."
                    : " The author appealed on \(appealed); support staff reviewed the decision on \(reviewed) and overturned it: the message is visible to the other party since then."
                redress += " The appeal was decided on \(reviewed) (\(appeal.status.rawValue)); the decision can still be challenged before an out-of-court dispute settlement body or a court."
            }
        }
        var o: [String: JSONValue] = [
            "puid": .string("\(shardId)-\(message.position)"),
            "decision_visibility": ["DECISION_VISIBILITY_CONTENT_DISABLED"],
            "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
            "incompatible_content_ground": .string(unique(terms.map(\.termsClause)).joined(separator: "; ")),
            "incompatible_content_explanation": .string(unique(terms.map(\.explanation)).joined(separator: " ")),
            "content_type": ["CONTENT_TYPE_TEXT"],
            "category": .string(category),
            "content_date": .string(String(date)),
            "application_date": .string(String(date)),
            "decision_facts": .string(facts),
            "source_type": "SOURCE_VOLUNTARY",
            "automated_detection": "Yes",
            "automated_decision": .string(automated),
            "territorial_scope": .array(settings.territorialScope.map { .string($0) }),
            "rules": .array(message.rules.map { .string($0) }),
            "redress": .string(redress),
        ]
        if let url = settings.termsURL { o["decision_ground_reference_url"] = .string(url) }
        return .object(o)
    }

    private static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }
}
