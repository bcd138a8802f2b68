import Foundation
import Testing

/// The progress line of long commands (`timeline-audit verify`, `timelinectl
/// rebuild`, `backup`, `migrate`): on stderr only on a terminal, never with `--quiet`.
@Suite("progress on stderr", .serialized)
struct ProgressOutputTests {
    /// A store of the single-environment layout at `dir/name`, for `migrate`.
    static func oldStore(_ dir: TempDirectory, _ name: String) throws -> String {
        _ = try Fixture.makeStore(dir.sub(name + "-v2"), orders: 2)
        try MigrationTests.writeOldLayout(from: dir.sub(name + "-v2"), to: dir.sub(name))
        return dir.sub(name)
    }

    @Test("off a terminal, verify, rebuild, backup and migrate write nothing to stderr, with or without --quiet")
    func silentOffATerminal() throws {
        let daemon = try Daemon()
        defer { daemon.stop() }
        let dir = daemon.dir
        let s = ["--socket", daemon.socket]
        try CLITests.write(CLITests.opening, to: dir.sub("open.json"))
        var r = try Binaries.run("timelinectl", ["append", "A-1", "--file", dir.sub("open.json")] + s)
        #expect(r.status == 0, "\(r)")

        for quiet in [[], ["--quiet"]] {
            let tag = quiet.isEmpty ? "plain" : "quiet"
            r = try Binaries.run("timelinectl", ["rebuild"] + quiet + s)
            #expect(r.status == 0 && r.stdout.contains("2 events") && r.stderr.isEmpty, "rebuild \(quiet): \(r)")
            r = try Binaries.run("timelinectl", ["backup", dir.sub("backup-\(tag)")] + quiet + s)
            #expect(r.status == 0 && r.stdout.contains("head at position 2") && r.stderr.isEmpty, "backup \(quiet): \(r)")
            r = try Binaries.run("timeline-audit", ["verify", "--data", dir.sub("backup-\(tag)")] + quiet)
            #expect(r.status == 0 && r.stdout.contains("Clean") && r.stderr.isEmpty, "verify \(quiet): \(r)")
            r = try Binaries.run("timelinectl", ["migrate", "--data", try Self.oldStore(dir, "old-\(tag)"), "--json"] + quiet)
            #expect(r.status == 0 && r.stderr.isEmpty, "migrate \(quiet): \(r)")
            #expect(!r.stdout.contains("\r") && !r.stderr.contains("\r"))
        }
    }

    @Test("verify --progress writes plain lines even off a terminal; --progress with --quiet is bad usage")
    func forcedProgress() throws {
        let dir = TempDirectory("progress")
        _ = try Fixture.makeStore(dir.sub("data"), orders: 3)
        var r = try Binaries.run("timeline-audit", ["verify", "--data", dir.sub("data"), "--progress"])
        #expect(r.status == 0 && r.stderr.hasPrefix("verified 30 of 30 events (100%), "), "\(r)")
        #expect(!r.stderr.contains("\r") && !r.stderr.contains("\u{1B}"), "no terminal controls in a file: \(r)")
        r = try Binaries.run("timeline-audit", ["verify", "--data", dir.sub("data"), "--progress", "--quiet"])
        #expect(r.status == 64 && r.stderr.contains("--quiet"), "\(r)")
    }

    @Test(
        "on a terminal, verify redraws one line in place and erases it before the report; --quiet draws none",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "script(1) gives the command a terminal")
    )
    func onATerminal() throws {
        let dir = TempDirectory("progress-tty")
        _ = try Fixture.makeStore(dir.sub("data"), orders: 3)
        let verify = "'\(Binaries.path("timeline-audit"))' verify --data '\(dir.sub("data"))'"
        // script(1) runs the command on a pseudo-terminal and copies what it wrote to stdout.
        var r = try Binaries.run("/usr/bin/script", ["-qec", verify, "/dev/null"])
        #expect(r.status == 0 && r.stdout.contains("\r\u{1B}[Kverified 30 of 30 events (100%)"), "\(r)")
        let afterLine = r.stdout.components(separatedBy: "verified 30 of 30 events").last ?? ""
        let erased = try #require(afterLine.range(of: "\r\u{1B}[K"), "the line is erased: \(r)")
        let report = try #require(afterLine.range(of: "Clean"), "\(r)")
        #expect(erased.lowerBound < report.lowerBound, "erased before the report: \(r)")
        r = try Binaries.run("/usr/bin/script", ["-qec", verify + " --quiet", "/dev/null"])
        #expect(r.status == 0 && r.stdout.contains("Clean") && !r.stdout.contains("verified") && !r.stdout.contains("\u{1B}[K"), "\(r)")
    }
}
