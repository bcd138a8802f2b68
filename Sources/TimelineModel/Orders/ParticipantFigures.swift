/// What the projections know about one user across all orders.
public struct ParticipantFigures: Sendable, Hashable {
    /// How many recent reply times the median is taken over.
    public static let replyWindow = 1000

    public var user: String
    public var ordersAsBuyer = 0
    public var ordersAsSeller = 0
    public var disputesOpened = 0
    public var disputesReceived = 0
    public var filteredMessages = 0
    public var replies = 0
    /// The most recent reply times, at most ``replyWindow``. Not part of the
    /// stored row: the store keeps them in their own table and fills this on reads.
    public var recentReplyMicroseconds: [Int64] = []

    /// Figures of a user with no activity yet.
    public init(user: String) { self.user = user }

    /// The median of the recent reply times, in seconds, or `nil` before the first reply.
    public var medianReplySeconds: Double? {
        guard !recentReplyMicroseconds.isEmpty else { return nil }
        let sorted = recentReplyMicroseconds.sorted()
        let mid = sorted.count / 2
        let micros = sorted.count % 2 == 1 ? Double(sorted[mid]) : Double(sorted[mid - 1] + sorted[mid]) / 2
        return micros / 1_000_000
    }

    /// Applies one effect that concerns this user.
    public mutating func apply(_ effect: ParticipantEffect) {
        switch effect {
        case .orderAsBuyer: ordersAsBuyer += 1
        case .orderAsSeller: ordersAsSeller += 1
        case .disputeOpened: disputesOpened += 1
        case .disputeReceived: disputesReceived += 1
        case .filteredMessage: filteredMessages += 1
        case .reply:
            replies += 1
        }
    }

    /// The user an effect concerns.
    public static func user(of effect: ParticipantEffect) -> String {
        switch effect {
        case .orderAsBuyer(let u), .orderAsSeller(let u), .disputeOpened(let u), .disputeReceived(let u), .filteredMessage(let u):
            return u
        case .reply(let u, _):
            return u
        }
    }

    /// The wire form (`participant.get`); `medianReplySeconds` is null before the first reply.
    public var viewJSON: JSONValue {
        [
            "user": .string(user), "ordersAsBuyer": .int(Int64(ordersAsBuyer)), "ordersAsSeller": .int(Int64(ordersAsSeller)),
            "disputesOpened": .int(Int64(disputesOpened)), "disputesReceived": .int(Int64(disputesReceived)),
            "filteredMessages": .int(Int64(filteredMessages)), "replies": .int(Int64(replies)),
            "medianReplySeconds": medianReplySeconds.map { .double($0) } ?? .null,
        ]
    }

    /// The stored form: the counters (reply times live in their own table).
    public var storageJSON: JSONValue {
        guard case .object(var o) = viewJSON else { return viewJSON }
        o["medianReplySeconds"] = nil
        return .object(o)
    }

    /// Reads the stored form back.
    public init(storageJSON json: JSONValue) throws(RecordDecodingError) {
        let r = try FieldReader(json, "participant")
        self.init(user: try r.string("user"))
        ordersAsBuyer = Int(try r.int("ordersAsBuyer"))
        ordersAsSeller = Int(try r.int("ordersAsSeller"))
        disputesOpened = Int(try r.int("disputesOpened"))
        disputesReceived = Int(try r.int("disputesReceived"))
        filteredMessages = Int(try r.int("filteredMessages"))
        replies = Int(try r.int("replies"))
    }
}
