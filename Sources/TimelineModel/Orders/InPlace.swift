/// Values worked on in place, by address: to change them, or to lend them to a
/// check without a copy (a large struct passed by value is copied at every call).
///
/// Through optional chaining it reaches the value inside an optional without
/// copying it out and back: `state?.inPlace { s in s.count += 1 }`. Arrays and
/// dictionaries inside stay uniquely referenced, so they change in place too.
public protocol InPlace {}

extension InPlace {
    /// Runs `body` on this value in place and returns what it returns.
    @inlinable
    public mutating func inPlace<T>(_ body: (inout Self) throws -> T) rethrows -> T {
        try body(&self)
    }
}
