import DSLREnhance
import DSLRPhoto
import Foundation

/// Writes an HTML page with each photo before and after, side by side, linking the files
/// by paths relative to the page so the folder can be moved or served as it is.
func writeBeforeAfterPage(_ jobs: [EnhanceJob], to path: String, model: String) throws {
    let page = URL(fileURLWithPath: path).standardizedFileURL
    let folder = page.deletingLastPathComponent()
    func relative(_ file: String) -> String {
        let target = URL(fileURLWithPath: file).standardizedFileURL.pathComponents
        let base = folder.pathComponents
        var common = 0
        while common < min(target.count, base.count) && target[common] == base[common] { common += 1 }
        let up = Array(repeating: "..", count: base.count - common)
        return (up + target[common...]).map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? $0 }
            .joined(separator: "/")
    }
    func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
    var html = """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>DSLRKit: before and after (\(escape(model)))</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 1.5em; background: #1d1d1d; color: #eee; }
        figure { margin: 0 0 2em 0; } .pair { display: flex; gap: 8px; }
        .pair div { flex: 1; } img { width: 100%; height: auto; display: block; }
        figcaption, .label { color: #aaa; font-size: 0.9em; margin: 0.3em 0; }
        </style></head><body>
        <h1>Before and after</h1>
        <p>Model: <b>\(escape(model))</b>. Left: the photo as given; right: the enhanced photo.</p>

        """
    for job in jobs {
        html += """
            <figure><figcaption>\(escape(job.input))</figcaption><div class="pair">
            <div><div class="label">before</div><img loading="lazy" src="\(escape(relative(job.input)))" alt="before"></div>
            <div><div class="label">after</div><img loading="lazy" src="\(escape(relative(job.output)))" alt="after"></div>
            </div></figure>

            """
    }
    html += "</body></html>\n"
    try createFolder(folder.path)
    try writeAtomically(html, to: page.path)
}
