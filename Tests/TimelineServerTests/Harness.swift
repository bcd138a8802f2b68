import Foundation
import Synchronization
import TestSupport
import Testing
import TimelineClient
import TimelineModel

// MARK: - Running a daemon for one test

/// Starts a real `timelined` with `config`, connects a client, runs `body`,
/// then stops the daemon with SIGTERM and expects exit status 0.
func withDaemon<T>(
    _ config: DaemonConfig = DaemonConfig(),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (DaemonProcess, TimelineClient) async throws -> T
) async throws -> T {
    let daemon = try DaemonProcess(config: config)
    daemon.label = Test.current?.name ?? ""
    try await offPool { try daemon.start() }
    let client: TimelineClient
    do {
        client = try await TimelineClient.connect(socketPath: daemon.socketPath)
    } catch {
        daemon.kill()
        throw error
    }
    let result: T
    do {
        result = try await body(daemon, client)
    } catch {
        await client.close()
        let running = daemon.isRunning
        let status = try? await offPool { try daemon.stop() }
        Issue.record(
            "the test threw; timelined was \(running ? "running" : "already gone"), exit status \(status.map(String.init) ?? "?"); its log (tail):\n\(daemon.log.suffix(12000))",
            sourceLocation: sourceLocation
        )
        throw error
    }
    await client.close()
    let status = try await offPool { try daemon.stop() }
    #expect(status == 0, "timelined should drain and exit 0 on SIGTERM; its log:\n\(daemon.log)", sourceLocation: sourceLocation)
    return result
}

/// A valid moderation rules file: the repository's config/moderation.json when it exists, else `{}`.
func moderationRules(filePath: String = #filePath) -> Data {
    let repoRules = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("config/moderation.json")
    return (try? Data(contentsOf: repoRules)) ?? Data("{}".utf8)
}

/// Another client on the same daemon.
func connect(_ daemon: DaemonProcess) async throws -> TimelineClient {
    try await TimelineClient.connect(socketPath: daemon.socketPath)
}

// MARK: - Waiting and counting across tasks

/// A counter shared between tasks and threads.
final class Counter: Sendable {
    private let value = Mutex(0)
    func add(_ n: Int = 1) { value.withLock { $0 += n } }
    var current: Int { value.withLock { $0 } }
}

/// Messages collected from many tasks.
final class Notes: Sendable {
    private let items = Mutex<[String]>([])
    func add(_ item: String) { items.withLock { $0.append(item) } }
    var all: [String] { items.withLock { $0 } }
}

/// Waits until `condition` holds, polling; `false` after `timeout` seconds.
func eventually(timeout: Double = 30, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return false
}

// MARK: - Expecting errors

/// The daemon's error from `body`, or `nil` (and a recorded issue) when it
/// succeeded or failed some other way. Records an issue when the code differs.
@discardableResult
func expectFailure<T>(
    _ code: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async -> TimelineError? {
    do {
        let value = try await body()
        Issue.record("expected \(code), but the call succeeded with \(value)", sourceLocation: sourceLocation)
        return nil
    } catch let error as TimelineClientError {
        guard let remote = error.timelineError else {
            Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
            return nil
        }
        #expect(remote.code.rawValue == code, "\(remote.message)", sourceLocation: sourceLocation)
        #expect(!remote.message.isEmpty, "every error carries a message", sourceLocation: sourceLocation)
        return remote
    } catch {
        Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The error code of a call, `nil` when it succeeded (for retry loops).
func errorCode(of error: any Error) -> String? {
    (error as? TimelineClientError)?.timelineError?.code.rawValue
}

// MARK: - JSON

/// Parses one reply line.
func parseLine(_ line: [UInt8]) throws -> JSONValue { try JSONParser.parse(line) }

/// The text of a JSON value, canonical.
func text(_ value: JSONValue) -> String { CanonicalJSON.string(value) }

extension JSONValue {
    /// The integer payload as `Int`, or `nil`.
    var int: Int? { intValue.map(Int.init) }
    /// The elements of an array, or `[]`.
    var array: [JSONValue] { arrayValue ?? [] }
}

/// A `log.read` of everything from `from` on, following `next`.
func readWholeLog(_ client: TimelineClient, from: UInt64 = 1) async throws -> [JSONValue] {
    var events: [JSONValue] = []
    var position = from
    while true {
        let page = try await client.readLog(fromPosition: position, limit: 10_000)
        events += page["events"]?.array ?? []
        guard let next = page["next"]?.intValue else { return events }
        position = UInt64(next)
    }
}

/// `recordedAt` form: six fractional digits and `Z`.
func isDaemonTimestamp(_ value: JSONValue?) -> Bool {
    guard let s = value?.stringValue else { return false }
    return s.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$"#, options: .regularExpression) != nil
}
