import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One status line on standard error for long work in the command-line tools:
/// a count (`verified 200000 of 1000000 events (20%), 1.4 s`) or a spinner with
/// the elapsed time while one long request runs.
///
/// It is silent unless enabled: by default only when standard error is a
/// terminal and the user did not pass `--quiet`, so pipes, log files and tests
/// see nothing. On a terminal it redraws one line in place (at most every
/// `minimumInterval`) and ``finish()`` erases it, leaving the terminal as it
/// was before the command's own output. Forced onto something that is not a
/// terminal (`force: true`), it writes plain lines instead, at most one a second.
///
/// ```swift
/// let progress = ProgressLine(quiet: quiet)
/// let reply = try await progress.whileWaiting("rebuilding the projections") {
///     try await client.call("admin.rebuild")
/// }
/// ```
public final class ProgressLine: @unchecked Sendable {
    // Thread rule: `lastDraw`, `drawn` and `finished` are read and written only
    // with `lock` held, and every write to standard error happens under it too,
    // so a ticker and the caller never interleave half lines.

    /// Whether anything is ever written.
    public let isEnabled: Bool

    private let onTerminal: Bool
    private let minimumInterval: Duration
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private let lock = NSLock()
    private var lastDraw: ContinuousClock.Instant?
    private var drawn = false
    private var finished = false

    private static let spinner: [Character] = ["|", "/", "-", "\\"]

    /// A progress line on standard error.
    /// - Parameters:
    ///   - quiet: `--quiet`: never write anything.
    ///   - force: write even when standard error is not a terminal (plain lines then).
    ///   - minimumInterval: the least time between two redraws on a terminal.
    public init(quiet: Bool = false, force: Bool = false, minimumInterval: Duration = .milliseconds(100)) {
        let terminal = isatty(STDERR_FILENO) == 1
        onTerminal = terminal
        isEnabled = !quiet && (force || terminal)
        self.minimumInterval = terminal ? minimumInterval : max(minimumInterval, .seconds(1))
        started = clock.now
    }

    /// Shows `done` of `total` (with a percentage when `total` is known), the
    /// elapsed time, and `verb` and `noun`: `copied 20000 of 90000 records (22%), 0.3 s`.
    public func count(_ done: some BinaryInteger, of total: some BinaryInteger, _ noun: String, verb: String) {
        var text = "\(verb) \(done) of \(total) \(noun)"
        if total > 0 { text += " (\(Int(done) * 100 / max(Int(total), 1))%)" }
        show(text)
    }

    /// Shows `text` followed by the elapsed time, unless the line was redrawn
    /// less than `minimumInterval` ago or ``finish()`` was called.
    public func show(_ text: String) {
        guard isEnabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = clock.now
        if finished { return }
        if let lastDraw, now - lastDraw < minimumInterval { return }
        lastDraw = now
        drawn = true
        let line = "\(text), \(Self.seconds(now - started)) s"
        // One row only: a wrapped line could not be erased by the next `\r`.
        write(onTerminal ? "\r\u{1B}[K" + String(line.prefix(max(Self.columns() - 1, 10))) : line + "\n")
    }

    /// Ends the line: erases it on a terminal; nothing is shown afterwards.
    /// Call it before printing the command's result or an error.
    public func finish() {
        guard isEnabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if finished { return }
        finished = true
        if drawn && onTerminal { write("\r\u{1B}[K") }
    }

    /// Runs `body` with a spinner before `label` and the elapsed time after it
    /// (`/ rebuilding the projections from the log, 2.4 s`) until it returns or
    /// throws, then ends the line (``finish()``).
    public func whileWaiting<T>(_ label: String, _ body: () async throws -> T) async rethrows -> T {
        guard isEnabled else { return try await body() }
        let ticker = Task { [self] in
            var frame = 0
            while !Task.isCancelled {
                show("\(Self.spinner[frame % Self.spinner.count]) \(label)")
                frame += 1
                try? await Task.sleep(for: minimumInterval)
            }
        }
        defer {
            ticker.cancel()
            finish()
        }
        return try await body()
    }

    // MARK: - Writing

    private func write(_ text: String) {
        // A closed or full standard error is not worth failing the command for.
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }

    /// The terminal's width in columns (80 when it cannot be asked).
    private static func columns() -> Int {
        #if canImport(Glibc)
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        #endif
        return 80
    }

    private static func seconds(_ elapsed: Duration) -> String {
        let (s, attoseconds) = elapsed.components
        return "\(s).\(attoseconds / 100_000_000_000_000_000)"
    }
}
