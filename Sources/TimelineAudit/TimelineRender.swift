import TimelineModel

// MARK: - Rendering an order's timeline: text and JSON (the HTML page is TimelineHTML.swift)

extension OrderTimeline {
    /// Aligned text for a terminal.
    public var text: String {
        var out = "Order \(order)"
        if let s = finalState {
            out += ": \(s.itemTitle) × \(s.itemQuantity), \(Describe.money(s.priceAmount, s.currency)), buyer \(s.buyer), seller \(s.seller)"
        }
        out += "\n\(entries.count) events\(atPosition.map { " up to position \($0)" } ?? ""); now \(Describe.state(finalState)).\n"
        if let v = verification {
            out += v.headline + "\n"
            for p in v.problems { out += "  \(p.position.map { "#\($0)" } ?? "checkpoint"): \(p.message)\n" }
        }
        for line in durationLines { out += "\(line.label): \(line.value)\n" }
        out += "\n"
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
            "verification": verification?.json ?? .null,
            "durations": .object(Dictionary(uniqueKeysWithValues: durationLines.map { ($0.key, .string($0.value)) })),
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
}

extension OrderTimeline {
    /// The durations that decide disputes as (key, label, sentence), in the order the page shows them.
    var durationLines: [(key: String, label: String, value: String)] {
        let d = durations
        var out: [(key: String, label: String, value: String)] = []
        let start = finalState?.paidAt != nil ? "payment" : "placement"
        if let t = d.timeToDelivery {
            out.append(("timeToDelivery", "Time to delivery", "\(Describe.duration(t)) (\(start) → full delivery)"))
        } else if finalState != nil {
            let partly = d.partlyDeliveredAt.map { ", partly delivered at \($0.rfc3339)" } ?? ""
            out.append(("timeToDelivery", "Time to delivery", "not fully delivered\(partly)"))
        }
        if let age = d.disputeAge {
            let running = d.disputeEndedAt == nil ? "open, as of \(d.asOf.rfc3339)" : "opened → resolved or closed"
            out.append(("disputeAge", "Dispute age", "\(Describe.duration(age)) (\(running))"))
        } else {
            out.append(("disputeAge", "Dispute age", "no dispute"))
        }
        for role in [ActorRole.buyer, .seller] {
            let label = role == .buyer ? "Buyer's first reply" : "Seller's first reply"
            let value = d.firstReply[role].map { "\(Describe.duration($0.waitedMicroseconds)) (#\($0.position))" } ?? "none"
            out.append(("\(role.rawValue)FirstReply", label, value))
        }
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
