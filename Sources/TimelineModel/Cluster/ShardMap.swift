import Crypto

/// Which shard owns an order (ARCHITECTURE.md "Past one machine"): jump
/// consistent hash (Lamping and Veach, 2014) of the first 8 bytes, big-endian,
/// of SHA-256(UTF-8 order id) into `shards` buckets. Every client routes with
/// this function; the Python client has the same one, and
/// `Tests/Fixtures/shard-vectors.json` checks that both agree.
///
/// ```swift
/// let cluster = ShardMap(shards: 4, shardId: 1)
/// cluster.owner(of: "A-1042")   // 0...3
/// cluster.owns("A-1042")        // whether this daemon answers for it
/// ```
public struct ShardMap: Sendable, Hashable {
    /// How many shards the orders are spread over (at least 1).
    public var shards: Int
    /// This daemon's shard, `0..<shards`.
    public var shardId: Int

    /// One daemon owning every order.
    public static let single = ShardMap(shards: 1, shardId: 0)

    /// A cluster of `shards` shards, seen from shard `shardId`.
    public init(shards: Int, shardId: Int) {
        self.shards = shards
        self.shardId = shardId
    }

    /// The shard that owns `order`.
    public func owner(of order: String) -> Int { Self.shard(of: order, shards: shards) }

    /// Whether this shard owns `order`.
    public func owns(_ order: String) -> Bool { shards <= 1 || owner(of: order) == shardId }

    /// The shard of `order` among `shards`.
    public static func shard(of order: String, shards: Int) -> Int {
        guard shards > 1 else { return 0 }
        let digest = Array(SHA256.hash(data: Array(order.utf8)))
        let key = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(jump(key, buckets: Int32(clamping: shards)))
    }

    /// Jump consistent hash: the bucket of `key` among `buckets` (Lamping and Veach, figure 1).
    public static func jump(_ key: UInt64, buckets: Int32) -> Int32 {
        var key = key
        var b: Int64 = -1
        var j: Int64 = 0
        while j < Int64(buckets) {
            b = j
            key = key &* 2_862_933_555_777_941_757 &+ 1
            j = Int64(Double(b + 1) * (Double(Int64(1) << 31) / Double((key >> 33) + 1)))
        }
        return Int32(b)
    }
}
