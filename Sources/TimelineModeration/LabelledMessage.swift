import TimelineModel

/// One labelled message of a corpus file (JSON lines: `text`, `expected`,
/// `category`, and optionally `lang`, `item`, `hard`, `note`; see
/// Tests/Fixtures/moderation/README.md).
public struct LabelledMessage: Sendable, Equatable {
    /// The message as a user would write it.
    public var text: String
    /// The verdict the message should get.
    public var expected: ModerationVerdictKind
    /// What kind of message it is (`contact.phone`, `honest.warning`, …).
    public var category: String
    /// Its language (ISO 639-1), empty when not given.
    public var language: String
    /// The order's item title, passed to the policy as context.
    public var itemTitle: String?

    /// Reads a JSON-lines corpus; blank lines are skipped.
    /// - Throws: ``ModerationConfigError`` naming the line that is not a labelled message.
    public static func parseLines(_ bytes: [UInt8]) throws(ModerationConfigError) -> [LabelledMessage] {
        var out: [LabelledMessage] = []
        for (index, line) in bytes.split(separator: UInt8(ascii: "\n")).enumerated() {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            let problem = "line \(index + 1) of the corpus is not a labelled message"
            let value: JSONValue
            do {
                value = try JSONParser.parse(line)
            } catch {
                throw ModerationConfigError(message: "\(problem): \(error.message)")
            }
            guard let text = value["text"]?.stringValue, let expectedName = value["expected"]?.stringValue,
                  let expected = ModerationVerdictKind(rawValue: expectedName) else {
                throw ModerationConfigError(message: "\(problem): it needs \"text\" and \"expected\" (delivered, flagged, filtered or hidden)")
            }
            out.append(LabelledMessage(
                text: text, expected: expected, category: value["category"]?.stringValue ?? "",
                language: value["lang"]?.stringValue ?? "", itemTitle: value["item"]?.stringValue))
        }
        return out
    }
}
