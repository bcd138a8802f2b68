import Foundation

/// A fresh directory under the system's temporary folder that is removed,
/// with everything in it, when the last reference goes away.
///
/// ```swift
/// let dir = try TempDirectory()
/// let env = try Environment(path: dir.path, mapSize: 1 << 20)
/// ```
public final class TempDirectory: Sendable {
    /// The absolute path of the directory (it exists until `deinit`).
    public let path: String

    /// Creates a new, empty directory whose name starts with `prefix`.
    public init(prefix: String = "ordertimeline-test") throws {
        var template = Array("\(NSTemporaryDirectory())/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in mkdtemp(buffer.baseAddress!) }
        guard made != nil else { throw CocoaError(.fileWriteUnknown) }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            .replacingOccurrences(of: "//", with: "/")
    }

    /// The path of `name` inside this directory, created as a directory when `create` is set.
    public func subdirectory(_ name: String, create: Bool = false) throws -> String {
        let sub = "\(path)/\(name)"
        if create { try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true) }
        return sub
    }

    /// The size in bytes of the file at `relativePath`, or `nil` when it is missing.
    public func fileSize(_ relativePath: String) -> Int? {
        let attributes = try? FileManager.default.attributesOfItem(atPath: "\(path)/\(relativePath)")
        return (attributes?[.size] as? NSNumber)?.intValue
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
