import TimelineModel

/// The outcome of `verify`: what was checked and every finding, in position order.
public struct AuditReport: Sendable {
    /// `store` (a data directory) or `export` (a JSON Lines file).
    public var kind: String
    /// The directory or file verified.
    public var source: String
    /// The first and last position replayed (`nil` for an empty log).
    public var firstPosition: UInt64?
    public var lastPosition: UInt64?
    public var events: UInt64 = 0
    public var orders = 0
    public var blobsChecked = 0
    public var viewsChecked = 0
    /// Stored participant figures compared with the rebuilt ones.
    public var participantsChecked = 0
    /// The checkpoint position verified, when one was given.
    public var checkpointPosition: UInt64?
    /// Checkpoints of the data directory's `checkpoints.jsonl` checked against the log.
    public var storedCheckpoints = 0
    /// What was not checked and why (e.g. blobs, for an export).
    public var notes: [String] = []
    public var findings: [Finding] = []
    public var seconds: Double = 0

    /// No findings.
    public var isClean: Bool { findings.isEmpty }

    /// Events replayed per second.
    public var eventsPerSecond: Double { seconds > 0 ? Double(events) / seconds : 0 }

    /// Findings in position order (those without a position last), stable otherwise.
    mutating func sortFindings() {
        findings = findings.enumerated().sorted { a, b in
            let pa = a.element.position ?? .max, pb = b.element.position ?? .max
            return pa != pb ? pa < pb : a.offset < b.offset
        }.map(\.element)
    }

    /// The machine-readable report (`--json`).
    public var json: JSONValue {
        var counts: [String: JSONValue] = [:]
        for f in findings { counts[f.code.rawValue] = .int((counts[f.code.rawValue]?.intValue ?? 0) + 1) }
        return [
            "kind": .string(kind), "source": .string(source), "clean": .bool(isClean),
            "firstPosition": firstPosition.map { .int(Int64($0)) } ?? .null,
            "lastPosition": lastPosition.map { .int(Int64($0)) } ?? .null,
            "events": .int(Int64(events)), "orders": .int(Int64(orders)),
            "blobsChecked": .int(Int64(blobsChecked)), "viewsChecked": .int(Int64(viewsChecked)),
            "participantsChecked": .int(Int64(participantsChecked)),
            "checkpointPosition": checkpointPosition.map { .int(Int64($0)) } ?? .null,
            "storedCheckpoints": .int(Int64(storedCheckpoints)),
            "notes": .array(notes.map { .string($0) }),
            "findingCounts": .object(counts),
            "findings": .array(findings.map(\.json)),
            "seconds": .double(seconds),
        ]
    }

    /// The report for a person.
    public var text: String {
        var out = ""
        let range = firstPosition.map { "positions \($0)–\(lastPosition ?? $0)" } ?? "an empty log"
        out += "\(kind == "store" ? "Store" : kind == "live" ? "Live log of" : "Export") \(source): \(plural(Int(events), "event")) (\(range)), \(plural(orders, "order"))"
        if kind == "store" { out += ", \(plural(blobsChecked, "blob")), \(plural(viewsChecked, "view")), \(plural(participantsChecked, "participant"))" }
        if let checkpointPosition { out += ", checkpoint at \(checkpointPosition)" }
        if storedCheckpoints > 0 { out += ", \(storedCheckpoints) stored checkpoints" }
        out += " checked in \(String(format2: seconds)) s.\n"
        for note in notes { out += "Note: \(note)\n" }
        if findings.isEmpty {
            out += "Clean: every rule of DOMAIN.md's audit holds.\n"
            return out
        }
        out += "\(findings.count) finding\(findings.count == 1 ? "" : "s"):\n"
        let rows = findings.map { f in
            [f.position.map(String.init) ?? "-", f.code.rawValue, f.order ?? "-", f.revision.map(String.init) ?? "-", f.message]
        }
        out += TextTable.render(header: ["POSITION", "FINDING", "ORDER", "REV", "WHAT"], rows: rows)
        return out
    }
}

/// "1 event", "2 events".
func plural(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

/// Aligned plain-text tables.
public enum TextTable {
    /// Columns padded to their widest cell; the last column is not padded.
    public static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for row in all {
            var line = ""
            for (i, cell) in row.enumerated() {
                if i == row.count - 1 { line += cell } else { line += cell + String(repeating: " ", count: widths[i] - cell.count + 2) }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}

extension String {
    /// A number with two decimals.
    init(format2 value: Double) {
        let hundredths = Int64((value * 100).rounded())
        let whole = hundredths / 100, frac = abs(hundredths % 100)
        self = "\(whole).\(frac < 10 ? "0" : "")\(frac)"
    }
}
