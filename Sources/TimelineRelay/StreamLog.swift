import TimelineModel

/// A shard's log read back from its JetStream stream: sequence n is position n.
/// Messages the relay erased for a redaction come back as the redaction event's
/// `header` of that target (the record as reads return it once redacted), so the
/// log read from the stream is byte for byte the log the shard holds.
public enum StreamLog {
    /// Every record of shard `shardId`'s stream, positions 1 to its last sequence.
    /// - Throws: ``RelayError`` when a message is missing and no redaction explains it,
    ///   or a message's `Timeline-Position` is not its sequence.
    public static func records(of stream: JetStream, shardId: Int) async throws -> [[UInt8]] {
        let last = try await stream.lastSequence(shardId: shardId)
        var records: [[UInt8]?] = []
        records.reserveCapacity(Int(last))
        var headers: [UInt64: [UInt8]] = [:]
        if last > 0 {
            for sequence in 1...last {
                guard let (fields, data) = try await stream.storedMessage(shardId: shardId, sequence: sequence) else {
                    records.append(nil)
                    continue
                }
                if let named = fields["Timeline-Position"], named != String(sequence) {
                    throw RelayError("stream message \(sequence) says it is position \(named): the stream does not follow the log")
                }
                records.append(data)
                if fields["Timeline-Type"] == "redaction.applied", let record = try? data.withUnsafeBufferPointer({ try RecordedEvent(bytes: $0) }) {
                    for target in record.data["targets"]?.arrayValue ?? [] {
                        if let p = target["position"]?.intValue, let header = target["header"] { headers[UInt64(p)] = CanonicalJSON.encode(header) }
                    }
                }
            }
        }
        return try records.enumerated().map { index, record in
            if let record { return record }
            let position = UInt64(index + 1)
            guard let header = headers[position] else {
                throw RelayError("stream message \(position) is missing and no redaction.applied names it: the stream lost a record")
            }
            return header
        }
    }
}
