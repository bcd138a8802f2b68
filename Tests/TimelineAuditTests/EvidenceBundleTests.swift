import Foundation
import Testing
import TimelineAudit
import TimelineModel
import TimelineStore

/// `timeline-audit bundle`: the ZIP unzipped with Python's zipfile, its manifest
/// hashes checked, every proof verified by the independent Python verifier (a
/// redacted event's too), and Stripe's limits kept.
@Suite("evidence bundles: manifest, proofs, files and Stripe's fields")
struct EvidenceBundleTests {
    /// Python that unzips `argv[1]` into `argv[2]` and checks the manifest's hashes; prints the file list.
    static let unzip = """
    import hashlib, json, sys, zipfile
    with zipfile.ZipFile(sys.argv[1]) as z:
        assert z.testzip() is None
        z.extractall(sys.argv[2])
    m = json.load(open(sys.argv[2] + "/manifest.json"))
    for f in m["files"]:
        data = open(sys.argv[2] + "/" + f["path"], "rb").read()
        assert hashlib.sha256(data).hexdigest() == f["sha256"], f["path"]
        assert len(data) == f["size"], f["path"]
    print(json.dumps(sorted(f["path"] for f in m["files"])))
    """

    @Test("a dispute with messages, files and a redacted message: every file hashes as the manifest says, every proof verifies in Python, Stripe's limits hold")
    func bundleChecksOut() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { return }
        let dir = TempDirectory("bundle")
        let data = dir.sub("store")
        let store = try Fixture.makeStore(data, orders: 2)
        let big = [UInt8](repeating: 0x42, count: 6 * 1024 * 1024)
        try Fixture.commit(store, [
            AppendRequest(order: "A-1000", events: [Fixture.event("b-1", "chat.message", Fixture.buyer, ["channel": "dispute", "text": "my private phone is 0151 2345678"])]),
            AppendRequest(order: "A-1000", events: [Fixture.event("b-2", "evidence.attached", Fixture.seller, [
                "sha256": .string(Hashing.sha256Hex(big)), "size": .int(Int64(big.count)), "filename": "trade: log.png",
                "mediaType": "image/png", "channel": "dispute",
            ])], origin: .evidencePut, blobs: [EvidenceBlob(big)]),
        ])
        let secret = try #require(try store.event(withId: "b-1")).position
        _ = try store.commit([AppendRequest.redact(order: "A-1000", RedactionRequest(positions: [secret], reason: "GDPR Art. 17", requestedBy: "dpo"))])[0].get()
        try Fixture.writeCheckpoint(of: store, to: dir.sub("cp.json"))
        try Fixture.writePublicKey(data + "/checkpoint.pub")

        let zip = dir.sub("bundle.zip")
        let run = try Binaries.run("timeline-audit", ["bundle", "--data", data, "--order", "A-1000", "--out", zip, "--checkpoint", dir.sub("cp.json")])
        #expect(run.status == 0, "\(run)")
        try Data(Self.unzip.utf8).write(to: URL(fileURLWithPath: dir.sub("unzip.py")))
        let unzipped = try Binaries.run("/usr/bin/python3", [dir.sub("unzip.py"), zip, dir.sub("out")])
        #expect(unzipped.status == 0, "\(unzipped)")
        let listed = try JSONParser.parse(Array(unzipped.stdout.utf8)).arrayValue?.compactMap(\.stringValue) ?? []
        let events = try store.orderEvents("A-1000")
        for name in ["events.jsonl", "proofs.json", "timeline.html", "processor/stripe.json", "README.txt", "checkpoint.pub"] {
            #expect(listed.contains(name), "\(name) in \(listed)")
        }
        #expect(events.allSatisfy { listed.contains("proofs/\($0.position).json") })
        #expect(listed.contains { $0.hasPrefix("evidence/") && $0.hasSuffix("inventory.png") })
        #expect(listed.contains { $0.hasPrefix("evidence/") && $0.hasSuffix("trade_ log.png") }, "a colon is not kept in a file name")

        // Every proof, the redacted message's included, verifies with only the public key.
        let checker = Binaries.packageRoot + "/scripts/check_proof.py"
        for event in events {
            let proof = try Binaries.run("/usr/bin/python3", [checker, dir.sub("out/proofs/\(event.position).json"), dir.sub("out/checkpoint.pub")])
            #expect(proof.status == 0, "position \(event.position): \(proof)")
        }
        let lines = try String(contentsOfFile: dir.sub("out/events.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == events.count)
        #expect(!lines.joined().contains("0151 2345678"), "the redacted text is nowhere in the events")
        let page = try String(contentsOfFile: dir.sub("out/timeline.html"), encoding: .utf8)
        #expect(!page.contains("0151 2345678"))
        #expect(page.contains(#"data-status="verified""#), "the bundle's page carries the badge of its signed checkpoint")

        // Stripe: files within 5 MB and of its types, text within 150,000 characters.
        let stripe = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dir.sub("out/processor/stripe.json")))))
        let evidence = try #require(stripe["evidence"]?.objectValue)
        let text = ["access_activity_log", "product_description", "uncategorized_text"].compactMap { evidence[$0]?.stringValue }
        #expect(text.reduce(0) { $0 + $1.count } <= 150_000)
        #expect(evidence["uncategorized_text"]?.stringValue?.contains("trade offer sent, 18:30") == true)
        for field in ["service_documentation", "uncategorized_file", "customer_communication"] {
            guard let path = evidence[field]?.stringValue else { continue }
            #expect(listed.contains(path), "\(field) names a file of the bundle")
            let size = (try FileManager.default.attributesOfItem(atPath: dir.sub("out/" + path))[.size] as? Int) ?? 0
            #expect(size <= 5 * 1024 * 1024, "\(field): \(size) bytes")
        }
        #expect(evidence.values.compactMap(\.stringValue).allSatisfy { !$0.hasSuffix("trade_ log.png") }, "the 6 MB file is not given to Stripe")
        let manifest = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dir.sub("out/manifest.json")))))
        let warnings = manifest["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(warnings.contains { $0.contains("trade_ log.png") && $0.contains("5 MB") }, "\(warnings)")
        #expect(manifest["checkpoint"]?["position"]?.intValue == Int64(store.head.position))
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].contains { FileManager.default.isExecutableFile(atPath: $0) }
        if chromium {
            #expect(manifest["communicationPDF"]?.stringValue == "processor/communication.pdf", "chromium is installed: the PDF is made (\(warnings))")
            let pdf = try Data(contentsOf: URL(fileURLWithPath: dir.sub("out/processor/communication.pdf")))
            #expect(pdf.starts(with: Data("%PDF-".utf8)) && pdf.count <= 5 * 1024 * 1024)
            #expect(evidence["customer_communication"]?.stringValue == "processor/communication.pdf")
        } else {
            #expect(manifest["communicationPDF"]?.isNull == true)
            #expect(warnings.contains { $0.contains("chromium") }, "the manifest says why there is no PDF: \(warnings)")
        }
    }

    @Test("an unknown order, or a checkpoint older than the order's last event, is refused with a sentence")
    func refusals() throws {
        let dir = TempDirectory("bundle-refuse")
        let data = dir.sub("store")
        let store = try Fixture.makeStore(data, orders: 1)
        try Fixture.writeCheckpoint(of: store, to: dir.sub("old.json"))
        try Fixture.commit(store, [AppendRequest(order: "A-1000", events: [Fixture.event("late", "support.note", Fixture.staff, ["text": "later"])])])
        let unknown = try Binaries.run("timeline-audit", ["bundle", "--data", data, "--order", "nope", "--out", dir.sub("x.zip")])
        #expect(unknown.status == 2 && unknown.stderr.contains("no events"), "\(unknown)")
        let old = try Binaries.run("timeline-audit", ["bundle", "--data", data, "--order", "A-1000", "--out", dir.sub("y.zip"), "--checkpoint", dir.sub("old.json")])
        #expect(old.status == 2 && old.stderr.contains("sign a newer one"), "\(old)")
        let unsigned = try Binaries.run("timeline-audit", ["bundle", "--data", data, "--order", "A-1000", "--out", dir.sub("z.zip")])
        #expect(unsigned.status == 0 && unsigned.stderr.contains("unsigned"), "\(unsigned)")
    }
}
