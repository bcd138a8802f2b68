import Foundation

/// The normalised, digit-preserving view of one message.
///
/// ASCII lowercase letters, digits and ASCII punctuation keep their value;
/// whitespace becomes `" "` (line breaks `"\n"`); symbols and emoji become
/// `" "`. A letter of another script with a Latin look-alike folds to it; any
/// other letter stays itself, lowercased, as its UTF-8 bytes (every byte from
/// 0x80 up is part of a letter), so word lists in Cyrillic, Greek, Arabic or
/// Hangul match like Latin ones. A Han, kana or Hangul character is a word of
/// its own (spaces around it), because those scripts do not separate words:
/// `加我微信` reads as the four words `加 我 微 信`, and the list entry `微信`
/// folds the same way. Leetspeak is *not* folded here, so prices, phone numbers
/// and e-mail addresses keep their digits; the letter-folded view is built per
/// word by ``TokenizedText``.
struct NormalizedText: Sendable {

    /// The folded bytes.
    var bytes: [UInt8]
    /// Parallel to `bytes` on the non-ASCII path (empty for pure ASCII): the byte
    /// came from a look-alike or an accented letter in a word that is not written
    /// in its own script, or follows a removed invisible character. A word of
    /// Cyrillic letters some of which look Latin (`телеграм`) is not evasive; a
    /// word mixing scripts (`dіscord` with a Cyrillic `і`) or one made only of
    /// look-alikes (`ѕкуре`) is.
    var suspicious: [Bool]
    /// The text used compatibility forms (fullwidth, mathematical or circled letters).
    var usedCompatibilityForms: Bool
    /// The text was pure ASCII (so its length in scalars is its length in bytes).
    var wasASCII: Bool

    /// True when byte `index` was produced by an evasive character.
    @inline(__always)
    func isSuspicious(_ index: Int) -> Bool {
        suspicious.isEmpty ? false : suspicious[index]
    }
}
