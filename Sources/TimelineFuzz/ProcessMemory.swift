import Foundation

/// A process's memory as Linux reports it in `/proc/PID/status`.
public struct ProcessMemory: Sendable, Equatable {
    /// Resident set now (`VmRSS`), KiB.
    public var residentKiB: Int
    /// Peak resident set (`VmHWM`, the high-water mark), KiB.
    public var peakKiB: Int
    /// Anonymous resident memory (`RssAnon`: heap, stacks), KiB.
    public var anonymousKiB: Int
    /// File-backed resident memory (`RssFile`: for the daemon, mostly LMDB's map of the store), KiB.
    public var fileKiB: Int

    /// Reads `/proc/<pid>/status`; `nil` when the process is gone or the fields are missing.
    public static func read(pid: Int32) -> ProcessMemory? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        var fields: [Substring: Int] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon]] = kib(line)
        }
        guard let rss = fields["VmRSS"], let hwm = fields["VmHWM"] else { return nil }
        return ProcessMemory(residentKiB: rss, peakKiB: hwm, anonymousKiB: fields["RssAnon"] ?? 0, fileKiB: fields["RssFile"] ?? 0)
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
