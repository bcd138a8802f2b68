import Dispatch
import Foundation
import Synchronization
import TimelineAudit
import TimelineClient
import TimelineModel

/// `--socket`: the log of a running `timelined`, read through `log.read` and
/// written as a JSON Lines export (one canonical recorded event per line), so
/// every command checks it with the same code as an export file. Blobs and
/// stored views are not on the wire; `--data` checks those.
enum LiveSource {
    /// Writes the daemon's log from `from` to its head into `out` (closed afterwards); returns the event count.
    static func fetch(socketPath: String, into out: FileHandle, from: UInt64 = 1) throws(AuditError) -> UInt64 {
        defer { try? out.close() }
        let result = blocking { () async throws -> UInt64 in
            let client: TimelineClient
            do { client = try await TimelineClient.connect(socketPath: socketPath) } catch {
                throw AuditError("cannot reach timelined at \(socketPath): is it running? (\(error))")
            }
            var next: UInt64? = from
            var count: UInt64 = 0
            do {
                while let position = next {
                    let page = try await client.readLog(fromPosition: position, limit: 10_000)
                    var bytes: [UInt8] = []
                    for event in page["events"]?.arrayValue ?? [] {
                        CanonicalJSON.write(event, into: &bytes)
                        bytes.append(0x0A)
                        count += 1
                    }
                    try out.write(contentsOf: bytes)
                    next = page["next"]?.intValue.map { UInt64($0) }
                }
            } catch {
                await client.close()
                throw AuditError("reading the log from timelined at \(socketPath) failed: \(error)")
            }
            await client.close()
            return count
        }
        switch result {
        case .success(let count): return count
        case .failure(let error as AuditError): throw error
        case .failure(let error): throw AuditError("reading the log from timelined at \(socketPath) failed: \(error)")
        }
    }

    /// Runs `body` on a task and waits for it: the command-line tool's commands are synchronous.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> Result<T, any Error> {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return outcome.withLock { $0 } ?? .failure(AuditError("the read from the daemon ended without a result"))
    }
}
