import TimelineModel

/// A reply line read as the protocol requires it.
public struct CheckedReply: Sendable {
    public var ok: Bool
    /// The error code of a refusal.
    public var code: String?
    /// `result` of a success.
    public var result: JSONValue?
}

/// A subscription push read off a connection.
public struct CheckedPush: Sendable {
    public var subscription: String
    /// The error code when the push ends the subscription (`subscriber_too_slow`).
    public var endedWith: String?
}

/// One line the daemon wrote: a reply, or a push of a subscription.
public enum CheckedLine: Sendable {
    case reply(CheckedReply)
    case push(CheckedPush)
}

/// Checks reply lines against PROTOCOL.md's envelopes: a JSON object with
/// `id` (the request's, or `null`), `ok`, and either `result` or `error`
/// with a documented `code` and a non-empty `message`.
public enum ReplyOracle {
    /// PROTOCOL.md's fixed set of error codes.
    public static let documentedCodes: Set<String> = [
        "bad_request", "unknown_op", "frame_too_large", "unauthorized", "not_found", "wrong_expected_revision",
        "invalid_event", "invalid_transition", "idempotency_conflict", "too_large", "busy", "storage_full",
        "shutting_down", "internal",
    ]

    /// Reads one line the daemon wrote in answer to `frame` (or a push).
    /// - Returns: the reply or push, or the problem found (a finding's message).
    public static func check(_ line: [UInt8], for frame: FuzzFrame, expectedId: JSONValue) -> Result<CheckedLine, ReplyProblem> {
        let value: JSONValue
        do {
            value = try JSONParser.parse(line, maxDepth: 1024)
        } catch {
            return .failure(ReplyProblem(.malformedReply, "the reply is not valid JSON: \(error)"))
        }
        guard case .object(let members) = value else {
            return .failure(ReplyProblem(.malformedReply, "the reply is \(value.kindName), not an object"))
        }
        if members["ok"] == nil, let subscription = members["subscription"] {
            return checkPush(members, subscription)
        }
        guard let ok = members["ok"]?.boolValue else {
            return .failure(ReplyProblem(.malformedReply, "the reply has no boolean ok"))
        }
        guard let id = members["id"] else {
            return .failure(ReplyProblem(.malformedReply, "the reply has no id member"))
        }
        guard id == expectedId else {
            return .failure(ReplyProblem(.wrongId, "the reply's id is \(CanonicalJSON.string(id)), the request's \(CanonicalJSON.string(expectedId))"))
        }
        if ok {
            guard case .object? = members["result"], members["error"] == nil else {
                return .failure(ReplyProblem(.malformedReply, "a success must carry a result object and no error"))
            }
            switch frame.expectation {
            case .frameTooLarge:
                return .failure(ReplyProblem(.unexpectedReply, "a line over maxFrameBytes was served instead of refused"))
            case .documented, .success, .successOr: break
            }
            return .success(.reply(CheckedReply(ok: true, code: nil, result: members["result"])))
        }
        guard case .object(let error)? = members["error"], members["result"] == nil else {
            return .failure(ReplyProblem(.malformedReply, "a failure must carry an error object and no result"))
        }
        guard let code = error["code"]?.stringValue else {
            return .failure(ReplyProblem(.malformedReply, "the error has no string code"))
        }
        guard documentedCodes.contains(code) else {
            return .failure(ReplyProblem(.undocumentedCode, "the error code \(code) is not one PROTOCOL.md documents"))
        }
        guard let message = error["message"]?.stringValue, !message.isEmpty else {
            return .failure(ReplyProblem(.malformedReply, "the \(code) error has no message"))
        }
        if code == "internal" {
            return .failure(ReplyProblem(.internalError, "the daemon answered internal (a bug): \(message)"))
        }
        switch frame.expectation {
        case .documented: break
        case .success:
            return .failure(ReplyProblem(.unexpectedRefusal, "a valid request was refused with \(code): \(message)"))
        case .successOr(let allowed):
            if !allowed.contains(code) {
                return .failure(ReplyProblem(.unexpectedRefusal, "a valid request was refused with \(code): \(message)"))
            }
        case .frameTooLarge:
            if code != "frame_too_large" {
                return .failure(ReplyProblem(.unexpectedReply, "a line over maxFrameBytes got \(code), not frame_too_large"))
            }
        }
        return .success(.reply(CheckedReply(ok: false, code: code, result: nil)))
    }

    private static func checkPush(_ members: [String: JSONValue], _ subscription: JSONValue) -> Result<CheckedLine, ReplyProblem> {
        guard let id = subscription.stringValue else {
            return .failure(ReplyProblem(.malformedReply, "a push's subscription is not a string"))
        }
        if case .object? = members["event"] {
            return .success(.push(CheckedPush(subscription: id, endedWith: nil)))
        }
        if let code = members["error"]?["code"]?.stringValue {
            guard code == "subscriber_too_slow" else {
                return .failure(ReplyProblem(.undocumentedCode, "a push ended subscription \(id) with \(code)"))
            }
            return .success(.push(CheckedPush(subscription: id, endedWith: code)))
        }
        return .failure(ReplyProblem(.malformedReply, "a line with subscription but neither ok, event nor error"))
    }
}

/// What is wrong with a reply (or with the daemon's behaviour around it).
public struct ReplyProblem: Error, Sendable, CustomStringConvertible {
    public var kind: FindingKind
    public var message: String
    public var description: String { "\(kind.rawValue): \(message)" }

    public init(_ kind: FindingKind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
