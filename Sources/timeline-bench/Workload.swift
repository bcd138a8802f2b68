import Foundation
import TimelineFuzz
import TimelineModel
import TimelineModeration
import TimelineStore

/// Deterministic event generators shared by the benchmarks.
struct Workload {
    var rng: FuzzRandom
    let orders: Int
    var counter = 0

    init(orders: Int, seed: UInt64 = 42) {
        self.orders = orders
        rng = FuzzRandom(seed: seed)
    }

    static func orderId(_ i: Int) -> String { "B-\(i)" }

    /// The `order.placed` + `order.paid` pair that opens order `i`.
    static func opening(_ i: Int) -> [EventInput] {
        [
            EventInput(
                eventId: "open-\(i)", type: "order.placed", actor: Actor(role: .system, id: "shop"),
                data: [
                    "buyer": .string("buyer-\(i % 997)"), "seller": .string("seller-\(i % 101)"),
                    "item": ["title": "Dragon Lore AWP FN", "quantity": 3], "price": ["amount": 125_000, "currency": "EUR"],
                ]
            ),
            EventInput(eventId: "paid-\(i)", type: "order.paid", actor: Actor(role: .system, id: "pay")),
        ]
    }

    static let texts = [
        "hi, I just paid, when can you deliver the skin?",
        "sending the first 2 items now, trade offer #4412 at 18:30",
        "got 1 of 3, the rest today? lvl 80 char is online",
        "price was 1250 EUR for 3, all good, thanks!",
        "can you check the float, it says 0.0712 on the listing",
    ]

    /// A chat message on a random order.
    mutating func chat() -> (order: String, event: EventInput) {
        counter += 1
        let i = Int(rng.next() % UInt64(orders))
        let order = Self.orderId(i)
        let role: ActorRole = counter % 2 == 0 ? .buyer : .seller
        let id = role == .buyer ? "buyer-\(i % 997)" : "seller-\(i % 101)"
        let text = Self.texts[counter % Self.texts.count]
        return (order, EventInput(
            eventId: "m-\(counter)-\(rng.next() % 1_000_000)", type: "chat.message", actor: Actor(role: role, id: id),
            data: ["channel": "order", "text": .string(text)]
        ))
    }
}

/// Seconds since an arbitrary start, monotonic.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// A fresh empty directory under `base`.
func freshDirectory(_ base: String, _ name: String) -> String {
    let path = "\(base)/\(name)-\(getpid())"
    try? FileManager.default.removeItem(atPath: path)
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Prints a markdown table.
func printTable(_ header: [String], _ rows: [[String]]) {
    print("| " + header.joined(separator: " | ") + " |")
    print("|" + header.map { _ in "---:" }.joined(separator: "|") + "|")
    for row in rows { print("| " + row.joined(separator: " | ") + " |") }
}

func format(_ value: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", value) }

/// CPU seconds (user + system) this process has used so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

extension Workload {
    /// Builds a relaxed-durability store at `directory` with `orders` placed and
    /// paid orders, then chat messages until it holds `events` events.
    static func populateStore(at directory: String, orders: Int, events: Int) throws -> TimelineStore {
        var config = StoreConfiguration(path: directory)
        config.durability = .relaxed
        config.initialMapSizeBytes = 4 << 30
        let store = try TimelineStore(configuration: config, moderation: ModerationHolder(ModerationPolicy.builtIn))
        var setup: [AppendRequest] = []
        for i in 0..<orders { setup.append(AppendRequest(order: orderId(i), events: opening(i))) }
        try check(store.commit(setup))
        var workload = Workload(orders: orders)
        var written = orders * 2
        while written < events {
            var batch: [AppendRequest] = []
            for _ in 0..<min(5000, events - written) {
                let (order, event) = workload.chat()
                batch.append(AppendRequest(order: order, events: [event]))
            }
            written += batch.count
            try check(store.commit(batch))
        }
        return store
    }

    private static func check(_ results: [Result<AppendOutcome, TimelineError>]) throws {
        for case .failure(let error) in results { throw BenchError("building the store failed: \(error)") }
    }
}

/// A benchmark that cannot go on.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Bytes this process has handed to write-like system calls so far (`wchar` in
/// /proc/self/io): LMDB writes dirty pages with pwrite, so this counts pages written.
func bytesWritten() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix("wchar:") {
        return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) ?? 0
    }
    return 0
}

extension Workload {
    /// `count` chat messages as the store writes them (the orders placed and paid
    /// first): their canonical record bytes, for baselines that store the same
    /// bytes, with the keys and projection rows of the inline ceiling.
    static func sampleWriteSet(count: Int, orders: Int, workDirectory: String) throws -> InlineWriteSet {
        let dir = freshDirectory(workDirectory, "samples")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = StoreConfiguration(path: dir)
        config.durability = .relaxed
        config.initialMapSizeBytes = 256 << 20
        let store = try TimelineStore(configuration: config, moderation: ModerationHolder(ModerationPolicy.builtIn))
        try check(store.commit((0..<orders).map { AppendRequest(order: orderId($0), events: opening($0)) }))
        var workload = Workload(orders: orders)
        var batch: [AppendRequest] = []
        for _ in 0..<count {
            let (order, event) = workload.chat()
            batch.append(AppendRequest(order: order, events: [event]))
        }
        var records: [[UInt8]] = []
        for result in store.commit(batch) {
            guard case .success(let outcome) = result else { throw BenchError("a sample append failed: \(result)") }
            records += outcome.encodedRecords
        }
        return try InlineWriteSet(records: records, store: store)
    }
}
