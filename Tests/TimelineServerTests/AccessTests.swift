import Foundation
import TestSupport
import Testing
import TimelineClient
import TimelineModel

#if canImport(Glibc)
import Glibc
#endif

@Suite("access: roles from the peer's Unix credentials", .timeLimit(.minutes(3)))
struct AccessTests {
    static let everyOp = [
        "ping", "append", "evidence.put", "evidence.get", "order.get", "order.events", "log.read", "subscribe", "unsubscribe",
        "orders.list", "disputes.list", "stats", "admin.rebuild", "admin.reloadModeration", "admin.backup", "admin.checkpoint",
    ]

    static func mode(of path: String) -> UInt32 {
        var st = stat()
        guard stat(path, &st) == 0 else { return 0 }
        return UInt32(st.st_mode) & 0o777
    }

    @Test("a peer whose uid is not in access is refused on every op but hello, which answers role null")
    func strangerIsRefused() async throws {
        var config = DaemonConfig()
        config.access = [.init(uid: 12345, role: "admin")]
        config.socketMode = "0666"
        try await withDaemon(config) { daemon, client in
            #expect(Self.mode(of: daemon.socketPath) == 0o666)
            let hello = try await client.hello()
            #expect(hello["role"] == .null)
            #expect(hello["protocol"]?.intValue == 1)
            for op in Self.everyOp {
                let error = await expectFailure("unauthorized") { try await client.call(op, ["order": "A-1"]) }
                #expect(error != nil, "\(op) must be refused")
            }
            // "refused with unauthorized on every op but hello": it does not even learn which ops exist.
            await expectFailure("unauthorized") { try await client.call("no.such.op") }
        }
    }

    @Test("without an access section the daemon's own uid is admin, and the socket has mode 0660")
    func ownerIsAdmin() async throws {
        try await withDaemon { daemon, client in
            #expect(Self.mode(of: daemon.socketPath) == 0o660)
            #expect(try await client.hello()["role"] == "admin")
            #expect(try await client.call("admin.checkpoint")["signature"] != nil)
            try await OrderFixture().create(client)
        }
    }

    @Test("a reader may read but not append or run admin ops")
    func readerRole() async throws {
        var config = DaemonConfig()
        config.access = [.init(uid: Int(getuid()), role: "reader")]
        try await withDaemon(config) { _, client in
            #expect(try await client.hello()["role"] == "reader")
            try await client.ping()
            _ = try await client.readLog()
            _ = try await client.stats()
            await expectFailure("not_found") { try await client.order("A-1") }
            let a = OrderFixture()
            await expectFailure("unauthorized") { try await client.append(order: a.order, events: [a.placed()]) }
            await expectFailure("unauthorized") { try await client.call("evidence.put", EvidenceTests.putParams(a, [1])) }
            await expectFailure("unauthorized") { try await client.call("admin.checkpoint") }
            await expectFailure("unauthorized") { try await client.call("admin.rebuild") }
            #expect(try await client.stats()["head"]?.intValue == 0)
        }
    }

    @Test("a gid rule grants writer: appends pass, admin ops do not; the highest matching rule wins")
    func writerByGid() async throws {
        var config = DaemonConfig()
        config.access = [.init(gid: Int(getgid()), role: "writer"), .init(uid: 12345, role: "admin")]
        try await withDaemon(config) { _, client in
            #expect(try await client.hello()["role"] == "writer")
            try await OrderFixture().create(client)
            await expectFailure("unauthorized") { try await client.call("admin.checkpoint") }
            await expectFailure("unauthorized") { try await client.call("admin.backup", ["path": "/tmp/nope"]) }
        }
        var both = DaemonConfig()
        both.access = [.init(gid: Int(getgid()), role: "reader"), .init(uid: Int(getuid()), role: "admin")]
        try await withDaemon(both) { _, client in
            let role = try await client.hello()["role"]
            #expect(role == "admin")
        }
    }
}
