import Crypto
import Foundation
import NIOCore
import TimelineModel
import TimelineStore

/// `append` and `evidence.put`: decode on the event loop, commit on the writer.
enum WriteOps {
    static func append(_ request: Request, _ context: OpContext) throws(TimelineError) -> EventLoopFuture<ReplyBody> {
        let order = try context.orderId(request)
        guard let eventsValue = request.params["events"], !eventsValue.isNull else { throw TimelineError(.badRequest, "events is required") }
        guard let items = eventsValue.arrayValue else { throw TimelineError(.badRequest, "events must be an array of events") }
        let limit = context.services.configuration.limits.maxBatchEvents
        guard !items.isEmpty else { throw TimelineError(.badRequest, "events must hold at least one event") }
        guard items.count <= limit else {
            throw TimelineError(.tooLarge, "a batch holds at most \(limit) events; split it", details: ["limit": .int(Int64(limit))])
        }
        let expected = try request.optionalInt("expectedRevision", in: -1...Int64.max)
        var events: [EventInput] = []
        events.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            events.append(try decodeEvent(item, index: index))
        }
        // Data encoding, its hash and moderation need no log: done here, not on the writer.
        let append = context.services.store.prepare(AppendRequest(order: order, events: events, expectedRevision: expected, origin: .client))
        return submit(append, context) { outcome in appendReply(outcome) }
    }

    static func evidencePut(_ request: Request, _ context: OpContext) throws(TimelineError) -> EventLoopFuture<ReplyBody> {
        let order = try context.orderId(request)
        let eventId = try request.string("eventId")
        let actor = try decodeActor(request.params["actor"], field: "actor", index: nil)
        let filename = try sanitizedFilename(try request.string("filename"))
        let mediaType = try request.string("mediaType")
        let channel = try request.string("channel")
        guard channel == "order" || channel == "dispute" else { throw TimelineError(.badRequest, "channel must be order or dispute") }
        let description = try request.optionalString("description")
        let encoded = try request.string("contentBase64")
        let limit = context.services.configuration.limits.maxEvidenceBytes
        if encoded.utf8.count / 4 * 3 > limit + 2 {
            throw TimelineError(.tooLarge, "evidence may be at most \(limit) bytes", details: ["limit": .int(Int64(limit))])
        }
        guard let content = Data(base64Encoded: encoded) else {
            throw TimelineError(.badRequest, "contentBase64 is not valid base64")
        }
        guard content.count <= limit else {
            throw TimelineError(.tooLarge, "evidence may be at most \(limit) bytes", details: ["limit": .int(Int64(limit))])
        }
        let blob = EvidenceBlob(Array(content))
        let sha = blob.sha256Hex
        let bytes = blob.bytes
        var data: [String: JSONValue] = [
            "sha256": .string(sha), "size": .int(Int64(bytes.count)), "filename": .string(filename),
            "mediaType": .string(mediaType), "channel": .string(channel),
        ]
        if let description { data["description"] = .string(description) }
        let event = EventInput(eventId: eventId, type: "evidence.attached", actor: actor, data: .object(data))
        let append = context.services.store.prepare(AppendRequest(order: order, events: [event], origin: .evidencePut, blobs: [blob]))
        return submit(append, context) { outcome in
            guard case .object(var entry) = eventEntry(outcome.events[0]) else { return .emptyObject }
            entry["order"] = .string(outcome.order)
            entry["lastRevision"] = .int(Int64(outcome.lastRevision))
            entry["sha256"] = .string(sha)
            entry["size"] = .int(Int64(bytes.count))
            return .object(entry)
        }
    }

    // MARK: - Pieces

    static func submit(
        _ append: AppendRequest, _ context: OpContext, reply: @escaping @Sendable (AppendOutcome) -> JSONValue
    ) -> EventLoopFuture<ReplyBody> {
        context.services.committer.submit(append, on: context.eventLoop).flatMapThrowing { result in
            switch result {
            case .success(let outcome): return .json(reply(outcome))
            case .failure(let error): throw error
            }
        }
    }

    static func appendReply(_ outcome: AppendOutcome) -> JSONValue {
        [
            "order": .string(outcome.order),
            "lastRevision": .int(Int64(outcome.lastRevision)),
            "events": .array(outcome.events.map(eventEntry)),
        ]
    }

    static func eventEntry(_ e: AppendedEvent) -> JSONValue {
        var o: [String: JSONValue] = [
            "eventId": .string(e.eventId), "position": .int(Int64(e.position)),
            "revision": .int(Int64(e.revision)), "status": .string(e.status.rawValue),
        ]
        if let m = e.moderation {
            o["moderation"] = m.json
            switch m.verdict {
            case .filtered:
                o["hint"] = "This message was not shown to the other party: keep the conversation on the platform (no contact details, no payment elsewhere) and stay courteous, then rephrase."
            case .hidden:
                o["hint"] = "This message is too long to be shown: rephrase it shorter and keep the conversation on the platform."
            case .flagged, .delivered:
                break
            }
        }
        return .object(o)
    }

    static func decodeEvent(_ value: JSONValue, index: Int) throws(TimelineError) -> EventInput {
        guard case .object(let o) = value else { throw .invalidEvent("each event must be an object", index: index) }
        guard let eventId = o["eventId"]?.stringValue else { throw .invalidEvent("eventId is required and must be a string", index: index, field: "eventId") }
        guard let type = o["type"]?.stringValue else { throw .invalidEvent("type is required and must be a string", index: index, field: "type") }
        let actor = try decodeActor(o["actor"], field: "actor", index: index)
        var occurredAt: String?
        if let v = o["occurredAt"], !v.isNull {
            guard let s = v.stringValue else { throw .invalidEvent("occurredAt must be an RFC 3339 string", index: index, field: "occurredAt") }
            occurredAt = s
        }
        var data = JSONValue.emptyObject
        if let v = o["data"], !v.isNull {
            guard v.objectValue != nil else { throw .invalidEvent("data must be an object", index: index, field: "data") }
            data = v
        }
        for key in o.keys where !["eventId", "type", "actor", "occurredAt", "data"].contains(key) {
            throw .invalidEvent("\(key) is not a field of an event (eventId, type, actor, occurredAt, data)", index: index, field: key)
        }
        return EventInput(eventId: eventId, type: type, actor: actor, occurredAt: occurredAt, data: data)
    }

    static func decodeActor(_ value: JSONValue?, field: String, index: Int?) throws(TimelineError) -> Actor {
        func fail(_ message: String, _ f: String) -> TimelineError {
            if let index { return .invalidEvent(message, index: index, field: f) }
            return TimelineError(.badRequest, message)
        }
        guard let value, case .object(let o) = value else { throw fail("\(field) must be an object {role, id}", field) }
        guard let roleText = o["role"]?.stringValue, let role = ActorRole(rawValue: roleText) else {
            throw fail("\(field).role must be one of buyer, seller, support, system", "\(field).role")
        }
        guard let id = o["id"]?.stringValue, (1...128).contains(id.utf8.count) else {
            throw fail("\(field).id must be a user id of 1–128 characters", "\(field).id")
        }
        return Actor(role: role, id: id)
    }

    /// The file's own name: path parts and control characters removed.
    static func sanitizedFilename(_ name: String) throws(TimelineError) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(String.UnicodeScalarView(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
        let trimmed = cleaned.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed != ".", trimmed != ".." else {
            throw TimelineError(.badRequest, "filename must name a file, e.g. \"screenshot.png\"")
        }
        return String(trimmed.unicodeScalars.prefix(255))
    }
}
