import Foundation

/// Runs blocking work (process waits, raw socket reads) on its own thread so
/// it never holds one of the few cooperative threads other tests need.
///
/// The closure is released before the caller resumes, so what it captured (a
/// daemon, a scratch directory) is cleaned up then, not whenever the thread ends.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    let work = Work(body)
    return try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: work.run()) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}

/// A closure run once and dropped right after.
private final class Work<T: Sendable>: @unchecked Sendable {
    private var body: (@Sendable () throws -> T)?
    init(_ body: @escaping @Sendable () throws -> T) { self.body = body }

    func run() -> Result<T, any Error> {
        guard let body else { return .failure(CancellationError()) }
        self.body = nil
        return Result { try body() }
    }
}

