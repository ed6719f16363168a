import Foundation

// The evaluation table in four forms: printed, Markdown, CSV and JSON. The CSV and JSON keep
// full precision; Markdown and the printed table round (PSNR to 0.01 dB, SSIMs to 1e-4).
// Identical images have infinite PSNR: "inf" in CSV, null in JSON (which has no infinity),
// "∞" in Markdown and "inf" in the printed table.

/// Column headings for the metric keys.
let metricTitles: [String: String] = [
    "psnr": "PSNR (dB)", "ssim": "SSIM", "ms_ssim": "MS-SSIM", "ms_ssim_dped": "MS-SSIM (DPED)", "ssim_luma": "SSIM (luma)",
    "psnr_y": "PSNR Y (dB)",
]

extension EvalResult {
    /// A fixed-width table for the terminal.
    public func textTable() -> String {
        let nameWidth = max(5, models.map(\.model.count).max() ?? 0)
        let headers = ["images"] + metricColumns + ["s/MP"]
        let widths = headers.map { max(9, $0.count) + 2 }
        var lines = ["model".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            + zip(headers, widths).map { pad($0, $1) }.joined()]
        for score in models {
            let mean = score.mean
            var cells = ["\(score.images.count)"]
            cells += metricColumns.map { key in
                guard let v = mean[key] else { return "-" }
                if v == .infinity { return "inf" }
                return String(format: key.hasPrefix("psnr") ? "%.2f" : "%.4f", v)
            }
            cells.append(score.secondsPerMegapixel.isFinite ? String(format: "%.4f", score.secondsPerMegapixel) : "-")
            lines.append(score.model.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                + zip(cells, widths).map { pad($0, $1) }.joined())
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A Markdown document: what was evaluated, then the table.
    public func markdown() -> String {
        var md = "# Evaluation\n\n"
        md += "Dataset `\(dataset)`, split `\(split)`: \(pairCount) pair\(pairCount == 1 ? "" : "s")"
        md += skipped.isEmpty ? "" : ", \(skipped.count) skipped"
        md += "; device \(device). Metrics are means over images; time is model time per megapixel of input.\n\n"
        let headers = ["model", "images"] + metricColumns.map { metricTitles[$0] ?? $0 } + ["s / MP"]
        md += "| " + headers.joined(separator: " | ") + " |\n"
        md += "| --- " + String(repeating: "| ---: ", count: headers.count - 1) + "|\n"
        for score in models {
            let mean = score.mean
            let cells = ["`\(score.model)`", "\(score.images.count)"]
                + metricColumns.map { formatMetric($0, mean[$0]) }
                + [score.secondsPerMegapixel.isFinite ? String(format: "%.4f", score.secondsPerMegapixel) : "–"]
            md += "| " + cells.joined(separator: " | ") + " |\n"
        }
        let failures = models.flatMap { s in s.failures.map { "- `\(s.model)`: \($0)" } }
        if !skipped.isEmpty { md += "\nSkipped pairs:\n\n" + skipped.map { "- \($0)\n" }.joined() }
        if !failures.isEmpty { md += "\nFailures:\n\n" + failures.joined(separator: "\n") + "\n" }
        return md
    }

    /// One row per model: model, images, the metric means, seconds_per_megapixel, failures.
    public func csv() -> String {
        var rows = [(["model", "images"] + metricColumns + ["seconds_per_megapixel", "failures"]).joined(separator: ",")]
        for score in models {
            let mean = score.mean
            let cells = [csvField(score.model), "\(score.images.count)"]
                + metricColumns.map { key in mean[key].map(csvNumber) ?? "" }
                + [csvNumber(score.secondsPerMegapixel), "\(score.failures.count)"]
            rows.append(cells.joined(separator: ","))
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// Everything, per image included, as pretty-printed JSON.
    public func json() -> String {
        let object: [String: Any] = [
            "dataset": dataset, "split": split, "pairs": pairCount, "device": device, "skipped": skipped,
            "models": models.map { score -> [String: Any] in
                [
                    "model": score.model, "summary": score.summary, "images": score.images.count,
                    "failures": score.failures, "mean": score.mean.mapValues(jsonNumber),
                    "seconds_per_megapixel": jsonNumber(score.secondsPerMegapixel),
                    "per_image": score.images.map { image -> [String: Any] in
                        [
                            "pair": image.pair, "metrics": image.metrics.mapValues(jsonNumber),
                            "seconds": jsonNumber(image.seconds), "megapixels": image.megapixels,
                        ]
                    },
                ]
            },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Writes eval.md, eval.csv, eval.json and eval.html into `folder`; returns their URLs.
    @discardableResult
    public func write(to folder: URL) throws -> [URL] {
        let files: [(String, String)] = [
            ("eval.md", markdown()), ("eval.csv", csv()), ("eval.json", json()), ("eval.html", html()),
        ]
        return try files.map { name, text in
            let url = folder.appendingPathComponent(name)
            try writeText(text, to: url)
            return url
        }
    }
}

func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }

/// Shortest round-tripping decimal; "inf", "-inf" or "nan" for the rest.
func csvNumber(_ v: Double) -> String {
    if v == .infinity { return "inf" }
    if v == -.infinity { return "-inf" }
    if v.isNaN { return "nan" }
    return "\(v)"
}

/// A CSV field, quoted when it holds a comma, quote or line break.
func csvField(_ s: String) -> String {
    guard s.contains(where: { ",\"\n\r".contains($0) }) else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
