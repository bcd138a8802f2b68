import Foundation
import TestSupport
import Testing
import TimelineClient
import TimelineModel

/// `timeline-audit bundle --socket`: the bundle of a running daemon's order, its
/// checkpoint signed on the spot, every proof checked by the Python verifier.
@Suite("evidence bundle from a running daemon", .timeLimit(.minutes(3)))
struct BundleWireTests {
    @Test("bundle --socket signs a checkpoint through admin.checkpoint and every proof of the order verifies with the public key")
    func bundleOverSocket() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { return }
        let scratch = try ScratchDirectory()
        try await withDaemon { daemon, client in
            let a = OrderFixture("B")
            try await a.create(client)
            _ = try await client.append(order: a.order, events: [a.chat("buyer", "only one sword arrived")])
            _ = try await client.call("evidence.put", EvidenceTests.putParams(a, Array("png bytes".utf8)))
            _ = try await client.append(order: a.order, events: [a.disputeOpened()])
            let zip = scratch.file("b.zip")
            let run = try PackageBinary.run("timeline-audit", [
                "bundle", "--socket", daemon.socketPath, "--order", a.order, "--out", zip, "--public-key", daemon.dataDirectory + "/checkpoint.pub",
            ])
            #expect(run.status == 0 && run.stderr.contains("proven against the checkpoint"), "\(run)")
            let out = scratch.file("out")
            let unzip = try PackageBinary.run("/usr/bin/python3", ["-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", zip, out])
            #expect(unzip.status == 0, "\(unzip)")
            let events = try await client.call("order.events", ["order": .string(a.order)])["events"]?.array ?? []
            #expect(events.count == 5)
            let checker = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path + "/scripts/check_proof.py"
            for event in events {
                let position = event["position"]?.intValue ?? 0
                let check = try PackageBinary.run("/usr/bin/python3", [checker, out + "/proofs/\(position).json", out + "/checkpoint.pub"])
                #expect(check.status == 0, "position \(position): \(check)")
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: out + "/evidence")
            #expect(files.count == 1 && files[0].hasSuffix("screenshot.png"), "\(files)")
        }
    }
}
