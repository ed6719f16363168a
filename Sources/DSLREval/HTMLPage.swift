import DSLRPhoto
import Foundation

// Shared pieces of the report pages: the page shell, relative links and number formats.

/// A complete HTML document around `body`, with the reports' style sheet.
func htmlPage(title: String, body: String) -> String {
    """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>\(xmlEscape(title))</title>
    <style>
    body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 24px auto;
           max-width: 1500px; padding: 0 24px; background: #f6f6f4; color: #222; }
    h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ccc; padding-bottom: 4px; }
    .meta { color: #555; }
    table { border-collapse: collapse; background: #fff; margin: 8px 0; }
    th, td { border: 1px solid #d5d5d5; padding: 4px 10px; text-align: right; font-variant-numeric: tabular-nums; }
    th { background: #ececec; } td:first-child, th:first-child { text-align: left; }
    .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px; }
    .charts img { width: 100%; height: auto; border: 1px solid #ddd; background: #fff; }
    .grid { display: grid; gap: 6px; align-items: start; }
    .grid figure { margin: 0; } .grid img { width: 100%; height: auto; display: block; image-rendering: pixelated; background: #ddd; }
    .grid figcaption, .colhead { font-size: 0.85em; color: #555; margin: 2px 0; }
    .missing { aspect-ratio: 1; background: repeating-linear-gradient(45deg, #e4e4e4, #e4e4e4 8px, #eee 8px, #eee 16px);
               display: flex; align-items: center; justify-content: center; color: #888; font-size: 0.85em; }
    .problems { color: #a33; } pre { background: #fff; border: 1px solid #ddd; padding: 8px; overflow-x: auto; }
    details { margin: 8px 0; } summary { cursor: pointer; color: #345; }
    </style></head><body>
    \(body)
    </body></html>

    """
}

/// `file` as a link relative to `folder`, percent-encoded.
func relativeLink(_ file: URL, from folder: URL) -> String {
    let target = file.standardizedFileURL.pathComponents, base = folder.standardizedFileURL.pathComponents
    var common = 0
    while common < min(target.count, base.count) && target[common] == base[common] { common += 1 }
    let parts = Array(repeating: "..", count: base.count - common) + target[common...]
    return parts.map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? $0 }
        .joined(separator: "/")
}

/// A metric value for tables: PSNR in dB with 2 decimals, others with 4; ∞ for identical images.
func formatMetric(_ name: String, _ value: Double?) -> String {
    guard let value else { return "–" }
    if value == .infinity { return "∞" }
    if !value.isFinite { return "–" }
    if name.contains("psnr") { return String(format: "%.2f", value) }
    if name == "lr" { return String(format: "%.3g", value) }
    if abs(value) >= 100 { return String(format: "%.1f", value) }
    return String(format: "%.4f", value)
}

/// Writes `text` atomically, creating the folder.
func writeText(_ text: String, to url: URL) throws {
    try createFolder(url.deletingLastPathComponent().path)
    try writeAtomically(text, to: url.path)
}
