import Foundation
import Testing
import TimelineModel
import TimelineServer

/// The repository's root, from this file's path.
private let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Every leaf of a JSON object as (`a.b.c`, value).
private func leaves(_ value: JSONValue, prefix: String = "") -> [(String, JSONValue)] {
    guard let object = value.objectValue else { return [(prefix, value)] }
    return object.keys.sorted().flatMap { key in leaves(object[key] ?? .null, prefix: prefix.isEmpty ? key : "\(prefix).\(key)") }
}

/// Each stored property of `value`, described (nested structs included).
private func described(_ value: Any) -> [String: String] {
    var out: [String: String] = [:]
    for child in Mirror(reflecting: value).children {
        guard let label = child.label else { continue }
        out[label] = String(describing: child.value)
    }
    return out
}

@Suite("config/timelined.json and docs/CONFIG.md agree with the built-in defaults")
struct ConfigFileTests {
    @Test("the shipped config/timelined.json loads to exactly the built-in defaults")
    func shippedConfigIsTheDefaults() throws {
        let bytes = try Data(contentsOf: repositoryRoot.appendingPathComponent("config/timelined.json"))
        let shipped = try ServerConfiguration(json: Array(bytes))
        let defaults = described(ServerConfiguration())
        let loaded = described(shipped)
        #expect(defaults.count > 10)
        for (name, value) in defaults.sorted(by: { $0.key < $1.key }) {
            #expect(loaded[name] == value, "config/timelined.json sets \(name) to \(loaded[name] ?? "nil"); the built-in default is \(value)")
        }
    }

    @Test("every key of config/timelined.json has a row in docs/CONFIG.md naming the same default")
    func documentedDefaults() throws {
        let config = try JSONParser.parse(Array(try Data(contentsOf: repositoryRoot.appendingPathComponent("config/timelined.json"))))
        let doc = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/CONFIG.md"), encoding: .utf8)
        var rows: [String: String] = [:]
        for line in doc.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2 else { continue }
            rows[cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = cells[1]
        }
        for (key, value) in leaves(config) {
            let row = try #require(rows[key], "docs/CONFIG.md has no row for \(key)")
            let text: String
            switch value {
            case .string(let s): text = s
            default: text = CanonicalJSON.string(value)
            }
            // The default cell names the value, plain, quoted or in code.
            let cell = row.replacingOccurrences(of: "`", with: "").replacingOccurrences(of: "\"", with: "")
            #expect(cell == text || cell.hasPrefix(text + " ") || (key == "checkpoint.origin" && cell == "ordertimeline/<shardId>"), "docs/CONFIG.md says \(key) defaults to \(row); config/timelined.json has \(text)")
        }
    }
}
