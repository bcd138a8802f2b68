// MARK: - Redress: appeals of moderation verdicts, their review, and redaction

extension Catalog {
    /// Types whose `data` a `redaction.applied` may remove: their data never drives
    /// the order's state, so views and the audit's replay stay exact without it.
    public static let redactableTypes: Set<String> = ["chat.message", "evidence.attached", "support.note"]

    static let redressRules: [EventRule] = [
        EventRule(
            "moderation.appealed", roles: [.buyer, .seller],
            schema: DataSchema([.required("position", .integer(1...Int64.max)), .required("text", .string(1...2000))]),
            author: { s, c in
                guard let i = appealedMessage(&s, c) else { return nil }
                let author = s.moderatedMessages[i].author
                return author == c.actor ? nil : "only the author of the message at position \(s.moderatedMessages[i].position) (\(author.role.rawValue) \(author.id)) may appeal its verdict"
            },
            allowed: { s, c in
                let position = c.data["position"]?.intValue ?? 0
                guard let i = appealedMessage(&s, c) else {
                    return "position \(position) is not a filtered or hidden chat message of order \(s.order); only such verdicts can be appealed"
                }
                let message = s.moderatedMessages[i]
                if let appeal = message.appeal {
                    return appeal.status == .pending
                        ? "the verdict on the message at position \(position) is already appealed (appeal at position \(appeal.position), pending review)"
                        : "the verdict on the message at position \(position) was appealed and reviewed (\(appeal.status.rawValue)); it cannot be appealed again"
                }
                if let days = c.appealWindowDays {
                    let closes = Timestamp(microseconds: message.at.microseconds + Int64(days) * 86_400_000_000)
                    if c.recordedAt > closes {
                        return "the appeal window of \(days) days for the message at position \(position) closed at \(closes.rfc3339)"
                    }
                }
                return nil
            },
            apply: { state, e, _ in
                state?.inPlace { s in
                    guard let position = e.data["position"]?.intValue, let i = s.moderatedIndex(ofPosition: UInt64(position)) else { return }
                    s.moderatedMessages[i].appeal = Appeal(position: e.position, appealedAt: e.recordedAt)
                }
            }
        ),
        EventRule(
            // Support only: a decision on an appeal is never solely automated (EU DSA Art. 20(6)).
            "moderation.reviewed", roles: [.support],
            schema: DataSchema([
                .required("position", .integer(1...Int64.max)), .required("decision", .oneOf(["upheld", "overturned"])),
                .required("note", shortText),
            ]),
            allowed: { s, c in
                let position = c.data["position"]?.intValue ?? 0
                guard let i = appealedMessage(&s, c), s.moderatedMessages[i].appeal?.status == .pending else {
                    return "no appeal of the message at position \(position) is pending on order \(s.order)"
                }
                return nil
            },
            apply: { state, e, effects in
                state?.inPlace { s in
                    guard let position = e.data["position"]?.intValue, let i = s.moderatedIndex(ofPosition: UInt64(position)),
                          let decision = e.data["decision"]?.stringValue.flatMap(Appeal.Status.init(rawValue:))
                    else { return }
                    s.moderatedMessages[i].appeal?.status = decision
                    s.moderatedMessages[i].appeal?.reviewPosition = e.position
                    s.moderatedMessages[i].appeal?.reviewedAt = e.recordedAt
                    guard decision == .overturned else { return }
                    // Visible to the other party from now on, as if sent at the review's time.
                    let message = s.moderatedMessages[i]
                    if message.verdict == .filtered { s.messages.filtered -= 1 } else { s.messages.hidden -= 1 }
                    s.messages.visible += 1
                    s.noteVisibleMessage(from: message.author, at: e.recordedAt, effects: &effects)
                }
            }
        ),
        EventRule(
            // Appended by the daemon for `admin.redact`, in the commit that removes the
            // targets' data; the targets themselves are checked against the log
            // (``Redaction``), which the order state does not hold.
            "redaction.applied", roles: [.system],
            schema: DataSchema([
                .required("targets", .list(.object(Redaction.targetSchema), count: 1...1000)),
                .required("reason", shortText), .required("requestedBy", .string(1...256)),
            ]),
            origins: [.daemon],
            allowed: { _, _ in nil },
            apply: { state, e, _ in
                let positions = Set(Redaction.targetPositions(of: e))
                state?.evidence.removeAll { positions.contains($0.position) }
            }
        ),
    ]

    /// The index of the moderated message an appeal or review names (`data.position`).
    static func appealedMessage(_ s: inout OrderState, _ c: EventRule.Context) -> Int? {
        guard let position = c.data["position"]?.intValue, position > 0 else { return nil }
        return s.moderatedIndex(ofPosition: UInt64(position))
    }
}
