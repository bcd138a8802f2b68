import TimelineModel

// MARK: - Rendering an order's timeline: text, JSON, one self-contained HTML file

extension OrderTimeline {
    /// Aligned text for a terminal.
    public var text: String {
        var out = "Order \(order)"
        if let s = finalState {
            out += ": \(s.itemTitle) × \(s.itemQuantity), \(Describe.money(s.priceAmount, s.currency)), buyer \(s.buyer), seller \(s.seller)"
        }
        out += "\n\(entries.count) events\(atPosition.map { " up to position \($0)" } ?? ""); now \(Describe.state(finalState)).\n\n"
        for e in entries {
            let r = e.record
            out += "#\(r.position) rev \(r.revision)  \(r.recordedAt.rfc3339)  \(r.actor.role.rawValue) \(r.actor.id) \(e.summary)\n"
            if let text = e.text {
                let verdict = r.type == "chat.message" ? " [\(Describe.visibility(e.verdict))\(e.verdict.map { $0.rules.isEmpty ? "" : "; rules " + $0.rules.joined(separator: ", ") } ?? "")]" : ""
                out += "    \"\(text)\"\(verdict)\n"
            }
            if let redaction = e.redaction { out += "    \(redaction.sentence)\n" }
            if let blob = e.blob { out += "    blob: \(blob.rawValue)\n" }
            if let illegal = e.illegal { out += "    ILLEGAL here: \(illegal)\n" }
            out += "    → \(e.stateAfter)\n"
        }
        return out
    }

    /// The machine-readable timeline: every recorded event with its sentence and the state after it.
    public var json: JSONValue {
        [
            "order": .string(order),
            "atPosition": atPosition.map { .int(Int64($0)) } ?? .null,
            "view": finalState?.viewJSON ?? .null,
            "events": .array(entries.map { e in
                var o: [String: JSONValue] = [
                    "event": e.record.json(), "summary": .string(e.summary), "stateAfter": .string(e.stateAfter),
                ]
                if let v = e.verdict { o["visibility"] = .string(Describe.visibility(v)) }
                if let b = e.blob { o["blob"] = .string(b.rawValue) }
                if let i = e.illegal { o["illegal"] = .string(i) }
                if let r = e.redaction { o["redacted"] = .string(r.sentence) }
                return .object(o)
            }),
        ]
    }

    /// One self-contained HTML page (inline CSS, no scripts, no external requests).
    public var html: String {
        let title = "Order \(order) — timeline"
        var out = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title))</title>
        <style>
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
        header{background:#1d2330;color:#fff;padding:20px 32px}header h1{margin:0 0 6px;font-size:22px}
        header p{margin:2px 0;color:#c9cfdb}main{max-width:980px;margin:24px auto;padding:0 16px}
        ol.timeline{list-style:none;margin:0;padding:0;border-left:3px solid #c9cfdb}
        li.event{position:relative;margin:0 0 14px 18px;background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
        li.event:before{content:"";position:absolute;left:-27px;top:16px;width:12px;height:12px;border-radius:50%;background:#5b6b8c}
        .meta{font-size:13px;color:#5b6475}.who{font-weight:600}.role{display:inline-block;padding:0 6px;border-radius:4px;background:#e8ecf3;font-size:12px;margin-right:4px}
        .role-buyer{background:#dff0ff}.role-seller{background:#fff1d6}.role-support{background:#e6f6e6}.role-system{background:#eee}
        blockquote{margin:8px 0 4px;padding:8px 12px;background:#f8f9fb;border-left:3px solid #9aa6bd;white-space:pre-wrap;word-wrap:break-word}
        .redacted{font-style:italic;color:#555;background:#f0f0f0;padding:4px 8px;border-radius:4px;margin:4px 0}
        .verdict{display:inline-block;font-size:12px;padding:1px 8px;border-radius:10px;margin-top:4px}
        .v-delivered{background:#e6f6e6}.v-flagged{background:#fff1d6}.v-filtered{background:#ffe0e0}.v-hidden{background:#e4e4e4}
        li.filtered blockquote,li.hidden blockquote{border-left-color:#d9534f}
        .state{font-size:13px;color:#3b4a66;margin-top:6px}.hash{font-family:ui-monospace,monospace;font-size:12px;color:#5b6475;word-break:break-all}
        .illegal{color:#b00020;font-weight:600}.blob-missing,.blob-mismatch{color:#b00020;font-weight:600}
        table.view{border-collapse:collapse;background:#fff;margin-top:24px}table.view td{padding:4px 10px;border-bottom:1px solid #eceff4;vertical-align:top}
        </style></head><body>
        <header><h1>\(HTML.escape(title))</h1>

        """
        if let s = finalState {
            out += "<p>\(HTML.escape(s.itemTitle)) × \(s.itemQuantity) for \(HTML.escape(Describe.money(s.priceAmount, s.currency))) — buyer \(HTML.escape(s.buyer)), seller \(HTML.escape(s.seller))</p>\n"
        }
        out += "<p>\(entries.count) events\(atPosition.map { " up to position \($0)" } ?? ""); state now: \(HTML.escape(Describe.state(finalState))). Auditors' view: filtered and hidden messages are shown and marked.</p></header>\n<main><ol class=\"timeline\">\n"
        for e in entries {
            let r = e.record
            let verdictClass = e.verdict.map { " \($0.verdict.rawValue)" } ?? ""
            out += "<li class=\"event\(verdictClass)\" id=\"p\(r.position)\" data-position=\"\(r.position)\" data-revision=\"\(r.revision)\" data-event-id=\"\(HTML.escape(r.eventId))\" data-type=\"\(HTML.escape(r.type))\">\n"
            out += "<div class=\"meta\">#\(r.position) · rev \(r.revision) · <time datetime=\"\(r.recordedAt.rfc3339)\">\(r.recordedAt.rfc3339)</time>"
            if let occurred = r.occurredAt { out += " · occurred \(HTML.escape(occurred))" }
            out += " · \(HTML.escape(r.type))</div>\n"
            out += "<div><span class=\"role role-\(r.actor.role.rawValue)\">\(r.actor.role.rawValue)</span><span class=\"who\">\(HTML.escape(r.actor.id))</span> \(HTML.escape(e.summary))</div>\n"
            if let text = e.text { out += "<blockquote>\(HTML.escape(text))</blockquote>\n" }
            if let redaction = e.redaction { out += "<div class=\"redacted\">\(HTML.escape(redaction.sentence))</div>\n" }
            if let v = e.verdict {
                let rules = v.rules.isEmpty ? "" : " (rules: \(v.rules.joined(separator: ", ")))"
                out += "<span class=\"verdict v-\(v.verdict.rawValue)\">\(HTML.escape(Describe.visibility(v) + rules))</span>\n"
            }
            if let blob = e.blob { out += "<div class=\"blob-\(blob.rawValue)\">evidence blob: \(blob.rawValue)</div>\n" }
            if let illegal = e.illegal { out += "<div class=\"illegal\">Illegal at this point: \(HTML.escape(illegal))</div>\n" }
            out += "<div class=\"state\">State after: \(HTML.escape(e.stateAfter))</div>\n"
            out += "<div class=\"hash\">eventId \(HTML.escape(r.eventId)) · hash \(r.hash)</div>\n</li>\n"
        }
        out += "</ol>\n"
        if let s = finalState, case .object(let view) = s.viewJSON {
            out += "<h2>Order view\(atPosition.map { " at position \($0)" } ?? "")</h2>\n<table class=\"view\">\n"
            for key in view.keys.sorted() {
                out += "<tr><td>\(HTML.escape(key))</td><td>\(HTML.escape(CanonicalJSON.string(view[key] ?? .null)))</td></tr>\n"
            }
            out += "</table>\n"
        }
        out += "</main></body></html>\n"
        return out
    }
}

/// HTML escaping.
enum HTML {
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

/// Indented JSON with sorted keys, for people.
public enum PrettyJSON {
    public static func string(_ value: JSONValue, indent: String = "") -> String {
        switch value {
        case .array(let a):
            if a.isEmpty { return "[]" }
            let inner = indent + "  "
            return "[\n" + a.map { inner + string($0, indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let o):
            if o.isEmpty { return "{}" }
            let inner = indent + "  "
            return "{\n" + o.keys.sorted().map { k in inner + CanonicalJSON.string(.string(k)) + ": " + string(o[k]!, indent: inner) }.joined(separator: ",\n") + "\n\(indent)}"
        default:
            return CanonicalJSON.string(value)
        }
    }
}
