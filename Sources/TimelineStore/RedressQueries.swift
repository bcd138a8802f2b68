import LMDB
import TimelineModel

/// One row of `appeals.list`: an appeal of a moderation verdict and where it stands.
public struct AppealEntry: Sendable, Hashable {
    public var order: String
    /// The appealed message's position.
    public var position: UInt64
    public var appeal: Appeal
}

// MARK: - Appeals and statements of reasons (any thread)

extension TimelineStore {
    /// The appeals staff review, oldest first (by the appeal's position), optionally of one status.
    public func appeals(status: Appeal.Status?, limit: Int) throws(TimelineError) -> [AppealEntry] {
        try reading { s in
            var keyed: [(appealPosition: UInt64, order: String)] = []
            for status in status.map({ [$0] }) ?? Appeal.Status.allCases {
                let prefix = Keys.text(status.rawValue)
                try s.views.withCursor(self.viewTables.appeals) { cursor in
                    var entry = try cursor.seek(atLeast: prefix)
                    while let e = entry, Keys.hasPrefix(e.key, prefix), keyed.count < limit * Appeal.Status.allCases.count {
                        keyed.append((Keys.readUInt64(e.key, at: prefix.count), String(decoding: e.value, as: UTF8.self)))
                        entry = try cursor.next()
                    }
                }
            }
            keyed.sort { $0.appealPosition < $1.appealPosition }
            var states: [String: OrderState] = [:]
            var result: [AppealEntry] = []
            for k in keyed.prefix(limit) {
                if states[k.order] == nil { states[k.order] = try self.orderState(k.order, in: s.views) }
                guard let m = states[k.order]?.moderatedMessages.first(where: { $0.appeal?.position == k.appealPosition }), let appeal = m.appeal else { continue }
                result.append(AppealEntry(order: k.order, position: m.position, appeal: appeal))
            }
            return result
        }
    }

    /// The filtered or hidden message at `position`, with its appeal: what its statement of reasons is made of.
    /// - Throws: `not_found` past the head, `bad_request` for any other kind of event.
    public func moderatedMessage(at position: UInt64) throws(TimelineError) -> ModeratedMessage {
        try reading { s in
            guard position >= 1, try s.log.get(self.log.records, key: Keys.position(position)) != nil else {
                throw TimelineError(.notFound, "there is no event at position \(position)")
            }
            let record = try self.record(at: position, in: s.log)
            guard record.type == "chat.message", let verdict = record.moderation, ModeratedMessage.isWithheld(verdict.verdict) else {
                let what = record.type == "chat.message" ? "a \(record.moderation?.verdict.rawValue ?? "delivered") chat.message" : "a \(record.type)"
                throw TimelineError(.badRequest, "position \(position) is \(what); statements of reasons exist for filtered or hidden chat messages only")
            }
            if let known = try self.orderState(record.order, in: s.views)?.moderatedMessages.first(where: { $0.position == position }) {
                return known
            }
            // Recorded but not applied to views/ yet: not appealed either.
            return ModeratedMessage(position: position, verdict: verdict.verdict, rules: verdict.rules, author: record.actor, at: record.recordedAt)
        }
    }
}
