import LMDB
import TimelineModel

/// Writes projection rows for changed orders: the stored view, the participant,
/// state and dispute indexes, the timer table and the participant figures.
/// Used by the commit path and by the rebuild, so both produce the same rows.
struct Projector {
    let tables: ViewTables
    let txn: WriteTransaction
    let timers: TimerSettings

    /// Replaces the rows of `original` (`nil`: the order is new) with those of `state`.
    func write(_ state: OrderState, replacing original: OrderState?) throws {
        let order = state.order
        try txn.put(tables.views, key: Array(order.utf8), value: state.storageBytes)
        if case .none = original {
            try txn.put(tables.byParticipant, key: Keys.participantOrder(state.buyer, order), value: Array("buyer".utf8))
            try txn.put(tables.byParticipant, key: Keys.participantOrder(state.seller, order), value: Array("seller".utf8))
        }
        if original?.status != state.status {
            if let original { try txn.delete(tables.byState, key: Keys.stateOrder(original.status, order)) }
            try txn.put(tables.byState, key: Keys.stateOrder(state.status, order), value: [])
        }
        let oldDispute = original?.dispute.map { Keys.dispute($0.status, $0.openedAt, order) }
        let newDispute = state.dispute.map { Keys.dispute($0.status, $0.openedAt, order) }
        if oldDispute != newDispute {
            if let oldDispute { try txn.delete(tables.disputeQueue, key: oldDispute) }
            if let newDispute { try txn.put(tables.disputeQueue, key: newDispute, value: []) }
        }
        let oldTimers = Set((original?.timers(timers) ?? []).map { Keys.timer($0.due, $0.kind, order) })
        let newTimers = Set(state.timers(timers).map { Keys.timer($0.due, $0.kind, order) })
        for key in oldTimers.subtracting(newTimers) { try txn.delete(tables.timers, key: key) }
        for key in newTimers.subtracting(oldTimers) { try txn.put(tables.timers, key: key, value: []) }
        try writeAppeals(state, replacing: original)
        try writeBlobRefs(state, replacing: original)
    }

    /// The `appeals` rows: one per appeal, under its current status.
    private func writeAppeals(_ state: OrderState, replacing original: OrderState?) throws {
        func keys(_ s: OrderState?) -> Set<[UInt8]> {
            Set((s?.moderatedMessages ?? []).compactMap { m in m.appeal.map { Keys.appeal($0.status, $0.position) } })
        }
        let (old, new) = (keys(original), keys(state))
        guard old != new else { return }
        for key in old.subtracting(new) { try txn.delete(tables.appeals, key: key) }
        for key in new.subtracting(old) { try txn.put(tables.appeals, key: key, value: Array(state.order.utf8)) }
    }

    /// The `blobRefs` rows: one per evidence item the order shows.
    private func writeBlobRefs(_ state: OrderState, replacing original: OrderState?) throws {
        guard original?.evidence != state.evidence else { return }
        func keys(_ s: OrderState?) -> Set<[UInt8]> { Set((s?.evidence ?? []).compactMap { Keys.blobRef($0.sha256, $0.position) }) }
        let (old, new) = (keys(original), keys(state))
        for key in old.subtracting(new) { try txn.delete(tables.blobRefs, key: key) }
        for key in new.subtracting(old) { try txn.put(tables.blobRefs, key: key, value: []) }
    }

    /// Folds participant effects into the stored figures, one read and write per
    /// user. Of the reply times, only the last ``ParticipantFigures/replyWindow``
    /// per user are kept: rows that a batch would write and push out of the
    /// window again are never written (a rebuild folds a million replies into
    /// at most a window per user), and rows that fall out of it are deleted.
    func applyParticipantEffects(_ effects: [ParticipantEffect]) throws {
        guard !effects.isEmpty else { return }
        var figures: [String: ParticipantFigures] = [:]
        var repliesBefore: [String: Int] = [:]
        var newReplies: [String: [(number: UInt64, micros: Int64)]] = [:]
        for effect in effects {
            let user = ParticipantFigures.user(of: effect)
            var f: ParticipantFigures
            if let known = figures[user] {
                f = known
            } else {
                f = try TimelineStore.participant(user, in: txn, tables: tables) ?? ParticipantFigures(user: user)
                repliesBefore[user] = f.replies
            }
            f.apply(effect)
            if case .reply(_, let micros) = effect {
                newReplies[user, default: []].append((UInt64(f.replies), micros))
            }
            figures[user] = f
        }
        let window = UInt64(ParticipantFigures.replyWindow)
        for (user, f) in figures {
            try txn.put(tables.participants, key: Array(user.utf8), value: f.storageBytes)
            guard let replies = newReplies[user] else { continue }
            // Reply numbers keepFrom...total stay; so did oldKeepFrom...oldTotal before this batch.
            let total = UInt64(f.replies)
            let keepFrom = total > window ? total - window + 1 : 1
            for reply in replies where reply.number >= keepFrom {
                try txn.put(tables.replyTimes, key: Keys.replyTime(user, reply.number), value: Keys.uint64(UInt64(bitPattern: reply.micros)))
            }
            let oldTotal = UInt64(repliesBefore[user] ?? 0)
            let oldKeepFrom = oldTotal > window ? oldTotal - window + 1 : 1
            let dropEnd = min(keepFrom, oldTotal + 1)
            if oldKeepFrom < dropEnd {
                for number in oldKeepFrom..<dropEnd { _ = try txn.delete(tables.replyTimes, key: Keys.replyTime(user, number)) }
            }
        }
    }
}
