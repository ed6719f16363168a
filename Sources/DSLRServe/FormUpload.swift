import MultipartKit
import NIOCore

/// One part of a multipart/form-data body.
struct FormPart {
    var name: String
    var filename: String?
    var bytes: [UInt8]
}

/// The parts of a multipart/form-data `body` whose Content-Type is `contentType`, parsed by
/// MultipartKit; every part needs a `Content-Disposition: form-data; name=...`.
func formParts(_ body: ByteBuffer, contentType: String) throws -> [FormPart] {
    guard let boundary = headerParameter("boundary", in: contentType), !boundary.isEmpty else {
        throw ServeError(status: 400, "a multipart upload needs a boundary in its Content-Type")
    }
    if hasNonASCIIHeaderName(Array(body.readableBytesView), boundary: Array("--\(boundary)\r\n".utf8)) {
        throw ServeError(status: 400, "the multipart upload cannot be read (a part's header name is not ASCII)")
    }
    let parser = MultipartParser(boundary: boundary)
    var parts: [FormPart] = []
    var disposition: String?
    var bytes: [UInt8] = []
    var malformed: String?
    parser.onHeader = { field, value in
        if field.lowercased() == "content-disposition" { disposition = value }
    }
    parser.onBody = { buffer in bytes += buffer.readBytes(length: buffer.readableBytes) ?? [] }
    parser.onPartComplete = {
        if let disposition, let name = headerParameter("name", in: disposition) {
            parts.append(FormPart(name: name, filename: headerParameter("filename", in: disposition), bytes: bytes))
        } else {
            malformed = "a part of the multipart upload has no Content-Disposition name"
        }
        disposition = nil
        bytes = []
    }
    do { try parser.execute(body) } catch {
        throw ServeError(status: 400, "the multipart upload cannot be read (\(error))")
    }
    if let malformed { throw ServeError(status: 400, malformed) }
    return parts
}

/// The value of `name=` in a header like `form-data; name="photo"; filename="a.jpg"`.
func headerParameter(_ name: String, in header: String) -> String? {
    for item in header.split(separator: ";").dropFirst() {
        let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard pair.count == 2, pair[0].lowercased() == name else { continue }
        var value = pair[1]
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
        return value
    }
    return nil
}

/// Whether a part's header name holds a byte over 0x7F: MultipartKit 4.7's parser indexes a
/// 128-entry table with each header-name byte and traps on such a byte instead of refusing
/// it (found by fuzzing, issue 19), so those uploads are refused before it sees them.
///
/// A part's headers follow its delimiter line, `delimiter` ("--BOUNDARY" CRLF); every place
/// where it occurs is checked, which covers every place the parser could take for headers.
/// Each header name runs to its colon (a CR where a name would start ends the headers); each
/// value to its CR, then LF. Linear in the body: the delimiter is searched for with KMP, and
/// a name start already checked is not checked again.
func hasNonASCIIHeaderName(_ body: [UInt8], boundary delimiter: [UInt8]) -> Bool {
    let (colon, cr, lf): (UInt8, UInt8, UInt8) = (58, 13, 10)
    // KMP: the longest proper prefix of delimiter[0...i] that is also its suffix.
    var fallback = [Int](repeating: 0, count: delimiter.count)
    var length = 0
    for i in delimiter.indices.dropFirst() {
        while length > 0, delimiter[i] != delimiter[length] { length = fallback[length - 1] }
        if delimiter[i] == delimiter[length] { length += 1 }
        fallback[i] = length
    }
    var checked = Set<Int>()
    var matched = 0
    for (index, byte) in body.enumerated() {
        while matched > 0, byte != delimiter[matched] { matched = fallback[matched - 1] }
        if byte == delimiter[matched] { matched += 1 }
        guard matched == delimiter.count else { continue }
        matched = fallback[matched - 1]
        // The headers after this delimiter, name by name.
        var start = index + 1
        while start < body.count, checked.insert(start).inserted {
            var at = start
            while at < body.count, body[at] != colon, body[at] != cr {
                if body[at] > 0x7F { return true }
                at += 1
            }
            guard at < body.count, body[at] == colon else { break }
            while at < body.count, body[at] != cr { at += 1 }
            guard at + 1 < body.count, body[at + 1] == lf else { break }
            start = at + 2
        }
    }
    return false
}
