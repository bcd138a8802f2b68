import Foundation
import Synchronization
import Testing
import TimelineStore

/// `ParallelLogScan` carries the audit's and the rebuild's replays: every entry must
/// reach `consume` exactly once, in the walk's order, with its own transform, across
/// chunk boundaries, and every transform must be freed, whether consumed, left in
/// its slot, or stranded by an error.
@Suite("Store: the parallel log scan")
struct ParallelLogScanTests {
    /// Counts transforms made and freed.
    final class Ledger: Sendable {
        let made = Atomic<Int>(0)
        let freed = Atomic<Int>(0)

        /// Waits (at most 10 s) until every transform made was freed; the scan frees chunks on a worker.
        func allFreed() -> Bool {
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                if freed.load(ordering: .acquiring) == made.load(ordering: .acquiring) { return true }
                usleep(1_000)
            }
            return false
        }
    }

    /// A transform: the number stored in the entry's bytes.
    final class Token: Sendable {
        let number: UInt64
        let ledger: Ledger

        init(_ number: UInt64, _ ledger: Ledger) {
            self.number = number
            self.ledger = ledger
            ledger.made.add(1, ordering: .relaxed)
        }

        deinit { ledger.freed.add(1, ordering: .releasing) }
    }

    struct Stop: Error {}

    /// Runs the scan over `count` entries whose bytes hold their index (0-based) and whose
    /// keys are index + 1. The transform declines every seventh; `consume` sees each entry.
    static func scan(
        _ count: Int, ledger: Ledger, consume: (ParallelLogScan.Entry, inout Token?) throws -> Void, progress: (UInt64) -> Void = { _ in }
    ) throws {
        let numbers = (0..<UInt64(count)).map(\.littleEndian)
        try numbers.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            try ParallelLogScan.run(
                entries: { body in
                    for i in 0..<count {
                        let entry = UnsafeBufferPointer(rebasing: bytes[(i * 8)..<(i * 8 + 8)])
                        guard try body((key: UInt64(i + 1), bytes: entry)) else { return }
                    }
                },
                transform: { b in
                    let n = UnsafeRawBufferPointer(b).loadUnaligned(as: UInt64.self)
                    return n % 7 == 0 ? nil : Token(UInt64(littleEndian: n), ledger)
                },
                consume: consume,
                progress: progress
            )
        }
    }

    @Test("every entry is consumed once, in order, with its own transform, for chunk-boundary sizes", arguments: [0, 1, 511, 512, 513, 1_024, 1_500, 5_000])
    func everyEntryInOrder(count: Int) throws {
        let ledger = Ledger()
        var keys: [UInt64] = []
        var progress: [UInt64] = []
        var kept: [Token] = []
        try Self.scan(count, ledger: ledger, consume: { entry, token in
            keys.append(entry.key)
            let index = entry.key - 1
            if index % 7 == 0 {
                #expect(token == nil, "entry \(entry.key): the declined transform arrives as nil")
            } else {
                #expect(token?.number == index, "entry \(entry.key) arrives with its own transform")
                // Take every other one out of its slot; the rest are freed by the scan.
                if index % 2 == 0, let t = token { kept.append(t); token = nil }
            }
        }, progress: { progress.append($0) })
        #expect(keys == (0..<UInt64(count)).map { $0 + 1 })
        #expect(progress.last ?? 0 == UInt64(count))
        #expect(progress == progress.sorted())
        #expect(ledger.made.load(ordering: .relaxed) == count - (count + 6) / 7)
        let keptCount = kept.count
        #expect(keptCount == (0..<count).filter { $0 % 7 != 0 && $0 % 2 == 0 }.count)
        kept.removeAll()
        #expect(ledger.allFreed(), "every transform is freed, whether taken or left in its slot")
    }

    @Test("an error from consume ends the scan with that error, and no transform is leaked")
    func consumeError() throws {
        let ledger = Ledger()
        var consumed = 0
        #expect(throws: Stop.self) {
            try Self.scan(3_000, ledger: ledger, consume: { entry, _ in
                if entry.key == 700 { throw Stop() }
                consumed += 1
            })
        }
        #expect(consumed == 699)
        #expect(ledger.allFreed())
    }

    @Test("a walk that stops early consumes exactly the entries it yielded")
    func walkStops() throws {
        let ledger = Ledger()
        let numbers = (0..<UInt64(2_000)).map(\.littleEndian)
        var keys: [UInt64] = []
        try numbers.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            try ParallelLogScan.run(
                entries: { body in
                    for i in 0..<2_000 {
                        guard try body((key: UInt64(i + 1), bytes: UnsafeBufferPointer(rebasing: bytes[(i * 8)..<(i * 8 + 8)]))) else { return }
                        if i == 1_299 { return }
                    }
                },
                transform: { b in Token(UInt64(littleEndian: UnsafeRawBufferPointer(b).loadUnaligned(as: UInt64.self)), ledger) },
                consume: { entry, token in
                    #expect(token?.number == entry.key - 1)
                    keys.append(entry.key)
                }
            )
        }
        #expect(keys == Array(1...1_300))
        #expect(ledger.allFreed())
    }
}
