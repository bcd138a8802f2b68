import Foundation
import Testing

/// `scripts/install.sh --no-build` run on the binaries this test run built:
/// the four executables and the shell completions land under DESTDIR/PREFIX.
@Suite("install.sh")
struct InstallTests {
    static let script = Binaries.packageRoot + "/scripts/install.sh"
    /// The folder the tests' binaries were built into (.build/<triple>/debug).
    static var buildDirectory: String { URL(fileURLWithPath: Binaries.path("timelinectl")).deletingLastPathComponent().path }

    /// Runs install.sh with `environment` set (through env(1)) and `arguments`.
    static func install(_ arguments: [String], environment: [String: String]) throws -> Binaries.Result {
        try Binaries.run("/usr/bin/env", environment.map { "\($0.key)=\($0.value)" } + ["bash", script] + arguments)
    }

    static func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// What the bash completion script `file` offers for the command line `words`
    /// (a command and its words, the last being the one completed), as a Tab would.
    static func complete(_ file: String, _ words: [String]) throws -> [String] {
        let script = #"""
            source "$1"; shift
            COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
            "_$1" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
            printf '%s\n' "${COMPREPLY[@]}"
            """#
        let r = try Binaries.run("/bin/bash", ["-c", script, "bash", file] + words)
        return r.stdout.split(separator: "\n").map(String.init)
    }

    @Test("install.sh --no-build installs the binaries into DESTDIR/PREFIX/bin and the bash, zsh and fish completions under share")
    func installsBinariesAndCompletions() throws {
        let dir = TempDirectory("install")
        let r = try Self.install(["--no-build", "--build-dir", Self.buildDirectory], environment: ["DESTDIR": dir.sub("stage"), "PREFIX": "/opt/ot"])
        #expect(r.status == 0, "\(r)")
        let root = dir.sub("stage") + "/opt/ot"
        let files = FileManager.default
        for name in ["timelined", "timelinectl", "timeline-audit", "timeline-relay"] {
            #expect(files.isExecutableFile(atPath: "\(root)/bin/\(name)"), "\(name) is installed and executable: \(r)")
        }
        for name in ["timelinectl", "timeline-audit"] {
            for file in ["share/bash-completion/completions/\(name)", "share/zsh/site-functions/_\(name)", "share/fish/vendor_completions.d/\(name).fish"] {
                #expect(!Self.text("\(root)/\(file)").isEmpty, "\(file) is written: \(r)")
            }
            let check = try Binaries.run("/bin/bash", ["-n", "\(root)/share/bash-completion/completions/\(name)"])
            #expect(check.status == 0, "bash accepts the completion script of \(name): \(check)")
        }
        let ctl = Self.text(root + "/share/bash-completion/completions/timelinectl")
        for word in ["status", "rebuild", "backup", "migrate", "--socket"] { #expect(ctl.contains(word), "timelinectl's completion offers \(word)") }
        let audit = Self.text(root + "/share/bash-completion/completions/timeline-audit")
        for word in ["verify", "timeline", "export", "check-proof"] { #expect(audit.contains(word), "timeline-audit's completion offers \(word)") }
        #expect(Self.text(root + "/share/zsh/site-functions/_timelinectl").hasPrefix("#compdef timelinectl"))

        // Sourced, the bash scripts complete subcommands and flags.
        let bash = root + "/share/bash-completion/completions/"
        #expect(try Self.complete(bash + "timelinectl", ["timelinectl", "re"]) == ["rebuild", "reload-moderation", "redact", "restore"])
        #expect(try Self.complete(bash + "timelinectl", ["timelinectl", "rebuild", "--q"]) == ["--quiet"])
        #expect(try Self.complete(bash + "timeline-audit", ["timeline-audit", "ve"]) == ["verify"])
        #expect(!files.fileExists(atPath: "/opt/ot/bin/timelinectl"), "nothing is written outside DESTDIR")
    }

    @Test("install.sh refuses an unknown argument and --build-dir without --no-build (64), and a build directory without the binaries (1)")
    func refusals() throws {
        let dir = TempDirectory("install-bad")
        let env = ["DESTDIR": dir.sub("stage")]
        var r = try Self.install(["--frobnicate"], environment: env)
        #expect(r.status == 64 && r.stderr.contains("unknown argument"), "\(r)")
        r = try Self.install(["--build-dir", Self.buildDirectory], environment: env)
        #expect(r.status == 64 && r.stderr.contains("--no-build"), "\(r)")
        try FileManager.default.createDirectory(atPath: dir.sub("empty"), withIntermediateDirectories: true)
        r = try Self.install(["--no-build", "--build-dir", dir.sub("empty")], environment: env)
        #expect(r.status == 1 && r.stderr.contains("timelined is missing"), "\(r)")
        #expect(!FileManager.default.fileExists(atPath: dir.sub("stage")), "nothing was installed")
    }
}
