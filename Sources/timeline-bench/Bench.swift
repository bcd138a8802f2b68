import ArgumentParser

/// `timeline-bench`: the benchmark harness. Build with `-c release`.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline-bench",
        abstract: "Measures OrderTimeline against its baselines (run a release build).",
        subcommands: [StoreBench.self, SocketBench.self, BaselineBench.self, AuditBench.self, FuzzBench.self,
                      ModerationBench.self]
    )
}

/// Options every benchmark shares.
struct CommonOptions: ParsableArguments {
    @Option(help: "Where temporary stores go (a real disk, not tmpfs, for honest fsync figures).")
    var workDirectory: String = "var/bench"

    @Option(help: "strict (fsync per commit) or relaxed.")
    var durability: String = "strict"

    @Option(help: "Seconds each measurement runs.")
    var seconds: Double = 3
}
