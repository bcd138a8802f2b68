import Foundation
import Testing
import TestSupport
import TimelineAudit
import TimelineModel
import TimelineStore

/// The auditor's HTML page (issue 17): its summary, badge, evidence and filters,
/// checked in the page's text and in a real headless chromium (Debian's), which
/// takes screenshots at 360 and 1280 px and reports the DOM: no element wider than
/// the viewport, every image decoded, the filters hiding exactly what they should.
@Suite("the auditor's HTML timeline: summary, badge, evidence, filters, in a real browser")
struct TimelineHTMLTests {
    /// A text that tries to break out of the page.
    static let xss = #"</blockquote><script>alert("x")</script><img src=x onerror=alert(1)>"#
    static let xssFile = #""><img src=x onerror=alert(2)>.txt"#

    /// One disputed order with every kind of entry, on a clock moved by hand, with a
    /// signed checkpoint of the head and the key in the data directory.
    struct Scene {
        let dir = TempDirectory("html")
        let data: String
        let store: TimelineStore
        let events: [RecordedEvent]
        let start = TestClock.defaultStart

        init() throws {
            data = dir.sub("store")
            let clock = TestClock()
            var config = StoreConfiguration(path: data)
            config.durability = .relaxed
            config.clock = clock.read
            store = try TimelineStore(configuration: config, moderation: .builtIn())
            let o = "B-1", buyer = Fixture.buyer, seller = Fixture.seller
            func message(_ id: String, _ actor: Actor, _ channel: String, _ text: String) -> AppendRequest {
                AppendRequest(order: o, events: [Fixture.event(id, "chat.message", actor, ["channel": .string(channel), "text": .string(text)])])
            }
            func file(_ id: String, _ actor: Actor, _ channel: String, _ name: String, _ type: String, _ bytes: [UInt8]) -> AppendRequest {
                AppendRequest(order: o, events: [Fixture.event(id, "evidence.attached", actor, [
                    "sha256": .string(Hashing.sha256Hex(bytes)), "size": .int(Int64(bytes.count)), "filename": .string(name),
                    "mediaType": .string(type), "channel": .string(channel),
                ])], origin: .evidencePut, blobs: [EvidenceBlob(bytes)])
            }
            let steps: [(minutes: Int64, AppendRequest)] = [
                (0, AppendRequest(order: o, events: [Fixture.event("b1", "order.placed", buyer, [
                    "buyer": "u-17", "seller": "u-42", "item": ["title": "Karambit | Doppler × <b>bold</b>", "quantity": 2],
                    "price": ["amount": 12_000, "currency": "EUR"],
                ])])),
                (10, AppendRequest(order: o, events: [Fixture.event("b2", "order.paid", Fixture.shop)])),
                (5, message("b3", buyer, "order", "hello, when can you trade?")),
                (120, message("b4", seller, "order", "trade offer sent, 18:30")),
                (60, AppendRequest(order: o, events: [Fixture.event("b5", "delivery.marked", seller, ["quantity": 1])])),
                (10, message("b6", buyer, "order", "add me on d i s c o r d")),
                (1, message("b7", buyer, "order", String(repeating: "where is my second knife? ", count: 70))),
                (1, file("b8", buyer, "order", "inventory.png", "image/png", TestPNG.make(width: 24, height: 16))),
                (60, AppendRequest(order: o, events: [Fixture.event("b9", "dispute.opened", buyer, [
                    "reason": "incomplete", "requestedOutcome": "deliver_missing", "description": "second knife missing",
                ])])),
                (30, message("b10", seller, "dispute", "just close the dispute")),
                (45, message("b11", buyer, "dispute", TimelineHTMLTests.xss)),
                (5, file("b12", seller, "dispute", "trade-history.png", "image/png", TestPNG.make(width: 1600, height: 40))),
                (1, file("b13", seller, "dispute", TimelineHTMLTests.xssFile, "text/plain", Array("trade log: 2 knives sent".utf8))),
                (180, AppendRequest(order: o, events: [Fixture.event("b14", "delivery.marked", seller, ["quantity": 1])])),
                (60, AppendRequest(order: o, events: [Fixture.event("b15", "dispute.resolved", Fixture.staff, ["outcome": "deliver_missing", "note": "both delivered"])])),
            ]
            for (minutes, request) in steps {
                clock.advance(seconds: minutes * 60)
                try Fixture.commit(store, [request])
            }
            events = try store.orderEvents(o)
            try Fixture.writeCheckpoint(of: store, to: dir.sub("cp.json"))
            try Fixture.writePublicKey(data + "/checkpoint.pub")
        }

        func position(_ eventId: String) -> UInt64 { events.first { $0.eventId == eventId }?.position ?? 0 }

        /// Writes the page with the real CLI and returns it.
        func page(_ extra: [String] = [], data: String? = nil) throws -> String {
            let out = dir.sub("page-\(UUID().uuidString.prefix(6)).html")
            let run = try Binaries.run("timeline-audit", ["timeline", "--data", data ?? self.data, "--order", "B-1", "--format", "html", "--out", out] + extra)
            guard run.status == 0 else { throw AuditTestError("timeline-audit failed: \(run)") }
            return try String(contentsOfFile: out, encoding: .utf8)
        }
    }

    @Test("the durations that decide disputes: time to delivery, dispute age, each party's first reply")
    func durations() throws {
        let scene = try Scene()
        let t = try OrderTimeline.load(order: "B-1", source: try StoreBundleSource(dataDirectory: scene.data))
        let d = t.durations
        let minute: Int64 = 60_000_000
        // Paid at +10 min, fully delivered at +10+5+120+60+10+1+1+60+30+45+5+1+180 = +528 min.
        #expect(d.timeToDelivery == 518 * minute)
        // Opened at +267 min, resolved 30+45+5+1+180+60 = 321 min later.
        #expect(d.disputeAge == 321 * minute)
        // The seller answered the buyer's first message after 2 h; the buyer's filtered and
        // hidden messages are no answer, the dispute message 45+30+… after the seller's is.
        #expect(d.firstReply[.seller]?.waitedMicroseconds == 120 * minute && d.firstReply[.seller]?.position == scene.position("b4"))
        #expect(d.firstReply[.buyer]?.position == scene.position("b11"))
        #expect(d.firstReply[.buyer]?.waitedMicroseconds == (60 + 10 + 1 + 1 + 60 + 30 + 45) * minute)
        let html = t.html
        #expect(html.contains("8 h 38 min (payment → full delivery)"), "time to delivery on the page")
        #expect(html.contains("5 h 21 min (opened → resolved or closed)"))
        #expect(html.contains("2 h 00 min (#\(scene.position("b4")))"))
        // An open dispute ages to the end of a timeline cut at a position.
        let cut = try OrderTimeline.load(order: "B-1", source: try StoreBundleSource(dataDirectory: scene.data), atPosition: scene.position("b11"))
        #expect(cut.durations.disputeAge == 75 * minute && cut.durations.timeToDelivery == nil)
        #expect(cut.html.contains("not fully delivered"))
    }

    @Test("the badge: verified against the signed checkpoint, unsigned without one, broken and shown when a record was changed")
    func badge() throws {
        let scene = try Scene()
        let head = scene.store.head.position
        let verified = try scene.page(["--checkpoint", scene.dir.sub("cp.json")])
        #expect(verified.contains(#"data-status="verified""#))
        #expect(verified.contains("Verified: the chain up to position \(head) against the signed checkpoint at position \(head)"))
        #expect(!verified.contains(#"data-broken="true""#))

        // Without a checkpoint (none is stored in the directory): unsigned, not verified.
        let unsigned = try scene.page()
        #expect(unsigned.contains(#"data-status="unsigned""#) && unsigned.contains("no signed checkpoint covers them"))

        // Another key than the one that signed it: broken, with the reason.
        let other = scene.dir.sub("other.pub")
        try Data("\(Data(repeating: 9, count: 32).base64EncodedString())\n".utf8).write(to: URL(fileURLWithPath: other))
        let wrongKey = try scene.page(["--checkpoint", scene.dir.sub("cp.json"), "--public-key", other])
        #expect(wrongKey.contains(#"data-status="broken""#) && wrongKey.contains("signature does not verify"))

        // A message rewritten in a copy of the log (its hashes left as they were): that event is marked, the rest verifies.
        let copy = scene.dir.sub("tampered")
        try Fixture.copy(scene.data, to: copy)
        let target = scene.position("b4")
        let tamperer = try Tamperer(copy)
        var record = try tamperer.record(target)
        record.data = ["channel": "order", "text": "I never sent anything"]
        try tamperer.put("records", key: Tamperer.key(target), value: record.canonicalBytes)
        let broken = try scene.page(["--checkpoint", scene.dir.sub("cp.json")], data: copy)
        #expect(broken.contains(#"data-status="broken""#))
        #expect(broken.contains("BROKEN: 1 of \(scene.events.count) events do not verify"))
        #expect(broken.contains(##"<a href="#p\##(target)">#\##(target)</a>: the event&#39;s data does not hash to its dataHash"##))
        #expect(broken.components(separatedBy: "data-broken=\"true\"").count == 2, "exactly the changed event is marked")
        #expect(broken.contains(#"id="p\#(target)""#) && broken.contains("I never sent anything"), "the changed event is shown, not hidden")

        // An event after the checkpoint: proven against the head only, so not verified.
        try Fixture.commit(scene.store, [AppendRequest(order: "B-1", events: [Fixture.event("b16", "support.note", Fixture.staff, ["text": "late note"])])])
        let late = try scene.page(["--checkpoint", scene.dir.sub("cp.json")])
        #expect(late.contains(#"data-status="unsigned""#) && late.contains("Partly signed: the chain is verified up to position \(head)"))
        #expect(late.contains("1 event after the checkpoint&#39;s position \(head) is proven only against the head"))
        let cut = try scene.page(["--checkpoint", scene.dir.sub("cp.json"), "--at", "\(head)"])
        #expect(cut.contains(#"data-status="verified""#), "a timeline cut at the checkpoint is verified again")
    }

    @Test("the page is self-contained and escapes what users wrote")
    func selfContained() throws {
        let scene = try Scene()
        let html = try scene.page(["--checkpoint", scene.dir.sub("cp.json")])
        #expect(html.components(separatedBy: "<script").count == 2, "one script: the page's own filters")
        #expect(!html.contains(Self.xss) && html.contains(HTMLText.escape(Self.xss)))
        #expect(!html.contains(Self.xssFile) && html.contains(HTMLText.escape(Self.xssFile)))
        #expect(html.contains("Karambit | Doppler × &lt;b&gt;bold&lt;/b&gt; × 2"))
        for external in ["http://", "https://", "<link", "@import", "url(", "src=\"//"] {
            #expect(!html.contains(external), "no external resource: \(external)")
        }
        #expect(html.contains("default-src 'none'; img-src data:"), "a CSP that allows no request")
        #expect(html.components(separatedBy: "<img src=\"data:image/png;base64,").count == 3, "both PNGs are embedded")
        #expect(html.contains("SHA-256 \(Hashing.sha256Hex(Array("trade log: 2 knives sent".utf8)))") && html.contains("24 bytes"))
        #expect(html.contains("@media print"))
        let filtered = scene.position("b6")
        #expect(html.contains(#"<li class="event filtered" id="p\#(filtered)""#))
        #expect(html.contains("Withheld from the other party (filtered)") && html.contains("rules: contact."))
    }

    @Test("in chromium at 360, 1280 and 1920 px: nothing overflows, every image decodes, the filters hide what they should, and without the script all is shown")
    func inBrowser() async throws {
        let browser = try Browser.find()
        let scene = try Scene()
        let html = try scene.page(["--checkpoint", scene.dir.sub("cp.json")])
        let artefacts = Browser.artefactsDirectory()
        print("timeline page screenshots and DOM reports: \(artefacts)")
        try Data(html.utf8).write(to: URL(fileURLWithPath: artefacts + "/timeline.html"))

        for width in [360, 1280] {
            let shot = artefacts + "/timeline-\(width).png"
            let run = try await offPool { try browser.run(["--window-size=\(width),1200", "--hide-scrollbars", "--screenshot=\(shot)", "file://\(artefacts)/timeline.html"]) }
            let size = TestPNG.size(of: shot)
            #expect(size?.width == width, "a \(width) px screenshot at \(shot): \(String(describing: size)) \(run)")
        }

        let all = scene.events.map(\.position)
        func positions(_ keep: (RecordedEvent) -> Bool) -> [UInt64] { scene.events.filter(keep).map(\.position) }
        for width in [360, 1920] {
            let report = try await offPool { try browser.check(page: html, width: width, in: artefacts) }
            #expect(report["innerWidth"]?.intValue == Int64(width))
            #expect((report["scrollWidth"]?.intValue ?? .max) <= Int64(width), "no horizontal scroll at \(width) px")
            #expect(report["overflowing"]?.arrayValue?.isEmpty == true, "at \(width) px: \(report["overflowing"] ?? .null)")
            let images = report["images"]?.arrayValue ?? []
            #expect(images.count == 2)
            for image in images {
                #expect(image["complete"]?.boolValue == true && (image["naturalWidth"]?.intValue ?? 0) > 0, "decoded: \(image)")
            }
            #expect(report["all"].map(Browser.positions) == all)
            #expect(report["filtersShown"]?.boolValue == true)
            let filtered = report["filtered"]
            #expect(filtered?["verdict=filtered"].map(Browser.positions) == positions { $0.moderation?.verdict == .filtered })
            #expect(filtered?["verdict=hidden"].map(Browser.positions) == positions { $0.moderation?.verdict == .hidden })
            #expect(filtered?["channel=dispute"].map(Browser.positions) == positions { $0.data["channel"]?.stringValue == "dispute" })
            #expect(filtered?["party=seller"].map(Browser.positions) == positions { $0.actor.role == .seller })
            #expect(filtered?["verdict=filtered"].map(Browser.positions)?.count == 1, "the scene has one filtered message")
            #expect(report["viaChange"].map(Browser.positions) == positions { $0.moderation?.verdict == .filtered }, "the form's change event filters too")
            #expect(report["count"]?.stringValue == "1 of \(all.count) events shown")
            #expect(report["afterReset"].map(Browser.positions) == all)
        }

        // Without the page's script: every event shown, no dead filter controls.
        let noScript = try #require(html.range(of: "<script>")).lowerBound
        let end = try #require(html.range(of: "</script>\n", range: noScript..<html.endIndex)).upperBound
        var stripped = html
        stripped.removeSubrange(noScript..<end)
        let plain = stripped
        let report = try await offPool { try browser.check(page: plain, width: 360, in: artefacts) }
        #expect(report["hasFilter"]?.boolValue == false)
        #expect(report["all"].map(Browser.positions) == all, "every event is visible without JavaScript")
        #expect(report["filtersShown"]?.boolValue == false)
        #expect(report["overflowing"]?.arrayValue?.isEmpty == true, "\(report["overflowing"] ?? .null)")
    }
}

/// The same escaping as the page's (for expectations).
enum HTMLText {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}

/// Debian's headless chromium, run to completion (at most 120 s) off the cooperative pool.
struct Browser: Sendable {
    let path: String

    /// How a run ended and what it printed.
    struct Outcome: Sendable, CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var description: String { "exit \(status)\nstdout: \(stdout.suffix(2000))\nstderr: \(stderr.suffix(2000))" }
    }

    /// The browser, or an error saying to install it.
    static func find() throws -> Browser {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] where FileManager.default.isExecutableFile(atPath: path) {
            return Browser(path: path)
        }
        throw AuditTestError("chromium is not installed: these tests need a real headless browser; install Debian's (apt-get install chromium; scripts/ensure-deps.sh and .ci/run do it when missing)")
    }

    /// Where screenshots and DOM reports go: `TIMELINE_ARTEFACTS_DIR` when set (CI keeps
    /// it), else a fresh temporary folder that is left in place for a person to look at.
    static func artefactsDirectory() -> String {
        let dir = ProcessInfo.processInfo.environment["TIMELINE_ARTEFACTS_DIR"].map { $0 + "/timeline-html" }
            ?? NSTemporaryDirectory() + "timeline-artefacts-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs the browser headless with `arguments`; blocking, so call it through `offPool`.
    func run(_ arguments: [String]) throws -> Outcome {
        let profile = NSTemporaryDirectory() + "chromium-profile-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile)"] + arguments
        let out = profile + ".out", err = profile + ".err"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: out); try? FileManager.default.removeItem(atPath: err) }
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let running = Running(process)
        let watchdog = DispatchWorkItem { running.stop() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: watchdog)
        process.waitUntilExit()
        watchdog.cancel()
        return Outcome(
            status: process.terminationStatus,
            stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        )
    }

    /// Loads `page` in an iframe exactly `width` px wide (headless chromium keeps its
    /// window at least 500 px wide, so the frame is the viewport) and returns what
    /// ``checkScript`` found in it, read from the `<pre id="check">` it leaves.
    func check(page: String, width: Int, in directory: String) throws -> JSONValue {
        let file = directory + "/check-\(width)-\(UUID().uuidString.prefix(6)).html"
        let outer = """
        <!DOCTYPE html><html><head><meta charset="utf-8"><style>body{margin:0}iframe{border:0;display:block;width:\(width)px;height:1200px}</style></head>
        <body><iframe id="page" srcdoc="\(HTMLText.escape(page))"></iframe><script>\(Self.checkScript)</script></body></html>
        """
        try Data(outer.utf8).write(to: URL(fileURLWithPath: file))
        let run = try run(["--window-size=\(max(width, 800) + 40),1300", "--hide-scrollbars", "--virtual-time-budget=10000", "--dump-dom", "file://\(file)"])
        guard let start = run.stdout.range(of: "<pre id=\"check\">"), let end = run.stdout.range(of: "</pre>", range: start.upperBound..<run.stdout.endIndex) else {
            throw AuditTestError("the check did not run in chromium: \(run)")
        }
        let text = String(run.stdout[start.upperBound..<end.lowerBound])
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
        try Data(text.utf8).write(to: URL(fileURLWithPath: file + ".json"))
        return try JSONParser.parse(Array(text.utf8))
    }

    static func positions(_ value: JSONValue) -> [UInt64] { (value.arrayValue ?? []).compactMap { $0.intValue.map(UInt64.init) } }

    /// Runs once the frame has loaded: its viewport and overflow, its images, and
    /// which events are visible under each filter (set by the page's function and by the form).
    static let checkScript = """
    var frame = document.getElementById("page");
    frame.addEventListener("load", function () {
      var w = frame.contentWindow, d = frame.contentDocument;
      var W = w.innerWidth, out = {innerWidth: W, scrollWidth: d.documentElement.scrollWidth, overflowing: []};
      d.querySelectorAll("body *").forEach(function (el) {
        var r = el.getBoundingClientRect();
        if (r.width > 0 && (r.right > W + 0.5 || r.left < -0.5)) out.overflowing.push(el.tagName + (el.id ? "#" + el.id : "") + " " + Math.round(r.left) + ".." + Math.round(r.right));
      });
      out.images = Array.prototype.map.call(d.images, function (i) { return {alt: i.alt, complete: i.complete, naturalWidth: i.naturalWidth}; });
      function visible() {
        return Array.prototype.filter.call(d.querySelectorAll("li.event"), function (li) { return li.offsetParent !== null; })
          .map(function (li) { return +li.getAttribute("data-position"); });
      }
      out.all = visible();
      out.filtersShown = d.getElementById("filters").offsetParent !== null;
      out.hasFilter = typeof w.timelineFilter === "function";
      if (out.hasFilter) {
        out.filtered = {};
        [["verdict", "filtered"], ["verdict", "hidden"], ["channel", "dispute"], ["party", "seller"]].forEach(function (f) {
          var o = {}; o[f[0]] = f[1]; w.timelineFilter(o); out.filtered[f[0] + "=" + f[1]] = visible();
        });
        w.timelineFilter({});
        var select = d.getElementById("f-verdict");
        select.value = "filtered";
        select.dispatchEvent(new w.Event("change", {bubbles: true}));
        out.viaChange = visible();
        out.count = d.getElementById("f-count").textContent;
        w.timelineFilter({});
        out.afterReset = visible();
      }
      var pre = document.createElement("pre"); pre.id = "check"; pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
    });
    """
}

/// A started browser process that the watchdog may stop (Process itself is not Sendable;
/// `terminate` and `isRunning` are safe from any thread).
private final class Running: @unchecked Sendable {
    let process: Process
    init(_ process: Process) { self.process = process }
    func stop() { if process.isRunning { process.terminate() } }
}

/// Real PNG files for the page to preview (stored deflate blocks, no compression library).
enum TestPNG {
    /// A `width`×`height` RGB gradient.
    static func make(width: Int, height: Int) -> [UInt8] {
        var raw: [UInt8] = []
        for y in 0..<height {
            raw.append(0)
            for x in 0..<width { raw += [UInt8(x * 255 / max(1, width - 1)), UInt8(y * 255 / max(1, height - 1)), 0x80] }
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65_535, raw.count - offset)
            let last: UInt8 = offset + n == raw.count ? 1 : 0
            zlib += [last, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            zlib += raw[offset..<offset + n]
            offset += n
        } while offset < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65_521; b = (b + a) % 65_521 }
        zlib += be(b << 16 | a)
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", be(UInt32(width)) + be(UInt32(height)) + [8, 2, 0, 0, 0])
        png += chunk("IDAT", zlib)
        png += chunk("IEND", [])
        return png
    }

    /// The width and height of the PNG file at `path`.
    static func size(of path: String) -> (width: Int, height: Int)? {
        guard let data = FileManager.default.contents(atPath: path), data.count >= 24 else { return nil }
        let b = Array(data)
        func u32(_ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
        return (u32(16), u32(20))
    }

    static func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in typed {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return be(UInt32(body.count)) + typed + be(~crc)
    }
}
