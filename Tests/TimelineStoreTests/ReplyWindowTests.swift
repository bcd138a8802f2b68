import TestSupport
import Testing
import TimelineModel
import TimelineStore

/// Reply times behind `medianReplySeconds`: only the last
/// `ParticipantFigures.replyWindow` per user are kept, whether the replies
/// arrive one per commit, hundreds per commit, or all at once in a rebuild.
@Suite("Store: the reply-time window")
struct ReplyWindowTests {
    @Test("each user keeps exactly the last replyWindow reply times, across batch sizes and a rebuild")
    func window() throws {
        let h = try StoreHarness()
        var s = OrderScript(order: "W-1", quantity: 1)
        _ = try h.append("W-1", [s.placed(), s.paid()])
        var expected: [String: [Int64]] = [:]
        var awaiting: (role: ActorRole, since: Timestamp)?
        let messages = 4_500
        let batchSizes = [1, 7, 300, 2, 2_300, 1, 64]  // 2300: one commit pushes a whole window out
        var sent = 0
        var batch = 0
        while sent < messages {
            let size = min(batchSizes[batch % batchSizes.count], messages - sent)
            batch += 1
            h.clock.advance(seconds: Int64(batch % 5 + 1))
            let now = h.clock.now
            var requests: [AppendRequest] = []
            for i in sent..<(sent + size) {
                let author = i % 2 == 0 ? s.seller : s.buyer
                if let awaiting, awaiting.role == author.role {
                    expected[author.id, default: []].append(now.microseconds - awaiting.since.microseconds)
                }
                if awaiting?.role != author.role.counterpart { awaiting = (author.role.counterpart, now) }
                requests.append(AppendRequest(order: "W-1", events: [s.chat("message \(i)", by: author)]))
            }
            for result in h.store.commit(requests) { _ = try result.get() }
            sent += size
        }
        let window = ParticipantFigures.replyWindow
        func check(_ when: String) throws {
            for user in [s.buyer.id, s.seller.id] {
                let figures = try #require(try h.store.participant(user))
                let all = expected[user] ?? []
                #expect(all.count > window, "\(user) needs more than a window of replies")
                #expect(figures.replies == all.count, "\(when): \(user)")
                #expect(figures.recentReplyMicroseconds == Array(all.suffix(window)), "\(when): \(user)")
            }
        }
        try check("after the appends")
        _ = try h.store.rebuildViews()
        try check("after a rebuild")
    }
}

extension ActorRole {
    /// The other party of an order's chat.
    var counterpart: ActorRole { self == .buyer ? .seller : .buyer }
}
