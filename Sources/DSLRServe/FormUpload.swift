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
