import Foundation
import TimelineModel
import TimelineStore

/// What statements of reasons need beyond the log: the daemon's `dsa` section,
/// its `cluster.shardId` and the appeal window of its moderation file.
public struct StatementSettings: Sendable {
    public var shardId = "0"
    public var dsa = DSASettings.defaults
    public var appealWindowDays = ModerationDefaults.appealWindowDays

    /// The defaults of a daemon without configuration.
    public init() {}

    /// Reads them from the daemon's config file (`config/timelined.json`), and the
    /// appeal window from the moderation file it names (relative paths from the
    /// current directory, as the daemon resolves them).
    public init(configFile path: String) throws(AuditError) {
        func object(_ file: String) throws(AuditError) -> [String: JSONValue] {
            guard let data = FileManager.default.contents(atPath: file) else { throw AuditError("cannot read \(file)") }
            guard let o = (try? JSONParser.parse(Array(data)))?.objectValue else { throw AuditError("\(file) is not a JSON object") }
            return o
        }
        let config = try object(path)
        if let shard = config["cluster"]?["shardId"]?.intValue { shardId = String(shard) }
        do { dsa = try DSASettings(json: config["dsa"]) } catch { throw AuditError("\(path): \(error.message)") }
        let moderation = config["moderationPath"]?.stringValue ?? "config/moderation.json"
        if FileManager.default.fileExists(atPath: moderation), let days = try object(moderation)["appealWindowDays"]?.intValue, days >= 1 {
            appealWindowDays = Int(days)
        }
    }
}

/// `timeline-audit statements`: every statement of reasons of a store, as bulk
/// files for the EU Transparency Database (`{"statements": [...]}`, at most
/// ``perFile`` each). Derived from the log by replaying it, so the statements
/// reflect appeals and reviews; free of personal data by construction
/// (``StatementOfReasons`` sees no text and no user id).
public enum StatementExport {
    /// The most statements one bulk file holds.
    public static let perFile = 100

    /// What an export wrote.
    public struct Summary: Sendable {
        public var statements: Int
        public var files: [String]
    }

    /// Writes the statements of decisions applied on days `from...to` (YYYY-MM-DD,
    /// inclusive; `nil`: unbounded) into `directory` as `statements-00001.json`, ….
    public static func export(store: TimelineStore, from: String?, to: String?, directory: String, settings: StatementSettings) throws(AuditError) -> Summary {
        for day in [from, to].compactMap({ $0 }) where Timestamp(rfc3339: day + "T00:00:00Z") == nil {
            throw AuditError("\(day) is not a date; write it as YYYY-MM-DD")
        }
        let messages = try moderatedMessages(of: store).filter { m in
            let day = String(m.at.rfc3339.prefix(10))
            return (from.map { day >= $0 } ?? true) && (to.map { day <= $0 } ?? true)
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw AuditError("cannot create \(directory): \(error.localizedDescription)")
        }
        var files: [String] = []
        for start in stride(from: 0, to: messages.count, by: perFile) {
            let chunk = messages[start..<min(start + perFile, messages.count)]
            let statements = chunk.map {
                StatementOfReasons.make(for: $0, shardId: settings.shardId, settings: settings.dsa, appealWindowDays: settings.appealWindowDays)
            }
            let name = String(format: "statements-%05d.json", files.count + 1)
            let path = directory + "/" + name
            let bytes = CanonicalJSON.encode(["statements": .array(statements)]) + [UInt8(ascii: "\n")]
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { throw AuditError("cannot write \(path)") }
            files.append(path)
        }
        return Summary(statements: messages.count, files: files)
    }

    /// Every filtered or hidden message of the store with its appeal, in position order, from a replay of the log.
    static func moderatedMessages(of store: TimelineStore) throws(AuditError) -> [ModeratedMessage] {
        do {
            return try store.withAuditSnapshot { snap in
                var replay = ChainReplay(start: 1, checkLegality: false)
                try ParallelScan.run(snap, into: &replay) { _ in }
                replay.finish()
                return replay.states.compactMap { $0 }.flatMap(\.moderatedMessages).sorted { $0.position < $1.position }
            }
        } catch {
            throw AuditError("reading the store in \(store.path) failed: \(error)")
        }
    }
}
