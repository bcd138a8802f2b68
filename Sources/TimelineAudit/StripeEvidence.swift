import TimelineModel

/// An order's timeline mapped to Stripe's dispute evidence fields
/// (https://docs.stripe.com/api/disputes/update, `evidence`): text fields filled
/// from the timeline, file fields naming files of the bundle (upload each with
/// `purpose=dispute_evidence` and put the file id in its place). Stripe's limits
/// are checked: files PDF, JPEG or PNG of at most 5 MB, text fields 150,000
/// characters in all; what breaks them is left out with a warning.
struct StripeEvidence {
    /// An evidence file of the bundle.
    struct Attachment {
        var path: String
        var mediaType: String
        var size: Int
        var position: UInt64
    }

    static let maxFileBytes = 5 * 1024 * 1024
    static let maxTextCharacters = 150_000
    static let fileTypes: Set<String> = ["application/pdf", "image/jpeg", "image/png"]

    var fields: [String: JSONValue]
    var warnings: [String]

    var json: JSONValue {
        [
            "evidence": .object(fields),
            "limits": ["fileBytes": .int(Int64(Self.maxFileBytes)), "fileTypes": .array(Self.fileTypes.sorted().map { .string($0) }), "textCharacters": .int(Int64(Self.maxTextCharacters))],
            "note": "File fields name files of this bundle: upload each to Stripe (purpose dispute_evidence) and put the returned file id in its place.",
        ]
    }

    static func make(timeline: OrderTimeline, attachments: [Attachment], communicationPDF: String?) -> StripeEvidence {
        var warnings: [String] = []
        var fields: [String: JSONValue] = [:]
        let state = timeline.finalState
        if let s = state {
            fields["product_description"] = .string("Order \(timeline.order): \(s.itemTitle) × \(s.itemQuantity) for \(Describe.money(s.priceAmount, s.currency)), a digital game item delivered in game by the seller. Delivered \(s.deliveredQuantity) of \(s.itemQuantity); refunded \(Describe.money(s.refundedAmount, s.currency)).")
            if let delivered = s.deliveredAt { fields["service_date"] = .string(String(delivered.rfc3339.prefix(10))) }
        }
        let deliveryTypes: Set<String> = ["order.placed", "order.paid", "delivery.marked", "delivery.confirmed", "order.completed", "refund.issued", "order.cancelled"]
        let activity = timeline.entries.filter { deliveryTypes.contains($0.record.type) }.map(line)
        if !activity.isEmpty { fields["access_activity_log"] = .string(activity.joined(separator: "\n")) }
        let conversation = timeline.entries.filter { $0.record.type != "support.note" && !deliveryTypes.contains($0.record.type) }.map { e -> String in
            var text = line(e)
            if let t = e.text { text += ": \"\(t)\"" }
            if let v = e.verdict, v.verdict != .delivered { text += " [\(Describe.visibility(v))]" }
            if let r = e.redaction { text += " [\(r.sentence)]" }
            return text
        }
        if !conversation.isEmpty {
            fields["uncategorized_text"] = .string("The order's timeline as the platform's log recorded it (times UTC):\n" + conversation.joined(separator: "\n"))
        }
        // Text fields: 150,000 characters in all; the conversation gives way first.
        let otherText = fields.filter { $0.key != "uncategorized_text" }.values.compactMap(\.stringValue).reduce(0) { $0 + $1.count }
        if let text = fields["uncategorized_text"]?.stringValue, otherText + text.count > maxTextCharacters {
            let room = max(0, maxTextCharacters - otherText - 80)
            fields["uncategorized_text"] = .string(String(text.prefix(room)) + "\n[cut: the whole conversation is in communication.pdf and events.jsonl]")
            warnings.append("Stripe takes 150,000 characters of text in all: uncategorized_text was cut to \(room) characters")
        }
        // File fields.
        var usable: [Attachment] = []
        for a in attachments {
            if !fileTypes.contains(a.mediaType) {
                warnings.append("\(a.path) (\(a.mediaType)) is not a PDF, JPEG or PNG: Stripe does not take it; convert it to add it")
            } else if a.size > maxFileBytes {
                warnings.append("\(a.path) has \(a.size) bytes, over Stripe's 5 MB per file: left out of stripe.json")
            } else {
                usable.append(a)
            }
        }
        if let pdf = communicationPDF { fields["customer_communication"] = .string(pdf) }
        if let first = usable.first { fields["service_documentation"] = .string(first.path) }
        if usable.count > 1 { fields["uncategorized_file"] = .string(usable[1].path) }
        if usable.count > 2 {
            warnings.append("Stripe has room for two evidence files besides the conversation: \(usable.dropFirst(2).map(\.path).joined(separator: ", ")) are in the bundle only (merge them into one PDF to send them)")
        }
        return StripeEvidence(fields: fields, warnings: warnings)
    }

    /// One timeline entry as a line: time, who, what.
    static func line(_ e: TimelineEntry) -> String {
        "\(e.record.recordedAt.rfc3339.prefix(19).replacingOccurrences(of: "T", with: " ")) \(e.record.actor.role.rawValue) \(e.summary)"
    }
}
