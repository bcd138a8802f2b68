import LMDB
import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

/// Opens views/ for a writable store and brings it up to the log
/// (ARCHITECTURE.md "Start, crash and recovery"):
/// - views/ trusted (its state file says so, its format, projection version and
///   timer settings are current, and `applied` names a record the log holds with
///   that very hash): the records after `applied` are replayed into it;
/// - otherwise a fresh environment is built from the whole log in `views.new/`
///   and swapped in (`views/` → `views.old/`, `views.new/` → `views/`, then the old
///   one removed), so a crash at any point leaves either the old views, no views
///   (rebuilt at the next start) or the complete new ones.
struct ViewsRecovery {
    let layout: DataLayout
    let configuration: StoreConfiguration
    let logEnv: Environment
    let log: LogTables
    let head: ChainHead

    struct Opened {
        var env: Environment
        var tables: ViewTables
        var applied: ChainHead
        var action: RecoveryReport.Action
        var reason: String?
        var events: UInt64
    }

    func open() throws(TimelineError) -> Opened {
        try finishInterruptedSwap()
        if let reason = distrust() {
            return try rebuild(because: reason)
        }
        // From here on views/ change (replay, map growth): should the machine crash
        // before the daemon closes cleanly, the next boot must not trust them.
        try ViewsState(format: ViewsState.formatVersion, bootId: BootId.current(), clean: false).write(viewsDirectory: layout.views)
        let env: Environment, tables: ViewTables
        do {
            env = try TimelineStore.openEnvironment(layout.views, flags: flags, configuration: configuration, databases: ViewTables.count)
            tables = try ViewTables(environment: env, create: true)
        } catch {
            return try rebuild(because: "views/ cannot be opened (\(error))")
        }
        if let reason = try staleness(env, tables) { return try rebuild(because: reason) }
        let applied = try TimelineStore.readApplied(env, tables)
        let replayed = try ViewsReplay(logEnv: logEnv, log: log, viewsEnv: env, views: tables, configuration: configuration)
            .replay(after: applied, through: head)
        return Opened(env: env, tables: tables, applied: head, action: replayed > 0 ? .replayed : .none, reason: nil, events: replayed)
    }

    var flags: Environment.Flags { [.noSync, .noReadahead] }

    /// Completes or undoes a swap a crash interrupted. `views.new/state` is
    /// written only once the rebuilt environment is complete and on disk, so a
    /// `views.new/` with it is swapped in; one without it is a partial build and
    /// removed. A retired `views.old/` is put back only when nothing replaces it.
    private func finishInterruptedSwap() throws(TimelineError) {
        if FileSystem.exists(layout.viewsBuilding + "/state") {
            if FileSystem.exists(layout.views) {
                FileSystem.removeFlatDirectory(layout.viewsRetired)
                _ = rename(layout.views, layout.viewsRetired)
            }
            guard rename(layout.viewsBuilding, layout.views) == 0 else {
                throw TimelineError(.internal, "cannot move the rebuilt views \(layout.viewsBuilding) into \(layout.views); check the data directory's permissions")
            }
            FileSystem.syncDirectory(of: layout.views)
        }
        FileSystem.removeFlatDirectory(layout.viewsBuilding)
        if FileSystem.exists(layout.viewsRetired) {
            if !FileSystem.exists(layout.views) { _ = rename(layout.viewsRetired, layout.views) } else { FileSystem.removeFlatDirectory(layout.viewsRetired) }
        }
    }

    /// Why views/ must be rebuilt before anything reads it, judged from files alone.
    private func distrust() -> String? {
        guard FileSystem.exists(layout.views + "/data.mdb") else { return "views/ is missing" }
        return ViewsState.distrust(ViewsState.read(viewsDirectory: layout.views), bootId: BootId.current())
    }

    /// Why an opened views/ does not match the log or this daemon's settings.
    private func staleness(_ env: Environment, _ tables: ViewTables) throws(TimelineError) -> String? {
        do {
            return try env.read { txn -> String? in
                let version = try txn.get(tables.meta, key: ViewStateKey.projectionVersion).map { Keys.readUInt64($0) }
                if version != ViewsState.formatVersion { return "views/ was derived with projection version \(version.map(String.init) ?? "none"), not \(ViewsState.formatVersion)" }
                let timers = try txn.get(tables.meta, key: ViewStateKey.timerSettings).flatMap(TimelineStore.decodeTimerSettings)
                if timers != configuration.timers { return "the timer settings changed since views/ was derived" }
                let applied = try TimelineStore.applied(in: txn, tables: tables)
                if applied.position > head.position { return "views/ has applied position \(applied.position), past the log's head \(head.position)" }
                if applied.position > 0 {
                    let hash = try logEnv.read { logTxn in try logTxn.get(log.records, key: Keys.position(applied.position)).map { try RecordedEvent(bytes: $0.assumingMemoryBound(to: UInt8.self)).hash } }
                    if hash != applied.hash { return "views/ applied position \(applied.position) with a hash the log does not have there" }
                }
                return nil
            }
        } catch {
            return "views/ cannot be read (\(error))"
        }
    }

    /// Builds views/ anew from the log and swaps it in.
    private func rebuild(because reason: String) throws(TimelineError) -> Opened {
        let building = layout.viewsBuilding
        FileSystem.removeFlatDirectory(building)
        FileSystem.makeDirectory(building)
        var summary: RebuildSummary
        do {
            let env = try TimelineStore.openEnvironment(building, flags: flags, configuration: configuration, databases: ViewTables.count)
            let tables = try ViewTables(environment: env, create: true)
            summary = try ViewsBuilder(
                logEnv: logEnv, log: log, viewsEnv: env, views: tables, configuration: configuration, chunkRecords: max(1, configuration.rebuildChunkRecords)
            ).build()
            try env.sync(force: true)
        } catch let error as TimelineError {
            throw error
        } catch {
            throw TimelineError(.internal, "rebuilding views/ in \(building) failed: \(error); the log is untouched, free space and start again")
        }
        // Complete and on disk: the marker that lets an interrupted swap be finished.
        try ViewsState(format: ViewsState.formatVersion, bootId: BootId.current(), clean: true).write(viewsDirectory: building)
        if FileSystem.exists(layout.views) { _ = rename(layout.views, layout.viewsRetired) }
        guard rename(building, layout.views) == 0 else {
            throw TimelineError(.internal, "cannot move the rebuilt views into \(layout.views); check the data directory's permissions")
        }
        FileSystem.syncDirectory(of: layout.views)
        FileSystem.removeFlatDirectory(layout.viewsRetired)
        try ViewsState(format: ViewsState.formatVersion, bootId: BootId.current(), clean: false).write(viewsDirectory: layout.views)
        do {
            let env = try TimelineStore.openEnvironment(layout.views, flags: flags, configuration: configuration, databases: ViewTables.count)
            let tables = try ViewTables(environment: env, create: true)
            return Opened(env: env, tables: tables, applied: try TimelineStore.readApplied(env, tables), action: .rebuilt, reason: reason, events: summary.events)
        } catch let error as TimelineError {
            throw error
        } catch {
            throw TimelineError(.internal, "cannot open the rebuilt views in \(layout.views): \(error)")
        }
    }
}
