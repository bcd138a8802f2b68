import LMDB
import TimelineModel

/// One row of `disputes.list`.
public struct DisputeQueueEntry: Sendable {
    public var order: OrderState
    /// Open or escalated for longer than `timers.autoEscalateHours`.
    public var slaBreached: Bool
}

/// Counts for `stats`.
public struct StoreCounts: Sendable {
    public var orders: Int
    public var events: UInt64
    public var blobs: Int
    public var timers: Int
}

// MARK: - Projection queries (any thread)

extension TimelineStore {
    /// The order's current state, or `nil` when it does not exist.
    public func order(_ order: String) throws(TimelineError) -> OrderState? {
        try reading { s in try self.orderState(order, in: s.views) }
    }

    /// The order as it stood right after global `position` (time travel), by
    /// replaying its events; `nil` when it did not exist yet.
    public func order(_ order: String, atPosition position: UInt64) throws(TimelineError) -> OrderState? {
        Catalog.fold(try orderEvents(order, upTo: position))
    }

    /// Orders by participant and/or state, in order-id order after `after`.
    public func orders(participant: String?, state: OrderStatus?, limit: Int, after: String?) throws(TimelineError) -> (orders: [OrderState], after: String?) {
        try reading { s in
            let txn = s.views
            var result: [OrderState] = []
            var more = false
            let (table, prefix): (Database, [UInt8]) =
                if let participant { (self.viewTables.byParticipant, Keys.text(participant)) }
                else if let state { (self.viewTables.byState, Keys.text(state.rawValue)) }
                else { (self.viewTables.views, []) }
            try txn.withCursor(table) { cursor in
                var entry = try cursor.seek(atLeast: prefix + (after.map { Array($0.utf8) + [0] } ?? []))
                while let e = entry, Keys.hasPrefix(e.key, prefix) {
                    let orderId = Keys.suffix(e.key, after: prefix.count)
                    entry = try cursor.next()
                    if let after, orderId <= after { continue }
                    guard let s = try self.orderState(orderId, in: txn) else { continue }
                    if let state, s.status != state { continue }
                    if result.count == limit { more = true; break }
                    result.append(s)
                }
            }
            return (result, more ? result.last?.order : nil)
        }
    }

    /// The dispute queue, oldest first, optionally of one status.
    public func disputes(status: DisputeStatus?, limit: Int, now: Timestamp) throws(TimelineError) -> [DisputeQueueEntry] {
        try reading { s in
            let txn = s.views
            var keyed: [(opened: Timestamp, order: String)] = []
            for s in status.map({ [$0] }) ?? DisputeStatus.allCases {
                let prefix = Keys.text(s.rawValue)
                try txn.withCursor(self.viewTables.disputeQueue) { cursor in
                    var entry = try cursor.seek(atLeast: prefix)
                    var taken = 0
                    while let e = entry, Keys.hasPrefix(e.key, prefix), taken < limit {
                        keyed.append((Keys.readTime(e.key, at: prefix.count), Keys.suffix(e.key, after: prefix.count + 8)))
                        taken += 1
                        entry = try cursor.next()
                    }
                }
            }
            keyed.sort { ($0.opened, $0.order) < ($1.opened, $1.order) }
            let hours = self.configuration.timers.autoEscalateHours
            return try keyed.prefix(limit).compactMap { k in
                guard let s = try self.orderState(k.order, in: txn), let d = s.dispute else { return nil }
                return DisputeQueueEntry(order: s, slaBreached: d.status.isActive && now >= d.openedAt.adding(hours: hours))
            }
        }
    }

    /// A participant's figures, or `nil` for an unknown user.
    public func participant(_ user: String) throws(TimelineError) -> ParticipantFigures? {
        try reading { s in
            let txn = s.views
            guard var figures = try Self.participant(user, in: txn, tables: self.viewTables) else { return nil }
            let prefix = Keys.text(user)
            try txn.withCursor(self.viewTables.replyTimes) { cursor in
                var entry = try cursor.seek(atLeast: prefix)
                while let e = entry, Keys.hasPrefix(e.key, prefix) {
                    figures.recentReplyMicroseconds.append(Int64(bitPattern: Keys.readUInt64(e.value)))
                    entry = try cursor.next()
                }
            }
            return figures
        }
    }

    /// Timers due at `now`: order and kind, earliest first.
    public func dueTimers(now: Timestamp, limit: Int = 1000) throws(TimelineError) -> [(order: String, kind: TimerKind, due: Timestamp)] {
        try reading { s in
            let txn = s.views
            var due: [(String, TimerKind, Timestamp)] = []
            try txn.withCursor(self.viewTables.timers) { cursor in
                var entry = try cursor.first()
                while let e = entry, due.count < limit {
                    let at = Keys.readTime(e.key, at: 0)
                    if at > now { break }
                    let rest = Array(e.key[8...])
                    if let nul = rest.firstIndex(of: 0), let kind = TimerKind(rawValue: String(decoding: rest[..<nul], as: UTF8.self)) {
                        due.append((String(decoding: rest[(nul + 1)...], as: UTF8.self), kind, at))
                    }
                    entry = try cursor.next()
                }
            }
            return due
        }
    }

    /// Entry counts for `stats`.
    public func counts() throws(TimelineError) -> StoreCounts {
        try reading { s in
            StoreCounts(
                orders: try s.views.count(self.viewTables.views), events: try Self.applied(in: s.views, tables: self.viewTables).position,
                blobs: try s.log.count(self.log.blobs), timers: try s.views.count(self.viewTables.timers)
            )
        }
    }
}
