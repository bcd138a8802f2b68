import TimelineModel

/// The views' state file (`views/state`), kept outside LMDB so that it can be
/// read even when the views' pages are torn: the views' format version, the
/// boot the views were last opened under, and whether they were closed cleanly.
///
/// `views/` is opened `MDB_NOSYNC`: its pages reach the disk when the kernel
/// writes them back. A process killed with kill -9 loses nothing the kernel
/// already holds, so views that were not closed cleanly under the *same* boot
/// are intact up to their `applied` record. Under another boot (the OS
/// crashed) they may be torn and are rebuilt.
///
/// `clean` means "every page is on disk", not "up to date": clean views may
/// lag the log (a backup's copy does), and every start replays what they lack.
/// A writable open marks them unclean before it changes them.
struct ViewsState: Equatable {
    /// Bumped whenever the views' tables or reducers change; views of another version are rebuilt.
    static let formatVersion: UInt64 = 5

    var format: UInt64
    var bootId: String
    var clean: Bool

    /// Reads the file; `nil` when it is missing or unreadable.
    static func read(viewsDirectory: String) -> ViewsState? {
        guard let bytes = FileSystem.read(viewsDirectory + "/state"),
              case .object(let o) = try? JSONParser.parse(bytes),
              let format = o["format"]?.intValue, let boot = o["bootId"]?.stringValue, let clean = o["clean"]?.boolValue
        else { return nil }
        return ViewsState(format: UInt64(clamping: format), bootId: boot, clean: clean)
    }

    /// Writes the file durably.
    func write(viewsDirectory: String) throws(TimelineError) {
        let value: JSONValue = .object(["format": .int(Int64(format)), "bootId": .string(bootId), "clean": .bool(clean)])
        try FileSystem.writeDurably(CanonicalJSON.encode(value) + [0x0A], to: viewsDirectory + "/state")
    }

    /// Why views in this state cannot be trusted under `bootId`, or `nil` when
    /// they can (a replay of the records after `applied` brings them up to date).
    static func distrust(_ state: ViewsState?, bootId: String) -> String? {
        guard let state else { return "views/ has no readable state file" }
        if state.format != formatVersion { return "views/ is of format \(state.format), this daemon writes format \(formatVersion)" }
        if !state.clean && state.bootId != bootId { return "views/ was not closed cleanly before the machine restarted (boot \(state.bootId.prefix(8))…, now \(bootId.prefix(8))…): its pages may be torn" }
        return nil
    }
}

/// The id of the running boot: `/proc/sys/kernel/random/boot_id`, or the file
/// `TIMELINE_BOOT_ID_FILE` names (tests simulate a reboot with it).
public enum BootId {
    /// The current boot id, trimmed; `"unknown"` when neither file can be read.
    public static func current() -> String {
        let path = getenv("TIMELINE_BOOT_ID_FILE").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
            ?? "/proc/sys/kernel/random/boot_id"
        guard let bytes = FileSystem.read(path, limit: 256) else { return "unknown" }
        let text = String(decoding: bytes, as: UTF8.self)
        return String(text.filter { !$0.isWhitespace })
    }
}

#if canImport(Glibc)
import Glibc
#endif
