/// The parts of a `redaction.applied` event (DOMAIN.md): how the daemon builds
/// its targets and how the audit checks them against the log. One definition
/// for both, so a redaction the daemon writes is one the audit accepts.
///
/// Each target names a redacted event by `position`, `eventId`, `dataHash` and
/// `hash`, and carries `header`: the event as reads return it once redacted
/// (every field but `data`). Downstream copies (exports, replicas) drop the
/// `data` of each target and keep the rest, which still hashes to `hash`.
public enum Redaction {
    /// The schema of one element of `data.targets`.
    static let targetSchema = DataSchema([
        .required("position", .integer(1...Int64.max)), .required("eventId", .string(1...128)),
        .required("dataHash", .sha256), .required("hash", .sha256), .required("header", .anyObject),
    ])

    /// The `eventId` the daemon gives the redaction of `positions` of `order`.
    public static func eventId(order: String, positions: [UInt64]) -> String {
        Identifiers.daemonEventId(prefix: eventIdPrefix, order, positions.map(String.init).joined(separator: ","))
    }

    /// The prefix of every redaction's eventId (reserved for the daemon).
    public static let eventIdPrefix = "redaction:"

    /// The target entry naming `record`.
    public static func target(of record: RecordedEvent) -> JSONValue {
        [
            "position": .int(Int64(record.position)), "eventId": .string(record.eventId),
            "dataHash": .string(record.dataHash), "hash": .string(record.hash),
            "header": record.redacted.json(),
        ]
    }

    /// The positions a `redaction.applied` event names, in its order.
    public static func targetPositions(of event: RecordedEvent) -> [UInt64] {
        (event.data["targets"]?.arrayValue ?? []).compactMap { $0["position"]?.intValue }.filter { $0 > 0 }.map { UInt64($0) }
    }

    /// Why a `redaction.applied` at `redactionPosition` may not name `record`
    /// as `target` (the entry as recorded), or `nil` when it may.
    public static func problem(target: JSONValue, record: RecordedEvent, redactionPosition: UInt64) -> String? {
        if record.position >= redactionPosition {
            return "it names position \(record.position), which is not before the redaction"
        }
        if !Catalog.redactableTypes.contains(record.type) {
            return "it names position \(record.position), a \(record.type), which is not a redactable type"
        }
        let expected = Redaction.target(of: record)
        for key in ["eventId", "dataHash", "hash", "header"] where target[key] != expected[key] {
            return "its \(key) for position \(record.position) does not match the event recorded there"
        }
        return nil
    }
}
