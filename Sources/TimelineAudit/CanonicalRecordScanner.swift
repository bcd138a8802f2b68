import Crypto
import TimelineModel

/// The audit's fast path: a record read by ``CanonicalRecordReader`` with
/// `dataHash` and `hash` checked over its stored bytes, no re-encoding.
enum CanonicalRecordScanner {
    static func scan(_ b: UnsafeBufferPointer<UInt8>) -> ChainReplay.Item? {
        guard let read = CanonicalRecordReader.read(b) else { return nil }
        let (dataM, dataHashM, hashM, prevHashM) = (read.data, read.dataHash, read.hash, read.prevHash)
        func slice(_ r: Range<Int>) -> UnsafeBufferPointer<UInt8> { CanonicalRecordReader.slice(b, r) }
        // dataHash over the data member's bytes; hash over every other member but hash.
        var dataHasher = SHA256()
        dataHasher.update(bufferPointer: UnsafeRawBufferPointer(slice(dataM.value)))
        let dataDigest = dataHasher.finalize()
        var hasher = SHA256()
        // The record without the data and hash members (and one comma each) is at most
        // three runs of its own bytes.
        // `actor` sorts first and is required, so both are preceded by a comma.
        guard b[dataM.whole.lowerBound - 1] == UInt8(ascii: ","), b[hashM.whole.lowerBound - 1] == UInt8(ascii: ",") else { return nil }
        let cuts = [(dataM.whole.lowerBound - 1)..<dataM.whole.upperBound, (hashM.whole.lowerBound - 1)..<hashM.whole.upperBound]
            .sorted { $0.lowerBound < $1.lowerBound }
        var from = 0
        for c in cuts {
            if c.lowerBound > from { hasher.update(bufferPointer: UnsafeRawBufferPointer(slice(from..<c.lowerBound))) }
            from = max(from, c.upperBound)
        }
        hasher.update(bufferPointer: UnsafeRawBufferPointer(slice(from..<b.count)))
        let hashDigest = hasher.finalize()
        let inner = { (m: CanonicalRecordReader.Member) in slice((m.value.lowerBound + 1)..<(m.value.upperBound - 1)) }
        var problems: [String] = []
        if read.unknownMembers > 0 { problems.append("\(read.unknownMembers) field(s) a recorded event does not have") }
        if !CanonicalRecordReader.isDaemonTimeForm(inner(read.recordedAt)) {
            problems.append("recordedAt \(String(decoding: inner(read.recordedAt), as: UTF8.self)) not in the daemon's form (6 fractional digits and Z)")
        }
        return ChainReplay.Item(
            record: read.record,
            hashes: ChainReplay.HashCheck(
                dataHashOK: matches(dataDigest, b, dataHashM.value), hashOK: matches(hashDigest, b, hashM.value)
            ),
            hash: Digest32(hex: inner(hashM)), prevHash: Digest32(hex: inner(prevHashM)), formProblems: problems
        )
    }

    /// Whether the 32-byte `digest` is spelled by the lower-case hex string value at `r`.
    static func matches(_ digest: some Sequence<UInt8>, _ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        guard r.count == 66 else { return false }
        let hex: StaticString = "0123456789abcdef"
        let digits = hex.utf8Start
        var i = r.lowerBound + 1
        for byte in digest {
            if b[i] != digits[Int(byte >> 4)] || b[i + 1] != digits[Int(byte & 0xF)] { return false }
            i += 2
        }
        return true
    }
}
