import Foundation

/// The package's own executables (`timelined`, `timeline-audit`, …) as the
/// build left them, and a way to run one to completion.
///
/// ```swift
/// let verify = try PackageBinary.run("timeline-audit", ["verify", "--data", dir])
/// #expect(verify.status == 0, "\(verify)")
/// ```
public enum PackageBinary {
    /// The executable `name`: next to the test bundle (or a few folders up),
    /// else `<package>/.build/debug/<name>`.
    public static func path(_ name: String, filePath: String = #filePath) -> String {
        var starts: [URL] = [Bundle.main.bundleURL, Bundle.main.executableURL?.deletingLastPathComponent()].compactMap { $0 }
        if let argv0 = CommandLine.arguments.first {
            starts.append(URL(fileURLWithPath: argv0).standardizedFileURL.deletingLastPathComponent())
        }
        for start in starts {
            var dir = start.standardizedFileURL
            for _ in 0..<4 {
                let candidate = dir.appendingPathComponent(name).path
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                   FileManager.default.isExecutableFile(atPath: candidate)
                {
                    return candidate
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        // Tests/Support/PackageBinary.swift → the package root is three levels up.
        let root = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/\(name)").path
    }

    /// How a finished run ended and what it printed.
    public struct Outcome: Sendable, CustomStringConvertible {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var description: String { "exit \(status)\nstdout: \(stdout.suffix(4000))\nstderr: \(stderr.suffix(4000))" }
    }

    /// Runs `name` (or an absolute path) with `arguments`, in `directory` when
    /// given, and waits for it; output goes through files, so a chatty process
    /// never blocks on a full pipe. `input` is what it reads on stdin (nothing when `nil`).
    public static func run(_ name: String, _ arguments: [String], in directory: String? = nil, input: String? = nil) throws -> Outcome {
        let binary = name.hasPrefix("/") ? name : path(name)
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw DaemonProcessError("\(name) not found at \(binary); run `swift build` first")
        }
        let base = NSTemporaryDirectory() + "run-\(URL(fileURLWithPath: binary).lastPathComponent)-\(UUID().uuidString.prefix(8))"
        let out = base + ".out", err = base + ".err", inputFile = base + ".in"
        _ = FileManager.default.createFile(atPath: inputFile, contents: Data((input ?? "").utf8))
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: out)
            try? FileManager.default.removeItem(atPath: err)
            try? FileManager.default.removeItem(atPath: inputFile)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: err)
        process.standardInput = input == nil ? FileHandle.nullDevice : FileHandle(forReadingAtPath: inputFile)
        try process.run()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus,
            stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        )
    }
}
