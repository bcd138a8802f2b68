import Testing
import TimelineModel
import TimelineStore
import TestSupport
@testable import TimelineAudit

/// The store checks run the `orderEvents` index check on another core only when a
/// second snapshot reads the very same committed state; otherwise they run it in line.
/// Either way the findings are the same.
@Suite("store checks on two snapshots")
struct StoreChecksTests {
    /// A store whose `orderEvents` index lacks A-1001's revision 3 (one index_mismatch).
    static func storeMissingAnIndexEntry(_ dir: TempDirectory) throws -> TimelineStore {
        _ = try Fixture.makeStore(dir.sub("built"))  // built, then closed
        try Fixture.copy(dir.sub("built"), to: dir.sub("store"))
        do {
            let tamperer = try Tamperer(dir.sub("store"))
            try tamperer.delete("orderEvents", key: Array("A-1001".utf8) + [0] + Tamperer.key(3))
        }
        var config = StoreConfiguration(path: dir.sub("store"))
        config.durability = .relaxed
        return try TimelineStore(configuration: config, moderation: .builtIn())
    }

    /// Replays `snap` the way ``Auditor`` does, then runs the store checks with `twin`.
    static func findings(_ snap: AuditSnapshot, twin: AuditSnapshot?) throws -> [Finding] {
        let head = try snap.head()
        var replay = ChainReplay(start: 1, indexCapacity: Int(head.position) + 1)
        try ParallelScan.run(snap, into: &replay) { _ in }
        replay.finish()
        var findings = replay.findings
        var report = AuditReport(kind: "store", source: "test")
        try StoreChecks(snap: snap, replay: replay, logReplay: replay).run(into: &findings, report: &report, twin: twin)
        return findings.sorted { "\($0)" < "\($1)" }
    }

    @Test("a twin of the same state, none, or one a write moved on give the same findings")
    func sameFindingsEitherWay() throws {
        let dir = TempDirectory("twin")
        let store = try Self.storeMissingAnIndexEntry(dir)
        try store.withAuditSnapshot { snap in
            let inLine = try Self.findings(snap, twin: nil)
            #expect(inLine.map(\.code) == [.indexMismatch], "\(inLine)")
            #expect(inLine.first?.position == 14)
            let beside = try store.withAuditSnapshot { twin in
                #expect(twin.snapshotID == snap.snapshotID)
                return try Self.findings(snap, twin: twin)
            }
            #expect(beside == inLine)
            // A write lands between the two snapshots: the twin reads another state and is not used.
            try Fixture.commit(store, [AppendRequest(order: "A-1000", events: [
                Fixture.event("late-1", "support.note", Fixture.staff, ["text": "written during the audit"]),
            ])])
            let moved = try store.withAuditSnapshot { twin in
                #expect(twin.snapshotID != snap.snapshotID)
                return try Self.findings(snap, twin: twin)
            }
            #expect(moved == inLine)
        }
    }
}
