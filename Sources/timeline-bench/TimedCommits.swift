import Histogram
import LMDB

/// Runs write transactions of `perCommit` events on `env` back to back for
/// `seconds`: `put(txn, n)` writes event number `n` (from 0). Returns the rate
/// (wall, CPU, bytes written) and each commit's latency in µs. Shared by the raw
/// LMDB baseline and the inline ceiling, so both are timed the same way.
func timedCommits(
    _ env: Environment, perCommit: Int, seconds: Double, put: (WriteTransaction, Int) throws -> Void
) throws -> (rate: Rate, commitLatency: Histogram<UInt64>) {
    var latency = latencyHistogram()
    var events = 0
    let start = now()
    let cpuStart = cpuSeconds()
    let writtenStart = bytesWritten()
    while now() - start < seconds {
        let t0 = now()
        try env.write { txn in
            for _ in 0..<perCommit {
                try put(txn, events)
                events += 1
            }
        }
        _ = latency.record(UInt64((now() - t0) * 1e6))
    }
    return (Rate(events: events, wall: now() - start, cpu: cpuSeconds() - cpuStart, written: bytesWritten() - writtenStart), latency)
}
