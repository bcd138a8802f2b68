import TimelineFuzz

/// A deterministic random number generator (SplitMix64), so a failing
/// property test can be replayed from its seed: the fuzzer's generator.
public typealias SeededRandom = FuzzRandom
