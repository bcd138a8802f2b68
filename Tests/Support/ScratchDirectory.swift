import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory with a short path (`/tmp/tld-XXXXXX`), removed with
/// everything in it when the last reference goes away.
///
/// The path is short on purpose: a Unix socket path must fit in
/// `sockaddr_un.sun_path` (108 bytes), so daemon sockets live in here.
///
/// ```swift
/// let scratch = try ScratchDirectory()
/// let socket = scratch.file("timelined.sock")
/// ```
public final class ScratchDirectory: Sendable {
    /// The absolute path of the directory (it exists until `deinit`).
    public let path: String

    /// Creates a new, empty directory under `/tmp`.
    public init() throws {
        var template = Array("/tmp/tld-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in mkdtemp(buffer.baseAddress!) }
        guard made != nil else { throw CocoaError(.fileWriteUnknown) }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// The path of `name` inside this directory (nothing is created).
    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Creates the directory `name` inside this one and returns its path.
    @discardableResult
    public func makeDirectory(_ name: String) throws -> String {
        let sub = file(name)
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        return sub
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
