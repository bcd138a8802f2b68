import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The package's real executables, found next to the test bundle or in <root>/.build/debug.
enum Binaries {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func path(_ name: String) -> String { PackageBinary.path(name) }

    /// What a finished process printed and how it exited.
    typealias Result = PackageBinary.Outcome

    /// Runs `name` with `arguments` and waits for it (output captured through files, so it never blocks).
    static func run(_ name: String, _ arguments: [String], in directory: String? = nil) throws -> Result {
        try PackageBinary.run(name, arguments, in: directory)
    }
}

/// A real `timelined` on a temporary socket and data directory; stopped with SIGTERM.
final class Daemon: @unchecked Sendable {
    let dir = TempDirectory("daemon")
    let socket: String
    let data: String
    let process = Process()

    init() throws {
        socket = dir.sub("t.sock")
        data = dir.sub("data")
        // The project's own rules, copied so a reload reads a file this test owns.
        try FileManager.default.copyItem(atPath: Binaries.packageRoot + "/config/moderation.json", toPath: dir.sub("moderation.json"))
        let config = #"{"socketPath": "\#(socket)", "dataDirectory": "\#(data)", "durability": "relaxed", "moderationPath": "\#(dir.sub("moderation.json"))"}"#
        try Data(config.utf8).write(to: URL(fileURLWithPath: dir.sub("config.json")))
        _ = FileManager.default.createFile(atPath: dir.sub("daemon.log"), contents: nil)
        process.executableURL = URL(fileURLWithPath: Binaries.path("timelined"))
        process.arguments = ["--config", dir.sub("config.json")]
        process.standardOutput = FileHandle(forWritingAtPath: dir.sub("daemon.log"))
        process.standardError = FileHandle(forWritingAtPath: dir.sub("daemon.log"))
        try process.run()
        for _ in 0..<300 {
            if FileManager.default.fileExists(atPath: socket) { return }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        let log = (try? String(contentsOfFile: dir.sub("daemon.log"), encoding: .utf8)) ?? ""
        stop()
        throw AuditTestError("timelined did not start: \(log)")
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

struct AuditTestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
