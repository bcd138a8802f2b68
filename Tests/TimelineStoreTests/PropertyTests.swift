import TestSupport
import Testing
import TimelineModel
import TimelineStore

@Suite("Store: random valid histories (property)")
struct PropertyTests {
    @Test("every stored projection equals the one rebuilt from the log, and time travel agrees", arguments: [1, 7, 2026] as [UInt64])
    func storedEqualsRebuilt(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let h = try StoreHarness { $0.durability = .relaxed }
        let users = (0..<6).map { "u-\($0)" }
        var scripts: [OrderScript] = (0..<30).map { i in
            let buyer = users.randomElement(using: &rng)!
            let seller = users.filter { $0 != buyer }.randomElement(using: &rng)!
            return OrderScript(
                order: "H-\(i)", buyer: buyer, seller: seller, quantity: Int64.random(in: 1...4, using: &rng),
                price: Int64.random(in: 100...50_000, using: &rng)
            )
        }
        let orderIds = scripts.map(\.order)
        var mirror: [String: OrderState] = [:]
        var history: [String: [(position: UInt64, state: OrderState)]] = [:]
        var unexpected: [String] = []
        var recorded = 0
        var refusedOnPurpose = 0

        func absorb(_ outcome: AppendOutcome) {
            for record in outcome.records {
                var state = mirror[record.order]
                Catalog.apply(record, to: &state)
                mirror[record.order] = state
                history[record.order, default: []].append((record.position, state!))
                recorded += 1
            }
        }

        for step in 0..<500 {
            h.clock.advance(seconds: Int64.random(in: 0...(4 * 3600), using: &rng))
            if step % 20 == 0 {
                // The daemon's timers, fired as it would fire them.
                for timer in try h.store.dueTimers(now: h.clock.now) {
                    let event = mirror[timer.order]!.timerEvent(timer.kind)
                    switch h.store.commit([AppendRequest(order: timer.order, events: [event], origin: .daemon)])[0] {
                    case .success(let outcome): absorb(outcome)
                    case .failure(let error): unexpected.append("timer \(timer.kind) on \(timer.order): \(error)")
                    }
                }
            }
            // One commit with requests for distinct orders, as the group committer would batch them.
            var picked = Set<Int>()
            var requests: [AppendRequest] = []
            var meantToFail: [Bool] = []
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<scripts.count, using: &rng)
                guard picked.insert(i).inserted else { continue }
                let state = mirror[scripts[i].order]
                let roll = Int.random(in: 0..<20, using: &rng)
                if roll == 0, state != nil {
                    // Something the catalog may well refuse: a random candidate, unchecked.
                    let (event, origin) = RandomEvents.candidates(&scripts[i], state: state, using: &rng).randomElement(using: &rng)!
                    requests.append(AppendRequest(order: scripts[i].order, events: [event], origin: origin))
                    meantToFail.append(true)
                } else if roll == 1, state != nil {
                    let bytes = (0..<Int.random(in: 1...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                    let event = scripts[i].evidence(sha256: Hashing.sha256Hex(bytes), size: bytes.count, by: scripts[i].seller)
                    let valid = (try? Catalog.validate(event, state: state, index: 0, origin: .evidencePut, recordedAt: h.clock.now)) != nil
                    requests.append(AppendRequest(order: scripts[i].order, events: [event], origin: .evidencePut, blobs: [EvidenceBlob(bytes)]))
                    meantToFail.append(!valid)
                } else if let (event, origin) = RandomEvents.valid(&scripts[i], state: state, now: h.clock.now, using: &rng) {
                    requests.append(AppendRequest(order: scripts[i].order, events: [event], origin: origin))
                    meantToFail.append(false)
                }
            }
            let results = h.store.commit(requests)
            for (k, result) in results.enumerated() {
                switch result {
                case .success(let outcome): absorb(outcome)
                case .failure(let error):
                    if meantToFail[k] { refusedOnPurpose += 1 } else { unexpected.append("\(requests[k].events[0].type): \(error)") }
                }
            }
        }
        #expect(unexpected.isEmpty, "\(unexpected.prefix(3))")
        #expect(recorded > 400)
        #expect(refusedOnPurpose > 0)
        let types = Set(try h.wholeLog().map(\.type))
        #expect(types.isSuperset(of: ["order.placed", "order.paid", "delivery.marked", "dispute.opened", "dispute.offer", "chat.message", "evidence.attached"]))
        #expect(h.store.head.position == UInt64(recorded))
        // The histories went somewhere: disputes, refunds and completions happened.
        let finalStates = mirror.values
        #expect(finalStates.contains { $0.dispute != nil })
        #expect(finalStates.contains { $0.status == .completed || $0.status == .refunded || $0.status == .cancelled })

        // Stored views equal an independent fold of the appended records.
        for id in orderIds { #expect(try h.store.order(id) == mirror[id], "order \(id)") }

        // Stored projections equal those rebuilt from the log.
        let now = h.clock.now
        let before = try ProjectionSnapshot(h.store, orderIds: orderIds, users: users, now: now)
        _ = try h.store.rebuildViews()
        let after = try ProjectionSnapshot(h.store, orderIds: orderIds, users: users, now: now)
        #expect(after.orders == before.orders)
        #expect(after.list == before.list)
        #expect(after.byState == before.byState)
        #expect(after.byParticipant == before.byParticipant)
        #expect(after.disputes == before.disputes)
        #expect(after.participants == before.participants)
        #expect(after.timers == before.timers)

        // Time travel: at the head it is the current view; at any position it is the view as it stood.
        let head = h.store.head.position
        for id in orderIds {
            #expect(try h.store.order(id, atPosition: head) == h.store.order(id))
        }
        for _ in 0..<60 {
            let id = orderIds.randomElement(using: &rng)!
            let position = UInt64.random(in: 0...head, using: &rng)
            let expected = history[id]?.last(where: { $0.position <= position })?.state
            #expect(try h.store.order(id, atPosition: position) == expected, "\(id) at \(position)")
        }
    }
}
