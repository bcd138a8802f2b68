import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

/// Where each part of a store lives inside its data directory (ARCHITECTURE.md v2):
/// `log/` is the durable truth, `views/` is derived from it and may be rebuilt.
public struct DataLayout: Sendable {
    /// The data directory.
    public let root: String

    /// A layout rooted at `root`.
    public init(root: String) { self.root = root }

    /// The log environment (fsync at every commit).
    public var log: String { root + "/log" }
    /// The views environment (`MDB_NOSYNC`).
    public var views: String { root + "/views" }
    /// A views environment being rebuilt; swapped in for ``views`` once complete.
    var viewsBuilding: String { root + "/views.new" }
    /// The previous views while a rebuilt one is swapped in.
    var viewsRetired: String { root + "/views.old" }

    /// Whether the directory holds a store of the single-environment layout
    /// (before v2): `data.mdb` directly in it.
    public var holdsSingleEnvironmentStore: Bool { FileSystem.exists(root + "/data.mdb") }

    /// Whether the directory holds a v2 store (a `log/` environment).
    public var holdsStore: Bool { FileSystem.exists(log + "/data.mdb") }

    /// The refusal for a directory in the old layout.
    public var singleEnvironmentRefusal: TimelineError {
        TimelineError(
            .internal,
            "the data directory \(root) holds a store in the old single-environment layout (data.mdb); stop the daemon and convert it with `timelinectl migrate --data \(root)`, then start again"
        )
    }
}

/// The few file operations the store needs beside LMDB (no Foundation).
enum FileSystem {
    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// The file's size in bytes (0 when it cannot be read).
    static func size(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    /// The whole file, or `nil` when it cannot be read.
    static func read(_ path: String, limit: Int = 1 << 16) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while out.count < limit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { return nil }
            if n == 0 { break }
            out += chunk[0..<n]
        }
        return out
    }

    /// Replaces `path` with `bytes` durably: a temporary file, fsync, rename, fsync of the directory.
    static func writeDurably(_ bytes: [UInt8], to path: String) throws(TimelineError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw failure("create", temporary) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0 else { throw failure("write", temporary) }
        guard rename(temporary, path) == 0 else { throw failure("rename", temporary) }
        syncDirectory(of: path)
    }

    /// fsync of the directory holding `path`, so a rename in it is durable.
    static func syncDirectory(of path: String) {
        let parent = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let fd = open(parent.isEmpty ? "." : parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// Removes a directory and the files in it (LMDB directories are flat).
    static func removeFlatDirectory(_ path: String) {
        guard let dir = opendir(path) else { return }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            unlink(path + "/" + name)
        }
        closedir(dir)
        rmdir(path)
    }

    static func makeDirectory(_ path: String) { mkdir(path, 0o750) }

    private static func failure(_ what: String, _ path: String) -> TimelineError {
        TimelineError(.internal, "cannot \(what) \(path): \(String(cString: strerror(errno))); check the data directory's permissions and free space")
    }
}
