import ArgumentParser
import Foundation
import TerminalProgress
import TimelineModel
import TimelineStore

/// `timelinectl migrate`: the one command that works on a data directory
/// rather than a daemon. It converts a store of the single-environment layout
/// into the v2 layout (`log/` + `views/`), offline, under the directory's lock.
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Converts a stopped daemon's data directory from the single-environment layout (data.mdb) to log/ + views/.",
        discussion: """
            Copies the log's records, blobs and head byte for byte into DIR/log, checks the copy, and moves the old \
            data.mdb to DIR/pre-v2 (delete it once `timeline-audit verify --data DIR` is clean). views/ is rebuilt by \
            the daemon at its next start. Refused while a daemon holds DIR; an interrupted run is simply run again.
            """
    )

    @Option(help: "The data directory (the daemon's dataDirectory).") var data: String
    @Flag(help: "Print the result as JSON.") var json = false
    @Flag(help: "Show no progress on stderr (it shows only on a terminal anyway).") var quiet = false

    func run() throws {
        let started = Date()
        let report: MigrationReport
        let progress = ProgressLine(quiet: quiet)
        do {
            defer { progress.finish() }
            report = try StoreMigration.migrate(dataDirectory: data) { done, total in
                progress.count(done, of: total, "records", verb: "copied")
            }
        } catch {
            fail("\(error.code.rawValue): \(error.message)")
            throw ExitCode(1)
        }
        let seconds = Date().timeIntervalSince(started)
        if json {
            print(CanonicalJSON.string(.object([
                "records": .int(Int64(report.records)), "blobs": .int(Int64(report.blobs)),
                "head": .int(Int64(report.head.position)), "headHash": .string(report.head.hash), "retired": .string(report.retired),
            ])))
        } else {
            print(
                "Migrated \(data): \(report.records) records and \(report.blobs) blobs copied to \(data)/log in \(String(format: "%.1f", seconds)) s, head at position \(report.head.position). The old files are in \(report.retired): delete them once `timeline-audit verify --data \(data)` is clean. Start the daemon: it rebuilds views/ from the log."
            )
        }
    }
}
