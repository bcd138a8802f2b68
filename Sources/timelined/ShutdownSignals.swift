#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM, SIGINT and SIGHUP, blocked in every thread and taken one at a
/// time with `sigwait`: a signal that arrives while the daemon is still
/// starting stays pending until the daemon is ready to act on it, instead of
/// killing it half-started or being dropped.
enum ShutdownSignals {
    /// The signals `timelined` acts on.
    static var handled: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&set, signal) }
        return set
    }

    /// Blocks them in the calling thread and every thread it starts later;
    /// call first, before any thread exists.
    static func block() {
        var set = handled
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits for the next one and returns it.
    static func next() -> Int32 {
        var set = handled
        var signal: Int32 = 0
        while sigwait(&set, &signal) != 0 {}
        return signal
    }
}
