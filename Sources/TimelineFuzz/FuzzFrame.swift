import TimelineModel

/// What the fuzzer requires of the reply to one frame.
public enum FrameExpectation: Sendable, Equatable {
    /// `ok`, or an error whose code PROTOCOL.md documents (`internal` is a finding: it means a bug).
    case documented
    /// `ok`: an unmutated request that cannot fail on a healthy daemon.
    case success
    /// `ok`, or one of these codes.
    case successOr(Set<String>)
    /// `frame_too_large` with `"id": null`, then the documented close.
    case frameTooLarge
}

/// How a frame was made; reports count frames per kind.
public enum FrameKind: String, Sendable, CaseIterable, Comparable {
    /// Random bytes (raw, printable or JSON-ish tokens).
    case random
    /// A well-formed request sent as is.
    case valid
    /// A request after one to three mutations.
    case mutated
    /// A line of exactly `maxFrameBytes` bytes: still served.
    case atLimit
    /// A line over `maxFrameBytes` (with or without its `\n`): refused, then closed.
    case overLimit

    public static func < (a: FrameKind, b: FrameKind) -> Bool {
        allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
    }
}

/// One frame to send, and what its reply must look like.
public struct FuzzFrame: Sendable {
    /// The line's bytes, without the `\n` that ends it; never contains `\n`.
    public var bytes: [UInt8]
    /// `false` only for an over-limit stream sent without any `\n`.
    public var terminated = true
    public var kind: FrameKind
    public var expectation: FrameExpectation
    /// Names of the mutations applied, in order (for reports).
    public var mutations: [String] = []
    /// What the generator learns from an `ok` reply.
    var purpose: Purpose = .none

    /// Follow-ups of a successful reply.
    enum Purpose: Sendable, Equatable {
        case none
        /// Creates the valid order at this index of the generator's list.
        case createOrder(Int)
        /// Uploads evidence; its sha256 becomes readable.
        case putEvidence(String)
        /// Ends this connection's subscription.
        case unsubscribe(String)
    }

    public init(bytes: [UInt8], kind: FrameKind, expectation: FrameExpectation) {
        self.bytes = bytes
        self.kind = kind
        self.expectation = expectation
    }

    /// The id the daemon must echo: the frame's `id` when the frame is a JSON
    /// object whose `id` is a string or an integer, else `null`
    /// (docs/PROTOCOL.md "Envelope and framing"; one trailing `\r` is dropped).
    public var expectedId: JSONValue {
        guard kind != .overLimit else { return .null }
        var line = bytes[...]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        guard case .object(let members)? = try? JSONParser.parse(line) else { return .null }
        switch members["id"] {
        case .string(let s)?: return .string(s)
        case .int(let i)?: return .int(i)
        default: return .null
        }
    }

    /// The first bytes of the frame, printable, for a report.
    public var excerpt: String { FuzzFrame.printable(bytes, limit: 240) }

    /// `bytes` with non-printable bytes as `\xNN`, cut at `limit` characters.
    public static func printable(_ bytes: [UInt8], limit: Int) -> String {
        var out = ""
        for b in bytes.prefix(limit) {
            if b >= 0x20 && b < 0x7F && b != UInt8(ascii: "\\") {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out += "\\x" + String(b, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        if bytes.count > limit { out += "… (\(bytes.count) bytes)" }
        return out
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
