/// Writes one canonical JSON object member by member, for types that know
/// their own fields: no ``JSONValue`` tree, no dictionary, no key sorting.
///
/// The caller gives members in code-point order of their keys (the order
/// ``CanonicalJSON`` sorts them into); debug builds check that order, and the
/// tests compare every writer with `CanonicalJSON.encode` of the same value.
/// This is the hot path of every append: records, stored views and figures.
public struct CanonicalObject {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]
    private var first = true
    #if DEBUG
    private var lastKey: [UInt8] = []
    #endif

    /// Starts an object (`{`) in a buffer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    /// Closes the object and returns its bytes.
    public consuming func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    // MARK: - Members

    /// `"key":"value"`.
    public mutating func string(_ key: StaticString, _ value: String) {
        self.key(key)
        CanonicalJSON.writeString(value, into: &bytes)
    }

    /// `"key":"value"`, or `"key":null` when `value` is `nil`.
    public mutating func string(_ key: StaticString, _ value: String?) {
        if let value { string(key, value) } else { null(key) }
    }

    /// `"key":123`.
    public mutating func int(_ key: StaticString, _ value: Int64) {
        self.key(key)
        CanonicalJSON.writeInteger(value, into: &bytes)
    }

    /// `"key":123`.
    public mutating func int(_ key: StaticString, _ value: Int) { int(key, Int64(value)) }

    /// `"key":123`.
    public mutating func int(_ key: StaticString, _ value: UInt64) { int(key, Int64(truncatingIfNeeded: value)) }

    /// `"key":true|false`.
    public mutating func bool(_ key: StaticString, _ value: Bool) {
        self.key(key)
        bytes.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
    }

    /// `"key":null`.
    public mutating func null(_ key: StaticString) {
        self.key(key)
        bytes.append(contentsOf: Self.nullBytes)
    }

    /// `"key":"2026-11-26T15:00:00.000000Z"`, or `null` when `time` is `nil`.
    public mutating func time(_ key: StaticString, _ time: Timestamp?) {
        self.key(key)
        guard let time else { return bytes.append(contentsOf: Self.nullBytes) }
        bytes.append(UInt8(ascii: "\""))
        time.writeRFC3339(into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// `"key":` followed by bytes that are already canonical JSON.
    public mutating func canonical(_ key: StaticString, _ encoded: [UInt8]) {
        self.key(key)
        bytes.append(contentsOf: encoded)
    }

    /// `"key":` followed by the canonical form of any value.
    public mutating func value(_ key: StaticString, _ value: JSONValue) {
        self.key(key)
        CanonicalJSON.write(value, into: &bytes)
    }

    /// `"key":{…}` with the members `body` writes.
    public mutating func object(_ key: StaticString, _ body: (inout CanonicalObject) -> Void) {
        self.key(key)
        nested(body)
    }

    /// `"key":[{…},…]`: one object per element, its members written by `body`.
    public mutating func objects<Element>(_ key: StaticString, _ elements: [Element], _ body: (Element, inout CanonicalObject) -> Void) {
        self.key(key)
        bytes.append(UInt8(ascii: "["))
        for (i, element) in elements.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            nested { body(element, &$0) }
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// `"key":["a","b"]`.
    public mutating func strings(_ key: StaticString, _ values: [String]) {
        self.key(key)
        bytes.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            CanonicalJSON.writeString(value, into: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// `"key":{…}` from a dictionary whose keys are only known at run time, sorted by code point.
    public mutating func map<Value>(_ key: StaticString, _ members: [String: Value], _ write: (Value, inout [UInt8]) -> Void) {
        self.key(key)
        bytes.append(UInt8(ascii: "{"))
        let keys = members.count < 2 ? Array(members.keys) : members.keys.sorted(by: CanonicalJSON.codePointPrecedes)
        for (i, name) in keys.enumerated() {
            guard let value = members[name] else { continue }
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            CanonicalJSON.writeString(name, into: &bytes)
            bytes.append(UInt8(ascii: ":"))
            write(value, &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    // MARK: - Plumbing

    /// Writes a nested object into the same buffer.
    private mutating func nested(_ body: (inout CanonicalObject) -> Void) {
        var inner = CanonicalObject(capacity: 0)
        inner.bytes = []
        swap(&inner.bytes, &bytes)
        inner.bytes.append(UInt8(ascii: "{"))
        body(&inner)
        inner.bytes.append(UInt8(ascii: "}"))
        swap(&inner.bytes, &bytes)
    }

    private mutating func key(_ key: StaticString) {
        let name = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        #if DEBUG
        precondition(first || lastKey.lexicographicallyPrecedes(name), "CanonicalObject: key \(key) written out of code-point order")
        lastKey = Array(name)
        #endif
        if first { first = false } else { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: name)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    private static let nullBytes: [UInt8] = Array("null".utf8)
    private static let trueBytes: [UInt8] = Array("true".utf8)
    private static let falseBytes: [UInt8] = Array("false".utf8)
}
