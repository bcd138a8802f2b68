import Testing
import TestSupport
import TimelineModel
import TimelineStore

/// The store id: made once per data directory, kept across restarts and by backups.
@Suite("store id")
struct StoreIdTests {
    @Test("the first open makes a 32-hex-digit id; reopening and a backup keep it; another directory gets another")
    func storeIdKept() throws {
        let harness = try StoreHarness()
        let id = try #require(harness.store.storeId)
        #expect(id.count == 32 && Hashing.bytes(fromHex: id)?.count == 16)
        try harness.reopen()
        #expect(harness.store.storeId == id)
        let backup = try harness.directory.subdirectory("backup")
        _ = try harness.store.backup(to: backup)
        var copy = StoreConfiguration(path: backup)
        copy.readOnly = true
        #expect(try TimelineStore(configuration: copy, moderation: .builtIn()).storeId == id)
        #expect(try StoreHarness().store.storeId != id)
    }
}
