import TestSupport
import Testing
import TimelineModel

/// One order's events played through the catalog the way the store plays
/// them: validate against the state, stamp position, revision and time,
/// seal, fold. No storage; the model alone.
struct Replay {
    var state: OrderState?
    var records: [RecordedEvent] = []
    var effects: [ParticipantEffect] = []
    /// The time the next event is recorded at (each append moves it a minute on).
    var now = TestClock.defaultStart
    var script: OrderScript

    init(_ script: OrderScript) { self.script = script }

    /// A fresh order `A-1` (quantity `quantity`, price `price`).
    init(quantity: Int64 = 1, price: Int64 = 10_000) {
        self.init(OrderScript(order: "A-1", quantity: quantity, price: price))
    }

    /// Validates and records `event`; `advance` moves the clock first.
    @discardableResult
    mutating func append(
        _ event: EventInput, origin: AppendOrigin = .client, moderation: ModerationVerdict? = nil, advance seconds: Int64 = 60
    ) throws(TimelineError) -> RecordedEvent {
        now = Timestamp(microseconds: now.microseconds + seconds * 1_000_000)
        try Catalog.validate(event, state: state, index: 0, origin: origin, recordedAt: now)
        var record = RecordedEvent(
            position: UInt64(records.count + 1), order: script.order, revision: state.map { $0.revision + 1 } ?? 0,
            eventId: event.eventId, type: event.type, actor: event.actor, recordedAt: now, occurredAt: event.occurredAt,
            data: event.data, moderation: moderation ?? (event.type == "chat.message" ? ModerationVerdict(verdict: .delivered, rules: []) : nil)
        )
        let sealed = record.seal(prevHash: records.last?.hash ?? Hashing.zeroHash)
        // The hand-written canonical writers must equal the generic encoder at every step.
        #expect(sealed == CanonicalJSON.encode(record.json()))
        effects += Catalog.apply(record, to: &state)
        if let state {
            #expect(state.storageBytes == CanonicalJSON.encode(state.storageJSON))
            #expect(state.viewBytes == CanonicalJSON.encode(state.viewJSON))
        }
        records.append(record)
        return record
    }

    /// Appends every event in turn.
    mutating func append(_ events: [EventInput]) throws(TimelineError) {
        for e in events { try append(e) }
    }

    /// What validation says about `event` now, without recording it.
    func refusal(_ event: EventInput, origin: AppendOrigin = .client, index: Int = 0) -> TimelineError? {
        do {
            try Catalog.validate(event, state: state, index: index, origin: origin, recordedAt: now)
            return nil
        } catch { return error }
    }

    /// The current view.
    var view: JSONValue { state?.viewJSON ?? .null }

    // MARK: - Orders at a known point of their life

    static func placed(quantity: Int64 = 1, price: Int64 = 10_000) throws -> Replay {
        var r = Replay(quantity: quantity, price: price)
        try r.append(r.script.placed())
        return r
    }

    static func paid(quantity: Int64 = 1, price: Int64 = 10_000) throws -> Replay {
        var r = try placed(quantity: quantity, price: price)
        try r.append(r.script.paid())
        return r
    }

    static func delivered(quantity: Int64 = 1, price: Int64 = 10_000, delivering: Int64? = nil) throws -> Replay {
        var r = try paid(quantity: quantity, price: price)
        try r.append(r.script.delivered(quantity: delivering ?? quantity))
        return r
    }

    /// Delivered in full, with an open dispute asking to deliver the missing part.
    static func disputed(quantity: Int64 = 1, price: Int64 = 10_000, delivering: Int64? = nil) throws -> Replay {
        var r = try delivered(quantity: quantity, price: price, delivering: delivering)
        try r.append(r.script.disputeOpened())
        return r
    }
}

// MARK: - Expectations on refusals

/// Expects `error` to be `invalid_event` for event `index`, naming `field`.
func expectInvalidEvent(
    _ error: TimelineError?, field: String, index: Int = 0, sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let error else {
        Issue.record("expected invalid_event (\(field)), but the event was accepted", sourceLocation: sourceLocation)
        return
    }
    #expect(error.code == .invalidEvent, "\(error)", sourceLocation: sourceLocation)
    #expect(error.details["index"] == .int(Int64(index)), sourceLocation: sourceLocation)
    #expect(error.details["field"] == .string(field), "\(error)", sourceLocation: sourceLocation)
    #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
}

/// Expects `error` to be `invalid_transition` in `state`, with a reason
/// (equal to the message) that contains `reason` when given.
func expectInvalidTransition(
    _ error: TimelineError?, state: String, reason: String? = nil, index: Int = 0, sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let error else {
        Issue.record("expected invalid_transition in \(state), but the event was accepted", sourceLocation: sourceLocation)
        return
    }
    #expect(error.code == .invalidTransition, "\(error)", sourceLocation: sourceLocation)
    #expect(error.details["index"] == .int(Int64(index)), sourceLocation: sourceLocation)
    #expect(error.details["state"] == .string(state), sourceLocation: sourceLocation)
    #expect(error.details["reason"] == .string(error.message), sourceLocation: sourceLocation)
    if let reason {
        #expect(error.message.contains(reason), "\(error.message)", sourceLocation: sourceLocation)
    }
}

/// Expects `event` to be accepted by `replay` and records it.
func expectAccepted(
    _ replay: inout Replay, _ event: EventInput, origin: AppendOrigin = .client, sourceLocation: SourceLocation = #_sourceLocation
) {
    do {
        try replay.append(event, origin: origin)
    } catch {
        Issue.record("\(event.type) by \(event.actor.role) was refused: \(error)", sourceLocation: sourceLocation)
    }
}
