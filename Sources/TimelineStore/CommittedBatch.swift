import TimelineModel

/// The index entries of one record: what `orderEvents` and `eventIds` get.
public struct IndexEntry: Sendable {
    var order: String
    var revision: UInt64
    var eventId: String
    var position: UInt64
    /// The record's `hash` (hex): its Merkle leaf.
    var hash: String
}

/// An order's state before and after a batch.
struct OrderChange: Sendable {
    /// As views/ holds it before the batch (`nil`: the order is new).
    var original: OrderState?
    var state: OrderState
}

/// What one log commit changes in views/, handed from the writer to the
/// applier. Batches are applied in commit order; many coalesce into one views
/// transaction (``merging(_:)``).
public struct CommittedBatch: Sendable {
    var entries: [IndexEntry]
    var changes: [String: OrderChange]
    var effects: [ParticipantEffect]
    /// The log's head after this batch: views' `applied` once it is applied.
    public var head: ChainHead
    /// How long the log's `mdb_txn_commit` took (page writes and fsync); 0 when nothing was committed.
    public var logCommitNanoseconds: Int64 = 0

    /// Whether the batch wrote nothing (every request refused or a duplicate).
    public var isEmpty: Bool { entries.isEmpty }

    /// One batch with the effect of `batches` applied in order: each order's
    /// original from the first batch that touched it, its state from the last.
    static func merging(_ batches: [CommittedBatch]) -> CommittedBatch? {
        guard var merged = batches.last(where: { !$0.isEmpty }).map({ CommittedBatch(entries: [], changes: [:], effects: [], head: $0.head) }) else { return nil }
        for batch in batches where !batch.isEmpty {
            merged.entries += batch.entries
            merged.effects += batch.effects
            for (order, change) in batch.changes {
                if let earlier = merged.changes[order] {
                    merged.changes[order] = OrderChange(original: earlier.original, state: change.state)
                } else {
                    merged.changes[order] = change
                }
            }
        }
        return merged
    }
}

/// The writer's own state, beside the log: the authoritative order states
/// (never behind the log) and what views/ has not applied yet, so that the
/// writer never reads an order or an eventId from views/ that views/ does not
/// reflect yet.
struct WriterState: Sendable {
    /// Orders the writer touched recently, as the log has them.
    var states: [String: OrderState] = [:]
    /// eventId → position of records views/ has not applied yet.
    var pendingIds: [String: UInt64] = [:]
    /// order → its last record views/ has not applied yet (such orders are pinned in ``states``).
    var pendingOrders: [String: UInt64] = [:]
    /// The unapplied records in position order, for pruning.
    private var pendingQueue: [(position: UInt64, order: String, eventId: String)] = []
    private var queueStart = 0

    /// The positions of the records views/ has not applied yet.
    var pendingPositions: [UInt64] { pendingQueue[queueStart...].map(\.position) }

    /// Forgets the pending entries views/ has applied (positions up to `applied`).
    mutating func prune(appliedThrough applied: UInt64) {
        while queueStart < pendingQueue.count, pendingQueue[queueStart].position <= applied {
            let entry = pendingQueue[queueStart]
            if pendingIds[entry.eventId] == entry.position { pendingIds.removeValue(forKey: entry.eventId) }
            if pendingOrders[entry.order] == entry.position { pendingOrders.removeValue(forKey: entry.order) }
            queueStart += 1
        }
        if queueStart > 4096 && queueStart * 2 > pendingQueue.count {
            pendingQueue.removeFirst(queueStart)
            queueStart = 0
        }
    }

    /// Takes in a committed batch: its states, and its records as pending.
    mutating func record(_ batch: CommittedBatch, states changed: [String: OrderState], limit: Int) {
        for entry in batch.entries {
            pendingIds[entry.eventId] = entry.position
            pendingOrders[entry.order] = entry.position
            pendingQueue.append((entry.position, entry.order, entry.eventId))
        }
        if states.count + changed.count > limit {
            // Keep what views/ has not applied; everything else can be read from views/ again.
            states = states.filter { pendingOrders[$0.key] != nil }
        }
        states.merge(changed) { _, new in new }
    }
}
