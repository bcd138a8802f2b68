// MARK: - Talk on an order: chat, evidence, availability, notes, moderation flags

extension Catalog {
    static let conversationRules: [EventRule] = [
        EventRule(
            "chat.message", roles: [.buyer, .seller, .support],
            schema: DataSchema([.required("channel", channel), .required("text", longText)]),
            allowed: { s, c in disputeChannelCheck(&s, c) },
            apply: { state, e, effects in
                state?.inPlace { s in
                    let verdict = e.moderation?.verdict ?? .delivered
                    switch verdict {
                    case .delivered: s.messages.visible += 1
                    case .flagged: s.messages.visible += 1; s.messages.flagged += 1
                    case .filtered:
                        s.messages.filtered += 1
                        s.filteredByUser[e.actor.id, default: 0] += 1
                        effects.append(.filteredMessage(user: e.actor.id))
                    case .hidden: s.messages.hidden += 1
                    }
                    if ModeratedMessage.isWithheld(verdict) {
                        s.moderatedMessages.append(ModeratedMessage(
                            position: e.position, verdict: verdict, rules: e.moderation?.rules ?? [], author: e.actor, at: e.recordedAt
                        ))
                    }
                    if e.actor.role == .seller, s.dispute?.status.isActive == true { s.dispute?.lastSellerActivityAt = e.recordedAt }
                    if verdict == .delivered || verdict == .flagged { s.noteVisibleMessage(from: e.actor, at: e.recordedAt, effects: &effects) }
                }
            }
        ),
        EventRule(
            "evidence.attached", roles: [.buyer, .seller, .support],
            schema: DataSchema([
                .required("sha256", .sha256), .required("size", .integer(0...Int64.max)),
                .required("filename", .string(1...255)), .required("mediaType", .string(1...255)),
                .required("channel", channel), .optional("description", longText),
            ]),
            origins: [.evidencePut],
            refine: { data in
                let name = data["filename"]?.stringValue ?? ""
                let bad = name.unicodeScalars.contains { $0 == "/" || $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F }
                return bad || name == "." || name == ".." ? ("data.filename", "data.filename must be a bare file name without path or control characters") : nil
            },
            allowed: { s, c in disputeChannelCheck(&s, c) },
            apply: { state, e, _ in
                // A redacted attachment (its data and blob gone) is no longer shown.
                guard !e.isRedacted else { return }
                let d = e.data
                state?.evidence.append(EvidenceItem(
                    position: e.position,
                    sha256: d["sha256"]?.stringValue ?? "", filename: d["filename"]?.stringValue ?? "",
                    mediaType: d["mediaType"]?.stringValue ?? "", size: d["size"]?.intValue ?? 0,
                    by: e.actor.role, byId: e.actor.id, at: e.recordedAt,
                    channel: d["channel"]?.stringValue ?? "order", description: d["description"]?.stringValue
                ))
            }
        ),
        EventRule(
            "participant.availability", roles: [.buyer, .seller, .support],
            schema: DataSchema([.required("until", .time), .required("note", shortText)]),
            allowed: { _, _ in nil },
            apply: { state, e, _ in state?.availability[e.actor.role.rawValue] = e.data["until"]?.stringValue }
        ),
        EventRule(
            "support.note", roles: [.support],
            schema: DataSchema([.required("text", longText)]),
            allowed: { _, _ in nil },
            apply: { state, _, _ in state?.supportNotes += 1 }
        ),
        EventRule(
            "moderation.flagged", roles: [.system],
            schema: DataSchema([
                .required("rule", .string(1...128)), .required("actorId", .string(1...128)), .required("count", .integer(1...Int64.max)),
            ]),
            origins: [.daemon],
            allowed: { _, _ in nil },
            apply: { state, _, _ in state?.moderationFlags += 1 }
        ),
    ]

    /// Messages and evidence in the `dispute` channel need a dispute that is not closed.
    static func disputeChannelCheck(_ s: inout OrderState, _ c: EventRule.Context) -> String? {
        guard c.data["channel"]?.stringValue == "dispute" else { return nil }
        guard let d = s.dispute, d.status != .closed else {
            return "the dispute channel needs an open dispute; use the order channel"
        }
        return nil
    }
}
