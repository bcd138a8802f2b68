import TimelineModel

// MARK: - The public face of chat moderation

/// The compiled rules and word lists; immutable, cheap to share across threads.
///
/// A policy is compiled once from `config/moderation.json` (at start-up, on
/// SIGHUP or `admin.reloadModeration`) and then only read: copies share the
/// same storage, and ``moderate(_:)`` touches no shared mutable state, so any
/// number of event loops may call it at once.
///
/// ```swift
/// let policy = try ModerationPolicy(configJSON: Array(fileBytes))
/// let verdict = policy.moderate("pay me via paypal friends and family")
/// // verdict.verdict == .filtered, verdict.rules == ["payment.offplatform"]
/// ```
public struct ModerationPolicy: MessageModeration {
    /// The compiled configuration.
    let compiled: CompiledModeration

    /// Messages longer than this many Unicode scalars are `hidden` (rule `spam.length`); default 1500.
    public var maxVisibleChars: Int
    /// Filtered messages from one user on one order before the daemon appends `moderation.flagged`; default 3.
    public var flagAfterFiltered: Int
    /// Days after a `filtered`/`hidden` verdict during which its author may appeal it; default 183.
    public var appealWindowDays: Int

    /// The number of rules (reported by `admin.reloadModeration`).
    public var ruleCount: Int { compiled.rules.count }

    /// The decoded configuration this policy was compiled from.
    var config: ModerationConfig { compiled.config }

    /// Parses and compiles the bytes of `config/moderation.json`.
    ///
    /// - Parameter configJSON: The file's bytes (UTF-8 JSON).
    /// - Throws: ``ModerationConfigError`` whose message names the problem and the
    ///   field, e.g. a syntax error, a missing `rules[0].name`, an unknown verdict,
    ///   or a word-list entry that cannot match anything.
    public init(configJSON: [UInt8]) throws(ModerationConfigError) {
        let config = try ModerationConfig.decode(configJSON)
        self.init(compiled: try CompiledModeration(config))
    }

    init(compiled: CompiledModeration) {
        self.compiled = compiled
        self.maxVisibleChars = compiled.config.maxVisibleChars ?? 1500
        self.flagAfterFiltered = compiled.config.flagAfterFiltered ?? ModerationDefaults.flagAfterFiltered
        self.appealWindowDays = compiled.config.appealWindowDays ?? ModerationDefaults.appealWindowDays
    }

    /// The same rules as `config/moderation.json`, embedded in the binary, for
    /// tests and as the fallback when the file cannot be loaded.
    public static let builtIn: ModerationPolicy = {
        do {
            return try ModerationPolicy(configJSON: Array(BuiltInModerationConfig.json.utf8))
        } catch {
            // Unreachable while the tests pass (they compile the literal); never crash the daemon.
            return ModerationPolicy(compiled: .empty())
        }
    }()

    /// Moderates one chat message.
    ///
    /// Guarantees: the verdict is the strictest among the matched rules
    /// (`filtered` > `hidden` > `flagged` > `delivered`); `rules` names every
    /// matched rule, sorted, unique, and is empty exactly when the verdict is
    /// `delivered`. Length is counted in Unicode scalars. The result depends only
    /// on `text` and the policy.
    /// - Parameter text: The message as the user wrote it.
    /// - Returns: The verdict and the matched rule names.
    /// - Parameter itemTitle: The order's `item.title`, when known: a word or
    ///   phrase of a rule that the title also contains names the traded item, not
    ///   a channel or a payment, and does not count (a "Discord Nitro" order may
    ///   talk about Discord Nitro; an "Amazon gift card" order about gift cards).
    ///   Addresses, numbers and links count whatever the title.
    public func moderate(_ text: String, itemTitle: String? = nil) -> ModerationVerdict {
        compiled.moderate(text, maxVisibleChars: maxVisibleChars, itemTitle: itemTitle)
    }

    /// ``moderate(_:itemTitle:)`` with its reasons: which clause of which rule matched,
    /// and the text as the clauses saw it (folded, look-alikes and bidi resolved).
    public func explain(_ text: String, itemTitle: String? = nil) -> ModerationExplanation {
        var matches: [ModerationExplanation.Match] = []
        let verdict = compiled.moderate(text, maxVisibleChars: maxVisibleChars, itemTitle: itemTitle) { rule, kind in
            let r = compiled.rules[rule]
            matches.append(.init(rule: r.name, verdict: r.verdict, clause: kind))
        }
        let normalized = compiled.normalizer.normalize(text)
        return ModerationExplanation(
            verdict: verdict, matches: matches,
            normalized: String(decoding: normalized.bytes, as: UTF8.self)
        )
    }
}

// MARK: - Running the clauses
