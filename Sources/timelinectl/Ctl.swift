import ArgumentParser
import Foundation
import TimelineClient
import TimelineModel

/// `timelinectl`: the operators' CLI. Talks to `timelined` over its socket, except
/// `migrate`, which converts a stopped daemon's data directory.
///
/// Exit codes: 0 done; 1 the daemon refused (its error code and message are
/// printed); 2 the daemon could not be reached or hung up; 3 a local file could
/// not be read or written; 64 bad usage.
@main
struct Ctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timelinectl",
        abstract: "Operates a running timelined: status, orders, disputes, live tail, appends, evidence, rebuild, backup, checkpoints; migrates a stopped one's data directory.",
        discussion: "Exit codes: 0 done, 1 the daemon refused, 2 the daemon could not be reached, 3 a local file problem, 64 bad usage. See docs/OPERATIONS.md.",
        subcommands: [
            Status.self, Top.self, OrderCommand.self, Orders.self, Disputes.self, Tail.self, Append.self, EvidenceCommand.self,
            Rebuild.self, ReloadModeration.self, Backup.self, CheckpointCommand.self, Redact.self, ModerationCommand.self, Migrate.self, Restore.self,
        ]
    )
}

/// `--socket` and `--json`, on every command.
struct Connection: ParsableArguments {
    @Option(help: "The daemon's Unix socket (default: --config's socketPath, else $TIMELINE_SOCKET, else config/timelined.json's socketPath, else var/timelined.sock).")
    var socket: String?

    @Option(help: "A timelined config file whose socketPath to use.")
    var config: String?

    @Flag(help: "Print the daemon's JSON result instead of tables and sentences.")
    var json = false

    /// The socket to use: `--socket`, `--config`'s `socketPath`, `$TIMELINE_SOCKET`,
    /// `config/timelined.json`'s `socketPath` (the daemon's default config), `var/timelined.sock`.
    func socketPath() throws -> String {
        if let socket { return socket }
        if let config {
            guard let file = Self.config(at: config) else {
                throw localFailure("cannot read the config file \(config) as JSON; check the path or pass --socket PATH")
            }
            return file["socketPath"]?.stringValue ?? Self.defaultSocket
        }
        if let env = ProcessInfo.processInfo.environment["TIMELINE_SOCKET"], !env.isEmpty { return env }
        return Self.config(at: "config/timelined.json")?["socketPath"]?.stringValue ?? Self.defaultSocket
    }

    /// timelined's own default when its config names no `socketPath`.
    static let defaultSocket = "var/timelined.sock"

    /// A timelined config file, parsed, or `nil` when it cannot be read.
    static func config(at path: String) -> JSONValue? {
        guard let bytes = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONParser.parse(Array(bytes))
    }

    /// Connects, runs `body`, closes; maps failures to exit codes with a sentence on stderr.
    func with<T>(_ body: (TimelineClient) async throws -> T) async throws -> T {
        let socketPath = try self.socketPath()
        let client: TimelineClient
        do {
            client = try await TimelineClient.connect(socketPath: socketPath)
        } catch {
            fail("cannot reach timelined at \(socketPath): is it running? Start it or pass --socket PATH")
            throw ExitCode(2)
        }
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch let error as TimelineClientError {
            await client.close()
            if let remote = error.timelineError {
                var line = "\(remote.code.rawValue): \(remote.message)"
                if !remote.details.isEmpty { line += " \(CanonicalJSON.string(.object(remote.details)))" }
                fail(line)
                throw ExitCode(1)
            }
            fail("\(error); check that timelined is still running")
            throw ExitCode(2)
        } catch {
            await client.close()
            throw error
        }
    }

    /// Prints `value` as one canonical JSON line (`--json`) or the human text.
    func output(_ value: JSONValue, human: () -> String) {
        if json { print(CanonicalJSON.string(value)) } else { print(human(), terminator: "") }
    }
}

func fail(_ message: String) {
    FileHandle.standardError.write(Data("timelinectl: \(message)\n".utf8))
}

/// A local file error: exit code 3.
func localFailure(_ message: String) -> ExitCode {
    fail(message)
    return ExitCode(3)
}

// MARK: - Formatting

enum Format {
    /// Aligned columns; the last column is not padded.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, c) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        return all.map { row in
            var line = ""
            for (i, c) in row.enumerated() { line += i == row.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count + 2) }
            return line
        }.joined(separator: "\n") + "\n"
    }

    /// Key/value lines, keys aligned.
    static func pairs(_ pairs: [(String, String)]) -> String {
        let width = pairs.map(\.0.count).max() ?? 0
        return pairs.map { $0.0 + String(repeating: " ", count: width - $0.0.count + 2) + $0.1 }.joined(separator: "\n") + "\n"
    }

    static func text(_ v: JSONValue?) -> String {
        switch v {
        case nil, .null?: return "-"
        case .string(let s)?: return s
        case let other?: return CanonicalJSON.string(other)
        }
    }

    static func money(_ price: JSONValue?) -> String {
        guard let amount = price?["amount"]?.intValue else { return "-" }
        let c = abs(amount % 100)
        return "\(amount / 100).\(c < 10 ? "0" : "")\(c) \(price?["currency"]?.stringValue ?? "")"
    }

    /// One short line for a recorded event.
    static func eventRow(_ e: JSONValue) -> [String] {
        let actor = "\(text(e["actor"]?["role"])):\(text(e["actor"]?["id"]))"
        var what = ""
        if let t = e["data"]?["text"]?.stringValue { what = t.count > 60 ? String(t.prefix(57)) + "..." : t }
        if let v = e["moderation"]?["verdict"]?.stringValue, v != "delivered" { what += " [\(v)]" }
        if e["type"]?.stringValue == "evidence.attached" {
            what = "\(text(e["data"]?["filename"])) (\(text(e["data"]?["size"])) bytes)"
        } else if what.isEmpty, let data = e["data"]?.objectValue, !data.isEmpty {
            let compact = data.keys.sorted().map { "\($0)=\(text(data[$0]))" }.joined(separator: " ")
            what = compact.count > 60 ? String(compact.prefix(57)) + "..." : compact
        }
        return [text(e["position"]), text(e["order"]), text(e["revision"]), text(e["recordedAt"]), text(e["type"]), actor, what]
    }

    static let eventHeader = ["POS", "ORDER", "REV", "RECORDED AT", "TYPE", "ACTOR", "DETAIL"]
}
