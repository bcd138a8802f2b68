import Foundation

/// A process's memory as Linux reports it in `/proc/PID/status`.
public struct ProcessMemory: Sendable, Equatable {
    /// Resident set now (`VmRSS`), KiB.
    public var residentKiB: Int
    /// Peak resident set (`VmHWM`, the high-water mark), KiB.
    public var peakKiB: Int

    /// Reads `/proc/<pid>/status`; `nil` when the process is gone or the fields are missing.
    public static func read(pid: Int32) -> ProcessMemory? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        var rss: Int?
        var hwm: Int?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("VmRSS:") { rss = kib(line) }
            if line.hasPrefix("VmHWM:") { hwm = kib(line) }
        }
        guard let rss, let hwm else { return nil }
        return ProcessMemory(residentKiB: rss, peakKiB: hwm)
    }

    /// `true` while `pid` exists and is not a zombie.
    public static func isAlive(pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first ?? ""
        return state != "Z" && state != "X"
    }

    private static func kib(_ line: Substring) -> Int? {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
    }
}
