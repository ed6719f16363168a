import Foundation

// report.html for a training run folder: the loss and metric curves as SVG charts in
// report_assets/, the held-out evaluations, and the input / output / target crops of
// samples/. Everything is linked relatively, so the folder can be copied or served as is.

/// The charts of a run, one per group of quantities on comparable scales.
public func runCharts(_ log: RunMetrics) -> [(file: String, chart: LineChart)] {
    let train = log.train.sorted { $0.iteration < $1.iteration }
    let evals = log.eval.sorted { $0.iteration < $1.iteration }
    func series(_ name: String, _ values: [(Int, Double?)]) -> ChartSeries {
        ChartSeries(name: name, points: values.compactMap { i, v in v.map { ChartPoint(Double(i), $0) } })
    }
    var charts: [(String, LineChart)] = []
    if !train.isEmpty {
        let names = Set(train.flatMap(\.losses.keys)).sorted()
        let losses = names.map { name in series(name, train.map { ($0.iteration, $0.losses[name]) }) }
            + [series("total", train.map { ($0.iteration, $0.total) })]
        charts.append(("losses.svg", LineChart(title: "Training losses", xLabel: "iteration", yLabel: "loss", series: losses)))
        // Single-quantity charts, each drawn when the log has the quantity.
        let singles: [(file: String, title: String, axis: String, name: String, value: KeyPath<TrainRecord, Double?>)] = [
            ("lr.svg", "Learning rate", "learning rate", "lr", \.lrValue),
            ("speed.svg", "Training speed", "iterations / s", "it/s", \.itPerS),
            ("discriminator.svg", "Discriminator accuracy", "accuracy", "d_accuracy", \.dAccuracy),
            ("discriminator_loss.svg", "Discriminator loss", "loss", "d_loss", \.dLoss),
        ]
        for single in singles where train.contains(where: { $0[keyPath: single.value] != nil }) {
            charts.append((single.file, LineChart(
                title: single.title, xLabel: "iteration", yLabel: single.axis,
                series: [series(single.name, train.map { ($0.iteration, $0[keyPath: single.value]) })], yScale: .linear)))
        }
    }
    if !evals.isEmpty {
        let names = Set(evals.flatMap(\.metrics.keys)).sorted()
        let psnrNames = names.filter { $0.contains("psnr") }, others = names.filter { !$0.contains("psnr") }
        if !psnrNames.isEmpty {
            // The baselines' PSNR, when logged, is the bar a model has to clear.
            let identity = evals.contains { $0.identity["psnr"] != nil }
                ? [series("input (identity)", evals.map { ($0.iteration, $0.identity["psnr"]) })] : []
            let classic = evals.contains { $0.classic["psnr"] != nil }
                ? [series("classic", evals.map { ($0.iteration, $0.classic["psnr"]) })] : []
            charts.append(("psnr.svg", LineChart(
                title: "Held-out PSNR", xLabel: "iteration", yLabel: "PSNR (dB)",
                series: psnrNames.map { n in series(n, evals.map { ($0.iteration, $0.metrics[n]) }) } + identity + classic,
                yScale: .linear, markers: true)))
        }
        if !others.isEmpty {
            charts.append(("ssim.svg", LineChart(
                title: "Held-out SSIM and MS-SSIM", xLabel: "iteration", yLabel: "similarity",
                series: others.map { n in series(n, evals.map { ($0.iteration, $0.metrics[n]) }) },
                yScale: .linear, markers: true)))
        }
    }
    return charts
}

/// Writes `report.html` (and `report_assets/*.svg`) into a run folder and returns its URL.
///
/// Reads `metrics.jsonl`, `recipe.yaml` and `samples/` when present; a run with none of them
/// still gets a page saying so. The trainer calls this after each evaluation.
@discardableResult
public func writeRunReport(runFolder: URL, title: String? = nil) throws -> URL {
    let folder = runFolder.standardizedFileURL
    let fm = FileManager.default
    var isDir: ObjCBool = false
    guard fm.fileExists(atPath: folder.path, isDirectory: &isDir), isDir.boolValue else {
        throw EvalError("\(folder.path): run folder not found")
    }
    let log = try RunMetrics.read(folder.appendingPathComponent("metrics.jsonl"))
    let assets = folder.appendingPathComponent("report_assets")
    let name = title ?? folder.lastPathComponent
    var body = "<h1>Training run: \(xmlEscape(name))</h1>\n<p class=\"meta\">\(xmlEscape(folder.path))</p>\n"
    body += runSummary(log, folder: folder)

    body += "<h2>Curves</h2>\n"
    let charts = runCharts(log)
    if charts.isEmpty {
        body += "<p>No metrics yet: metrics.jsonl is missing or empty.</p>\n"
    } else {
        body += "<div class=\"charts\">\n"
        for (file, chart) in charts {
            try writeText(chart.svg(), to: assets.appendingPathComponent(file))
            body += "<img src=\"report_assets/\(file)\" alt=\"\(xmlEscape(chart.title))\">\n"
        }
        body += "</div>\n"
    }
    if !log.problems.isEmpty {
        body += "<p class=\"problems\">Skipped lines of metrics.jsonl:<br>"
            + log.problems.prefix(20).map(xmlEscape).joined(separator: "<br>") + "</p>\n"
    }
    body += evalTable(log)
    body += sampleSection(listSamples(in: folder.appendingPathComponent("samples")), folder: folder)
    if let recipe = try? String(contentsOf: folder.appendingPathComponent("recipe.yaml"), encoding: .utf8) {
        body += "<h2>Recipe</h2>\n<details open><summary>recipe.yaml</summary><pre>\(xmlEscape(recipe))</pre></details>\n"
    }
    let page = folder.appendingPathComponent("report.html")
    try writeText(htmlPage(title: "DSLRKit run \(name)", body: body), to: page)
    return page
}

/// The latest state of the run in a few lines.
func runSummary(_ log: RunMetrics, folder: URL) -> String {
    var items: [String] = []
    if let last = log.train.max(by: { $0.iteration < $1.iteration }) {
        var text = "iteration <b>\(last.iteration)</b>, total loss \(formatMetric("total", last.total)), "
            + "learning rate \(formatMetric("lr", last.lr))"
        if let speed = last.itPerS { text += String(format: ", %.2f it/s", speed) }
        items.append(text)
    }
    if let best = log.eval.filter({ $0.metrics["psnr"] != nil }).max(by: { $0.metrics["psnr"]! < $1.metrics["psnr"]! }) {
        items.append("best held-out PSNR <b>\(formatMetric("psnr", best.metrics["psnr"])) dB</b> at iteration \(best.iteration)")
    }
    let fm = FileManager.default
    if fm.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path) {
        items.append("final weights: <a href=\"model.safetensors\">model.safetensors</a>")
    }
    let checkpoints = ((try? fm.contentsOfDirectory(atPath: folder.appendingPathComponent("checkpoints").path)) ?? [])
        .filter { $0.hasSuffix(".safetensors") }
    if !checkpoints.isEmpty { items.append("\(checkpoints.count) checkpoint file\(checkpoints.count == 1 ? "" : "s") in checkpoints/") }
    if items.isEmpty { return "" }
    return "<ul>\n" + items.map { "<li>\($0)</li>\n" }.joined() + "</ul>\n"
}

/// Every evaluation as a table row, newest first.
func evalTable(_ log: RunMetrics) -> String {
    guard !log.eval.isEmpty else { return "" }
    let preferred = ["psnr", "ssim", "ms_ssim", "ms_ssim_dped", "ssim_luma"]
    let present = Set(log.eval.flatMap(\.metrics.keys))
    let columns = preferred.filter(present.contains) + present.subtracting(preferred).sorted()
    var html = "<h2>Held-out evaluations</h2>\n<table><tr><th>iteration</th>"
        + columns.map { "<th>\(xmlEscape($0))</th>" }.joined() + "</tr>\n"
    let records = log.eval.sorted(by: { $0.iteration > $1.iteration })
    func row(_ record: EvalRecord) -> String {
        "<tr><td>\(record.iteration)</td>" + columns.map { "<td>\(formatMetric($0, record.metrics[$0]))</td>" }.joined() + "</tr>\n"
    }
    // The newest ten stay in view; a long run's older rows fold away (the chart shows them).
    let shown = 10
    html += records.prefix(shown).map(row).joined() + "</table>\n"
    if records.count > shown {
        html += "<details><summary>\(records.count - shown) earlier evaluations</summary><table><tr><th>iteration</th>"
            + columns.map { "<th>\(xmlEscape($0))</th>" }.joined() + "</tr>\n" + records.dropFirst(shown).map(row).joined() + "</table></details>\n"
    }
    return html
}

/// The newest iteration's crops as a grid (one row per crop: input, output, target), and
/// the earlier iterations' outputs folded away below it.
func sampleSection(_ samples: [SampleTriple], folder: URL) -> String {
    var html = "<h2>Held-out crops</h2>\n"
    guard let latest = samples.map(\.iteration).max() else {
        return html + "<p>No samples: the run has no samples/ folder with iter_&lt;N&gt;_&lt;k&gt;_{input,output,target}.png crops.</p>\n"
    }
    html += "<p class=\"meta\">Iteration \(latest). Columns: input (phone), output (model), target (DSLR).</p>\n"
    html += sampleGrid(samples.filter { $0.iteration == latest }, folder: folder)
    let earlier = Set(samples.map(\.iteration)).subtracting([latest]).sorted(by: >)
    if !earlier.isEmpty {
        html += "<details><summary>Earlier iterations (\(earlier.count))</summary>\n"
        for iteration in earlier {
            html += "<p class=\"meta\">Iteration \(iteration)</p>\n" + sampleGrid(samples.filter { $0.iteration == iteration }, folder: folder)
        }
        html += "</details>\n"
    }
    return html
}

func sampleGrid(_ samples: [SampleTriple], folder: URL) -> String {
    var html = "<div class=\"grid\" style=\"grid-template-columns: repeat(3, minmax(0, 320px));\">\n"
    html += SampleRole.allCases.map { "<div class=\"colhead\">\($0.rawValue)</div>" }.joined() + "\n"
    for sample in samples {
        for role in SampleRole.allCases {
            if let file = sample.files[role] {
                let link = relativeLink(file, from: folder)
                html += "<figure><img loading=\"lazy\" src=\"\(xmlEscape(link))\" alt=\"\(role.rawValue) \(sample.index)\"></figure>"
            } else {
                html += "<figure><div class=\"missing\">no \(role.rawValue)</div></figure>"
            }
        }
        html += "\n"
    }
    return html + "</div>\n"
}

extension TrainRecord {
    /// The learning rate, nil when the line had none.
    var lrValue: Double? { lr.isNaN ? nil : lr }
}
