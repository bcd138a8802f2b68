import Foundation
import Testing
import TimelineModel

/// The shard routing function of ARCHITECTURE.md, against the vectors the Python
/// client is checked with too, and the two properties jump hashing promises.
@Suite("shard routing: jump consistent hash of SHA-256(order id)")
struct ShardMapTests {
    static let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/shard-vectors.json")

    @Test("every vector of Tests/Fixtures/shard-vectors.json (shared with the Python client) routes to the same shard")
    func sharedVectors() throws {
        let file = try JSONParser.parse(Array(try Data(contentsOf: Self.vectors)))
        let vectors = file["vectors"]?.arrayValue ?? []
        #expect(vectors.count > 1000)
        for v in vectors {
            let order = v["order"]?.stringValue ?? "", shards = Int(v["shards"]?.intValue ?? 0)
            #expect(ShardMap.shard(of: order, shards: shards) == Int(v["shard"]?.intValue ?? -1), "\(order) in \(shards)")
        }
    }

    @Test("growing from n to n+1 shards moves only keys to the new shard, about 1/(n+1) of them; shards stay balanced")
    func jumpProperties() {
        let orders = (0..<20_000).map { "order-\($0)" }
        for n in [1, 2, 5, 9] {
            var moved = 0
            var counts = [Int](repeating: 0, count: n + 1)
            for o in orders {
                let before = ShardMap.shard(of: o, shards: n), after = ShardMap.shard(of: o, shards: n + 1)
                if before != after {
                    moved += 1
                    #expect(after == n, "a key only ever moves to the new shard")
                }
                counts[after] += 1
            }
            let share = Double(moved) / Double(orders.count)
            #expect(abs(share - 1.0 / Double(n + 1)) < 0.02, "\(n) → \(n + 1): \(share)")
            let expected = Double(orders.count) / Double(n + 1)
            #expect(counts.allSatisfy { abs(Double($0) - expected) < expected * 0.08 }, "\(counts)")
        }
        #expect(ShardMap(shards: 4, shardId: ShardMap.shard(of: "A-1", shards: 4)).owns("A-1"))
        #expect(ShardMap.single.owns("anything"))
    }
}
