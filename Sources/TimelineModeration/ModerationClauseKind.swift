import Foundation

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
