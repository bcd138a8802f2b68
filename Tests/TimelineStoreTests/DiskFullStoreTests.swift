import Foundation
import TestSupport
import Testing
import TimelineModel
import TimelineStore

@Suite("Store: a full filesystem", .serialized)
struct DiskFullStoreTests {
    @Test("commits on a filesystem that fills up are refused with storage_full, never internal, and succeed again once space returns")
    func fullFilesystemIsStorageFull() throws {
        let scratch = try ScratchDirectory()
        let fs: TmpfsMount
        do {
            fs = try TmpfsMount(at: try scratch.makeDirectory("fs"), megabytes: 12)
        } catch {
            try Test.cancel(Comment(rawValue: "skipped, no filesystem to fill: \(error)"))
        }
        defer { fs.unmount() }
        let filler = try fs.fill("filler", bytes: 4 << 20)
        var configuration = StoreConfiguration(path: fs.path + "/store")
        configuration.initialMapSizeBytes = 1 << 20
        configuration.mapGrowthBytes = 2 << 20
        configuration.maxMapSizeBytes = 1 << 30
        configuration.durability = .relaxed
        var store: TimelineStore? = try TimelineStore(configuration: configuration, moderation: .builtIn())
        defer { store = nil }
        let s = try #require(store)

        var script = OrderScript(order: "DF-1")
        _ = try s.commit([AppendRequest(order: "DF-1", events: [script.placed(), script.paid()])])[0].get()
        var refusal: TimelineError?
        var commits = 0
        // Many commits of ~40 KB each; the last ones no longer fit, some of them short-written.
        while refusal == nil && commits < 2000 {
            let events = (0..<10).map { k in script.chat(MapGrowthTests.text(4000, commits * 10 + k), by: script.seller) }
            if case .failure(let error) = s.commit([AppendRequest(order: "DF-1", events: events)])[0] { refusal = error }
            commits += 1
        }
        let error = try #require(refusal, "12 MiB filled without a refusal after \(commits) commits")
        #expect(error.code == .storageFull, "a full disk is storage_full, not \(error.code): \(error.message)")
        // Either the log could not take the batch (nothing written), or the log took it and
        // views/ could not (it waits and is applied with the next commit).
        let loggedFirst = error.message.contains("recorded in the log")
        #expect(loggedFirst || error.message.contains("nothing was written"), "\(error.message)")
        let head = s.logHead
        #expect(try s.counts().events == s.head.position, "views/ show exactly what they applied")
        #expect(loggedFirst || s.head == head, "a refused log commit left no trace")

        try FileManager.default.removeItem(atPath: filler)
        let next = try s.commit([AppendRequest(order: "DF-1", events: [script.chat("space is back", by: script.seller)])])[0].get()
        #expect(next.events[0].position == head.position + 1)
        #expect(next.records[0].prevHash == head.hash)
        #expect(s.head == s.logHead, "the waiting batch was applied with this one")
    }
}
