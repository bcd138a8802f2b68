import TimelineModel
import TimelineStore

#if canImport(Glibc)
import Glibc
#endif

/// Writes and reads the JSON Lines export: one recorded event (its stored
/// canonical bytes, with `data`, `dataHash`, `prevHash` and `hash`) per line, in position order.
public enum Exporter {
    /// What an export wrote.
    public struct Summary: Sendable {
        public var events: UInt64
        public var firstPosition: UInt64?
        public var lastPosition: UInt64?
        public var bytes: Int

        public init(events: UInt64, firstPosition: UInt64? = nil, lastPosition: UInt64? = nil, bytes: Int) {
            self.events = events
            self.firstPosition = firstPosition
            self.lastPosition = lastPosition
            self.bytes = bytes
        }
    }

    /// Exports the log from position `from` on into `path` (replaced), in one read snapshot.
    public static func export(store: TimelineStore, to path: String, from: UInt64 = 1) throws(AuditError) -> Summary {
        guard let file = fopen(path, "w") else {
            throw AuditError("cannot create \(path): \(String(cString: strerror(errno))); choose a writable path")
        }
        var summary = Summary(events: 0, bytes: 0)
        var failed = false
        do {
            try store.withAuditSnapshot { snap in
                try snap.forEachLogEntry(from: from) { key, bytes in
                    if fwrite(bytes.baseAddress, 1, bytes.count, file) != bytes.count || fputc(0x0A, file) == EOF {
                        failed = true
                        return false
                    }
                    if summary.firstPosition == nil { summary.firstPosition = key }
                    summary.lastPosition = key
                    summary.events += 1
                    summary.bytes += bytes.count + 1
                    return true
                }
            }
        } catch {
            fclose(file)
            throw AuditError("reading the store failed: \(error)")
        }
        if fclose(file) != 0 || failed {
            throw AuditError("writing \(path) failed: \(String(cString: strerror(errno))); check free disk space")
        }
        return summary
    }

    /// Every readable record of an export (unreadable lines are skipped; `verify` reports them).
    public static func records(exportFile path: String, where keep: (RecordedEvent) -> Bool = { _ in true }) throws(AuditError) -> [RecordedEvent] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditError("cannot read the export \(path); check the path")
        }
        var result: [RecordedEvent] = []
        data.withUnsafeBytes { raw in
            Auditor.forEachLine(raw.bindMemory(to: UInt8.self)) { line, _ in
                if let value = try? JSONParser.parse(buffer: line), let record = try? RecordedEvent(json: value), keep(record) {
                    result.append(record)
                }
            }
        }
        return result
    }
}

import Foundation
