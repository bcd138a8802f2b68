import LMDB
import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

extension TimelineStore {
    /// Writes a consistent, compacted copy of the store into `directory`
    /// (created if missing; its `log/` and `views/` must not exist yet). Runs
    /// beside appends. views/ is copied first and the log after it, so the copy's
    /// log holds every record its views reflect: opened by a daemon, the copy
    /// replays the few records its views lack, as after kill -9.
    public func backup(to directory: String) throws(TimelineError) -> (bytes: Int, head: ChainHead) {
        let copy = DataLayout(root: directory)
        FileSystem.makeDirectory(directory)
        if copy.holdsStore || FileSystem.exists(copy.views) {
            throw TimelineError(.badRequest, "\(directory) already holds a store; give an empty directory")
        }
        FileSystem.makeDirectory(copy.views)
        FileSystem.makeDirectory(copy.log)
        do {
            try viewsEnv.copy(to: copy.views, compact: true)
            try logEnv.copy(to: copy.log, compact: true)
        } catch {
            throw TimelineError(.internal, "the backup to \(directory) failed: \(error.message); give an empty directory the daemon can write")
        }
        for file in [copy.views + "/data.mdb", copy.log + "/data.mdb"] where !Self.fsyncFile(file) {
            throw TimelineError(.internal, "the backup to \(directory) could not be flushed to disk (\(file)); the copy is not usable, give another directory")
        }
        FileSystem.syncDirectory(of: copy.views)
        FileSystem.syncDirectory(of: copy.log)
        // The copied views are whole on disk: "clean" (ViewsState) says their pages can
        // be trusted under any boot. They may lag the copied log; the first start replays the rest.
        try ViewsState(format: ViewsState.formatVersion, bootId: BootId.current(), clean: true).write(viewsDirectory: copy.views)
        let bytes = Self.fileSize(copy.views + "/data.mdb") + Self.fileSize(copy.log + "/data.mdb")
        let head = try Self.readCopiedHead(copy, configuration: configuration)
        return (bytes, head)
    }

    /// The log head of a copy, read from its own log.
    private static func readCopiedHead(_ copy: DataLayout, configuration: StoreConfiguration) throws(TimelineError) -> ChainHead {
        do {
            let env = try openEnvironment(copy.log, flags: [.readOnly], configuration: configuration, databases: LogTables.count)
            let tables = try LogTables(environment: env, create: false)
            return try readHead(env, tables)
        } catch let error as TimelineError {
            throw error
        } catch {
            throw openFailure(error, path: copy.log)
        }
    }

    static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    /// Flushes the file `path` to disk; `false` when it cannot be opened or flushed.
    static func fsyncFile(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return fsync(fd) == 0
    }
}
