import Foundation
import TimelineModel

extension OrderTimeline {
    /// The auditor's page: one self-contained HTML file (inline CSS and script, images
    /// embedded as `data:` URLs, a Content-Security-Policy that allows nothing else),
    /// readable from 360 px to 1920 px wide and on paper. A summary header with the
    /// verification badge and the durations that decide disputes, every event with
    /// its evidence inline, and filters by channel, party and verdict that need
    /// JavaScript; without it every event is shown. Every value is escaped.
    public var html: String { TimelineHTML(timeline: self).page }
}

/// Builds ``OrderTimeline/html``; see docs/AUDIT.md "The HTML page".
struct TimelineHTML {
    /// Images larger than this are listed, not embedded (the page stays printable and small).
    static let maxEmbeddedImageBytes = 2 * 1024 * 1024

    let timeline: OrderTimeline

    var page: String {
        let title = "Order \(timeline.order) — timeline"
        var out = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
        <title>\(HTML.escape(title))</title>
        <style>\(Self.css)</style></head><body>

        """
        out += header(title)
        out += filters
        out += "<main><ol class=\"timeline\">\n"
        for entry in timeline.entries { out += self.entry(entry) }
        out += "</ol>\n"
        out += view
        out += "</main>\n<script>\(Self.script)</script>\n</body></html>\n"
        return out
    }

    // MARK: - The summary

    func header(_ title: String) -> String {
        var out = "<header class=\"summary\"><h1>\(HTML.escape(title))</h1>\n"
        out += badge
        out += "<dl class=\"facts\">\n"
        func fact(_ label: String, _ value: String, id: String? = nil) {
            out += "<div\(id.map { " id=\"\($0)\"" } ?? "")><dt>\(HTML.escape(label))</dt><dd>\(HTML.escape(value))</dd></div>\n"
        }
        if let s = timeline.finalState {
            fact("Item", "\(s.itemTitle) × \(s.itemQuantity)")
            fact("Buyer", s.buyer)
            fact("Seller", s.seller)
            fact("State", Describe.state(s) + (timeline.atPosition.map { " (at position \($0))" } ?? ""))
            fact("Price", Describe.money(s.priceAmount, s.currency))
            fact("Delivered", "\(s.deliveredQuantity) of \(s.itemQuantity)")
            fact("Refunded", Describe.money(s.refundedAmount, s.currency))
            if let d = s.dispute {
                var dispute = "\(d.status.rawValue): \(d.reason), asking for \(d.requestedOutcome)"
                if let amount = d.amount { dispute += " of \(Describe.money(amount, s.currency))" }
                if let r = d.resolution { dispute += "; resolved (\(r.by)): \(r.outcome)\(r.amount.map { " of " + Describe.money($0, s.currency) } ?? "")" }
                fact("Dispute", dispute)
            }
            let m = s.messages
            fact("Messages", "\(m.visible) visible (\(m.flagged) flagged), \(m.filtered) filtered, \(m.hidden) hidden")
        } else {
            fact("State", "none")
        }
        for line in timeline.durationLines { fact(line.label, line.value, id: "d-\(line.key)") }
        out += "</dl>\n<p class=\"note\">\(timeline.entries.count) events\(timeline.atPosition.map { " up to position \($0)" } ?? ""). Auditors' view: messages moderation kept from the other party (filtered, hidden) are shown and marked.</p></header>\n"
        return out
    }

    /// The verification badge, with every problem listed (a broken chain is shown, never hidden).
    var badge: String {
        guard let v = timeline.verification else {
            return "<div class=\"badge badge-unchecked\" id=\"verification\" data-status=\"unchecked\">Not verified: this page was made from events alone.</div>\n"
        }
        let mark = ["verified": "✔", "unsigned": "!", "broken": "✘", "unchecked": "?"][v.status.rawValue] ?? ""
        var out = "<div class=\"badge badge-\(v.status.rawValue)\" id=\"verification\" data-status=\"\(v.status.rawValue)\" data-tree-size=\"\(v.treeSize)\">"
        out += "<span class=\"mark\" aria-hidden=\"true\">\(mark)</span> \(HTML.escape(v.headline))"
        if let cp = v.checkpoint {
            out += "<div class=\"cp hash\">checkpoint: position \(cp.position), tree size \(cp.treeSize ?? cp.position), root \(HTML.escape(cp.rootHash ?? "none")), key \(HTML.escape(cp.keyId)), signed \(HTML.escape(cp.signedAt))\(v.keyId.map { "; signature checked with key " + HTML.escape($0) } ?? "; signature not checked")</div>"
        }
        if !v.problems.isEmpty {
            out += "<ul class=\"problems\">"
            for p in v.problems {
                let at = p.position.map { "<a href=\"#p\($0)\">#\($0)</a>" } ?? "checkpoint"
                out += "<li>\(at): \(HTML.escape(p.message))</li>"
            }
            out += "</ul>"
        }
        for note in v.notes where v.status != .verified { out += "<div class=\"cp\">\(HTML.escape(note))</div>" }
        return out + "</div>\n"
    }

    /// The filter controls: hidden until the script shows them (without it they would do nothing).
    var filters: String {
        func select(_ name: String, _ label: String, _ options: [String]) -> String {
            "<label>\(label) <select name=\"\(name)\" id=\"f-\(name)\"><option value=\"\">all</option>"
                + options.map { "<option value=\"\($0)\">\($0)</option>" }.joined() + "</select></label>"
        }
        return "<form class=\"filters\" id=\"filters\" hidden>"
            + select("channel", "Channel", ["order", "dispute"])
            + select("party", "Party", ActorRole.allCases.map(\.rawValue))
            + select("verdict", "Verdict", ModerationVerdictKind.allCases.map(\.rawValue))
            + "<button type=\"reset\">Show all</button> <output id=\"f-count\"></output></form>\n"
    }

    // MARK: - Events

    func entry(_ e: TimelineEntry) -> String {
        let r = e.record
        let verdictClass = e.verdict.map { " \($0.verdict.rawValue)" } ?? ""
        let problems = timeline.verification?.problems(at: r.position) ?? []
        var out = "<li class=\"event\(verdictClass)\" id=\"p\(r.position)\" data-position=\"\(r.position)\" data-revision=\"\(r.revision)\" data-event-id=\"\(HTML.escape(r.eventId))\" data-type=\"\(HTML.escape(r.type))\""
        out += " data-role=\"\(r.actor.role.rawValue)\" data-channel=\"\(HTML.escape(r.isRedacted ? "" : r.data["channel"]?.stringValue ?? ""))\" data-verdict=\"\(e.verdict?.verdict.rawValue ?? "")\""
        out += problems.isEmpty ? ">\n" : " data-broken=\"true\">\n"
        out += "<div class=\"meta\">#\(r.position) · rev \(r.revision) · <time datetime=\"\(r.recordedAt.rfc3339)\">\(r.recordedAt.rfc3339)</time>"
        if let occurred = r.occurredAt { out += " · occurred \(HTML.escape(occurred))" }
        if let channel = r.isRedacted ? nil : r.data["channel"]?.stringValue { out += " · \(HTML.escape(channel)) channel" }
        out += " · \(HTML.escape(r.type))</div>\n"
        out += "<div><span class=\"role role-\(r.actor.role.rawValue)\">\(r.actor.role.rawValue)</span><span class=\"who\">\(HTML.escape(r.actor.id))</span> \(HTML.escape(e.summary))</div>\n"
        if let v = e.verdict, ModeratedMessage.isWithheld(v.verdict) {
            out += "<div class=\"withheld\">Withheld from the other party (\(v.verdict.rawValue)); shown here to auditors only.</div>\n"
        }
        if let text = e.text { out += "<blockquote>\(HTML.escape(text))</blockquote>\n" }
        if let redaction = e.redaction { out += "<div class=\"redacted\">\(HTML.escape(redaction.sentence))</div>\n" }
        if let v = e.verdict {
            let rules = v.rules.isEmpty ? "" : " (rules: \(v.rules.joined(separator: ", ")))"
            out += "<span class=\"verdict v-\(v.verdict.rawValue)\">\(HTML.escape(Describe.visibility(v) + rules))</span>\n"
            if let appeal = timeline.finalState?.moderatedMessages.first(where: { $0.position == r.position })?.appeal {
                out += "<span class=\"verdict v-appeal\">appealed at #\(appeal.position): \(appeal.status.rawValue)</span>\n"
            }
        }
        if r.type == "evidence.attached", !r.isRedacted { out += evidence(r, status: e.blob) }
        if let illegal = e.illegal { out += "<div class=\"illegal\">Illegal at this point: \(HTML.escape(illegal))</div>\n" }
        for p in problems { out += "<div class=\"broken-note\">Does not verify: \(HTML.escape(p))</div>\n" }
        out += "<div class=\"state\">State after: \(HTML.escape(e.stateAfter))</div>\n"
        out += "<div class=\"hash\">eventId \(HTML.escape(r.eventId)) · hash \(HTML.escape(r.hash))</div>\n</li>\n"
        return out
    }

    /// An evidence file: previewed when it is an intact raster image of modest size, else listed.
    func evidence(_ r: RecordedEvent, status: BlobStatus?) -> String {
        let sha = r.data["sha256"]?.stringValue ?? ""
        let name = r.data["filename"]?.stringValue ?? "file"
        let declared = r.data["mediaType"]?.stringValue ?? ""
        let size = r.data["size"]?.intValue ?? 0
        let caption = "<span class=\"file-name\">\(HTML.escape(name))</span> · \(HTML.escape(declared)) · \(Self.size(size)) · <span class=\"hash\">SHA-256 \(HTML.escape(sha))</span>"
        let blob = status ?? .unknown
        let state = "<span class=\"blob blob-\(blob.rawValue)\">evidence blob: \(blob.rawValue)</span>"
        if let bytes = timeline.evidence[sha], let type = Self.imageType(bytes), bytes.count <= Self.maxEmbeddedImageBytes {
            return "<figure class=\"evidence\"><img src=\"data:\(type);base64,\(Data(bytes).base64EncodedString())\" alt=\"\(HTML.escape(name))\"><figcaption>\(caption) · \(state)</figcaption></figure>\n"
        }
        var why = ""
        if let bytes = timeline.evidence[sha], declared.hasPrefix("image/") {
            why = Self.imageType(bytes) == nil
                ? " · not previewed: the bytes are not a PNG, JPEG, GIF or WebP image"
                : " · not previewed: over \(Self.size(Int64(Self.maxEmbeddedImageBytes)))"
        }
        return "<div class=\"evidence file\">\(caption) · \(state)\(HTML.escape(why))</div>\n"
    }

    /// The order view as a table.
    var view: String {
        guard let s = timeline.finalState, case .object(let view) = s.viewJSON else { return "" }
        var out = "<h2>Order view\(timeline.atPosition.map { " at position \($0)" } ?? "")</h2>\n<table class=\"view\">\n"
        for key in view.keys.sorted() {
            out += "<tr><th scope=\"row\">\(HTML.escape(key))</th><td>\(HTML.escape(CanonicalJSON.string(view[key] ?? .null)))</td></tr>\n"
        }
        return out + "</table>\n"
    }

    // MARK: - Pieces

    /// The media type the bytes are, by their magic number, among the raster types a browser shows (never SVG).
    static func imageType(_ b: [UInt8]) -> String? {
        if b.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if b.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if b.starts(with: Array("GIF87a".utf8)) || b.starts(with: Array("GIF89a".utf8)) { return "image/gif" }
        if b.count >= 12, b.starts(with: Array("RIFF".utf8)), Array(b[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        return nil
    }

    /// "812 bytes", "1.5 KiB (1536 bytes)".
    static func size(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) bytes" }
        let units = ["KiB", "MiB", "GiB"]
        var value = Double(bytes) / 1024, unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return "\(String(format2: value).dropLast()) \(units[unit]) (\(bytes) bytes)"
    }

    static let css = """
    *{box-sizing:border-box}[hidden]{display:none!important}
    body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f5f6f8;color:#1d2330;overflow-wrap:anywhere}
    header.summary{background:#1d2330;color:#fff;padding:20px max(32px,calc((100% - 980px) / 2))}header h1{margin:0 0 10px;font-size:22px}
    .badge{padding:10px 14px;border-radius:8px;font-weight:600;margin:0 0 14px;border:2px solid transparent}
    .badge .cp{font-weight:400;font-size:13px;margin-top:4px}.badge .hash{color:inherit}
    .badge-verified{background:#dff5e1;color:#124d1c;border-color:#2e8b3d}.badge-unsigned,.badge-unchecked{background:#fff4d6;color:#5c4200;border-color:#c99a06}
    .badge-broken{background:#ffe3e3;color:#7a0010;border-color:#c8102e}.badge ul.problems{margin:6px 0 0;padding-left:20px;font-weight:400}.badge a{color:inherit}
    dl.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:6px 18px;margin:0}
    dl.facts div{min-width:0}dl.facts dt{font-size:12px;color:#aab3c5;text-transform:uppercase;letter-spacing:.03em}dl.facts dd{margin:0}
    header p.note{margin:12px 0 0;color:#c9cfdb;font-size:13px}
    form.filters{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:center;max-width:980px;margin:16px auto 0;padding:10px 16px;background:#fff;border-radius:8px}
    form.filters select,form.filters button{font:inherit;max-width:100%}
    main{max-width:980px;margin:24px auto;padding:0 16px}
    ol.timeline{list-style:none;margin:0;padding:0;border-left:3px solid #c9cfdb}
    li.event{position:relative;margin:0 0 14px 18px;background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px rgba(0,0,0,.08);min-width:0}
    li.event:before{content:"";position:absolute;left:-27px;top:16px;width:12px;height:12px;border-radius:50%;background:#5b6b8c}
    .meta{font-size:13px;color:#5b6475}.who{font-weight:600}.role{display:inline-block;padding:0 6px;border-radius:4px;background:#e8ecf3;font-size:12px;margin-right:4px}
    .role-buyer{background:#dff0ff}.role-seller{background:#fff1d6}.role-support{background:#e6f6e6}.role-system{background:#eee}
    blockquote{margin:8px 0 4px;padding:8px 12px;background:#f8f9fb;border-left:3px solid #9aa6bd;white-space:pre-wrap}
    .redacted{font-style:italic;color:#555;background:#f0f0f0;padding:4px 8px;border-radius:4px;margin:4px 0}
    .verdict{display:inline-block;font-size:12px;padding:1px 8px;border-radius:10px;margin:4px 4px 0 0}
    .v-delivered{background:#e6f6e6}.v-flagged{background:#fff1d6}.v-filtered{background:#ffe0e0}.v-hidden{background:#e4e4e4}.v-appeal{background:#e8ecf3}
    li.filtered,li.hidden{background:repeating-linear-gradient(135deg,#fff,#fff 12px,#fff5f5 12px,#fff5f5 24px);border:2px dashed #c8102e}
    li.hidden{border-color:#6b6b6b}li.filtered blockquote,li.hidden blockquote{border-left-color:#c8102e}
    .withheld{font-size:12px;font-weight:700;color:#7a0010;text-transform:uppercase;letter-spacing:.03em;margin-top:4px}
    li[data-broken]{border:3px solid #c8102e}.broken-note{color:#7a0010;background:#ffe3e3;padding:4px 8px;border-radius:4px;margin-top:6px;font-weight:600}
    figure.evidence{margin:8px 0;padding:0}figure.evidence img{display:block;max-width:100%;height:auto;border:1px solid #d5dae3;border-radius:4px;background:#fff}
    figcaption,.evidence.file{font-size:13px;color:#3b4a66;margin-top:4px}.file-name{font-weight:600}
    .state{font-size:13px;color:#3b4a66;margin-top:6px}.hash{font-family:ui-monospace,monospace;font-size:12px;color:#5b6475}
    .illegal{color:#b00020;font-weight:600}.blob-missing,.blob-mismatch{color:#b00020;font-weight:600}
    h2{font-size:18px;margin:28px 0 8px}
    table.view{border-collapse:collapse;background:#fff;width:100%;table-layout:fixed}table.view th,table.view td{padding:4px 10px;border-bottom:1px solid #eceff4;vertical-align:top;text-align:left}
    table.view th{width:32%;font-weight:600}table.view td{font-family:ui-monospace,monospace;font-size:12px}
    @media (max-width:600px){header.summary{padding:16px}main{padding:0 10px}li.event{padding:10px 12px;margin-left:14px}li.event:before{left:-22px}form.filters{margin:12px 10px 0}}
    @media print{body{background:#fff;font-size:11pt}header.summary{background:#fff;color:#000;padding:0 0 8pt;border-bottom:2px solid #000}
    dl.facts dt,header p.note{color:#444}form.filters{display:none!important}main{max-width:none;margin:8pt 0;padding:0}
    li.event{box-shadow:none;break-inside:avoid;border:1px solid #999}li.event:before{display:none}ol.timeline{border-left:0}li.event{margin-left:0}
    .badge,li.filtered,li.hidden,.verdict,.broken-note{-webkit-print-color-adjust:exact;print-color-adjust:exact}
    figure.evidence img{max-height:9cm;width:auto}table.view{break-inside:auto}a{color:inherit;text-decoration:none}}
    """

    /// The filters: `timelineFilter({channel, party, verdict})` hides every event
    /// that does not match all the given ones ("" or absent: any) and returns how
    /// many stay; the form calls it on every change.
    static let script = """
    (function(){
    var form=document.getElementById("filters");if(!form)return;
    var items=Array.prototype.slice.call(document.querySelectorAll("li.event"));
    function apply(){
    var c=form.elements.channel.value,p=form.elements.party.value,v=form.elements.verdict.value,shown=0;
    items.forEach(function(li){var ok=(!c||li.getAttribute("data-channel")===c)&&(!p||li.getAttribute("data-role")===p)&&(!v||li.getAttribute("data-verdict")===v);li.hidden=!ok;if(ok)shown++;});
    document.getElementById("f-count").textContent=shown===items.length?"all "+items.length+" events":shown+" of "+items.length+" events shown";
    return shown;}
    window.timelineFilter=function(f){f=f||{};["channel","party","verdict"].forEach(function(k){form.elements[k].value=f[k]||"";});return apply();};
    form.addEventListener("change",apply);
    form.addEventListener("reset",function(){setTimeout(apply,0);});
    form.hidden=false;apply();
    })();
    """
}
