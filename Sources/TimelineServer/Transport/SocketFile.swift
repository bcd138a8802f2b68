import Foundation
import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

/// The socket file: a stale one is removed, a live one refused; mode and group set after binding.
enum SocketFile {
    static func prepare(_ path: String) throws(TimelineError) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        guard FileManager.default.fileExists(atPath: path) else { return }
        if isAnswering(path) {
            throw TimelineError(.internal, "another daemon answers on \(path); stop it or choose another --socket")
        }
        unlink(path)
    }

    /// `true` when something accepts connections on the socket at `path`.
    static func isAnswering(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return result == 0
    }

    static func applyPermissions(_ path: String, mode: UInt32, group: String?) throws(TimelineError) {
        if chmod(path, mode_t(mode)) != 0 {
            throw TimelineError(.internal, "cannot set mode \(String(mode, radix: 8)) on \(path): \(String(cString: strerror(errno)))")
        }
        guard let group else { return }
        var gid: gid_t
        if let numeric = UInt32(group) {
            gid = numeric
        } else if let entry = getgrnam(group) {
            gid = entry.pointee.gr_gid
        } else {
            throw TimelineError(.internal, "socketGroup \(group) is not a known group")
        }
        if chown(path, uid_t.max, gid) != 0 {
            throw TimelineError(.internal, "cannot give \(path) to group \(group): \(String(cString: strerror(errno)))")
        }
    }
}
