import CVips

/// One reference to a libvips image, released when Swift drops it, so every exit path
/// (errors included) gives the reference back exactly once.
final class VipsImageRef {
    let pointer: UnsafeMutablePointer<VipsImage>

    init(owning pointer: UnsafeMutablePointer<VipsImage>) { self.pointer = pointer }

    deinit { g_object_unref(pointer) }

    var width: Int { Int(vips_image_get_width(pointer)) }
    var height: Int { Int(vips_image_get_height(pointer)) }
    var bands: Int { Int(vips_image_get_bands(pointer)) }
    var bandFormat: VipsBandFormat { vips_image_get_format(pointer) }
    var interpretation: VipsInterpretation { vips_image_guess_interpretation(pointer) }

    /// A string header field ("vips-loader", "heif-compression", ...), nil when absent.
    func string(_ name: String) -> String? {
        guard vips_image_get_typeof(pointer, name) != 0 else { return nil }
        var value: UnsafePointer<CChar>?
        guard vips_image_get_string(pointer, name, &value) == 0, let value else {
            vips_error_clear()
            return nil
        }
        return String(cString: value)
    }
}

/// Where libvips errors are reported: the file (or in-memory name) being worked on.
struct VipsContext {
    let path: String

    /// Starts libvips (once per process) or throws why it could not.
    func start() throws {
        guard cv_start() == 0 else {
            throw PhotoError(path: path, problem: "libvips could not start: \(oneLine(String(cString: cv_start_error())))",
                             kind: .internal)
        }
    }

    /// A thrown error: `what` failed, with libvips' reason (its multi-line buffer as one line).
    func failure(_ what: String) -> PhotoError {
        let reason = takeVipsError()
        return PhotoError(path: path, problem: reason.isEmpty ? what : "\(what): \(reason)")
    }

    /// Runs a libvips operation that makes a new image.
    func image(
        _ what: String, _ body: (UnsafeMutablePointer<UnsafeMutablePointer<VipsImage>?>) -> Int32
    ) throws -> VipsImageRef {
        var out: UnsafeMutablePointer<VipsImage>?
        guard body(&out) == 0, let out else { throw failure(what) }
        return VipsImageRef(owning: out)
    }
}

/// libvips' error buffer, cleared, as one line: lines trimmed, repeats dropped, "; "-joined.
/// The buffer is process-wide, so under concurrent failures a message may be another
/// thread's; the caller's own context (path, step) always leads the error.
func takeVipsError() -> String {
    guard let raw = vips_error_buffer_copy() else { return "" }
    defer { g_free(raw) }
    return oneLine(String(cString: raw))
}

func oneLine(_ text: String) -> String {
    var lines: [Substring] = []
    for line in text.split(whereSeparator: \.isNewline) {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        if !trimmed.isEmpty, !lines.contains(trimmed) { lines.append(trimmed) }
    }
    return lines.joined(separator: "; ")
}

/// Whether this libvips has the named operation (its optional loaders and savers).
func vipsHasOperation(_ name: String) -> Bool {
    vips_type_find("VipsOperation", name) != 0
}
