import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Why a tmpfs could not be mounted (not root, no CAP_SYS_ADMIN, no `mount`).
public struct TmpfsMountError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A small tmpfs mounted for one test: a filesystem that really fills up.
///
/// ```swift
/// let fs = try TmpfsMount(at: scratch.makeDirectory("fs"), megabytes: 24)
/// defer { fs.unmount() }
/// try fs.resize(megabytes: 48)          // mount -o remount,size=48m
/// ```
///
/// Mounting needs root (or CAP_SYS_ADMIN); the error says so when it is not
/// permitted. Unmounted (lazily, `umount -l`) by ``unmount()`` or when the
/// value goes away. Thread rule: one test drives it.
public final class TmpfsMount: @unchecked Sendable {
    /// The mount point.
    public let path: String
    private var mounted = false

    /// Mounts a tmpfs of `megabytes` MiB on the existing directory `path`.
    public init(at path: String, megabytes: Int) throws(TmpfsMountError) {
        self.path = path
        guard geteuid() == 0 else {
            throw TmpfsMountError("mounting a tmpfs needs root (euid is \(geteuid())); run the test as root to exercise a full disk")
        }
        try Self.mount(["-t", "tmpfs", "-o", "size=\(megabytes)m,mode=0755", "tmpfs", path])
        mounted = true
    }

    deinit { unmount() }

    /// Changes the size in place (`mount -o remount,size=…`); files stay.
    public func resize(megabytes: Int) throws(TmpfsMountError) {
        try Self.mount(["-o", "remount,size=\(megabytes)m", path])
    }

    /// Unmounts (lazily, so a process still holding a file there does not keep it busy).
    public func unmount() {
        guard mounted else { return }
        mounted = false
        guard let binary = ["/usr/bin/umount", "/bin/umount"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return }
        _ = try? Self.run(binary, ["-l", path])
    }

    /// Bytes still free on the filesystem.
    public var availableBytes: Int {
        var fs = statvfs()
        guard statvfs(path, &fs) == 0 else { return 0 }
        return Int(fs.f_bavail) * Int(fs.f_frsize)
    }

    /// Writes `bytes` real (non-sparse) bytes to `name` on the mount; returns its path.
    @discardableResult
    public func fill(_ name: String, bytes: Int) throws -> String {
        let file = path + "/" + name
        try Data(repeating: 0xA5, count: bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    private static func mount(_ arguments: [String]) throws(TmpfsMountError) {
        let binary = ["/usr/bin/mount", "/bin/mount"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let binary else { throw TmpfsMountError("no mount binary in /usr/bin or /bin") }
        let result: (status: Int32, output: String)
        do {
            result = try run(binary, arguments)
        } catch {
            throw TmpfsMountError("mount \(arguments.joined(separator: " ")) could not run: \(error)")
        }
        guard result.status == 0 else {
            throw TmpfsMountError("mount \(arguments.joined(separator: " ")) failed (exit \(result.status)): \(result.output)")
        }
    }

    private static func run(_ binary: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
