import Foundation

extension EvalResult {
    /// eval.html: the table and, for each pair with saved crops, input / each model / target
    /// side by side. Crop links are relative, so the page lives in the crops' parent folder.
    public func html() -> String {
        var body = "<h1>Evaluation</h1>\n<p class=\"meta\">Dataset <code>\(xmlEscape(dataset))</code>, split \(xmlEscape(split)), "
            + "\(pairCount) pair\(pairCount == 1 ? "" : "s")\(skipped.isEmpty ? "" : ", \(skipped.count) skipped"), device \(xmlEscape(device)). "
            + "Means over images; time is model time per megapixel.</p>\n"
        body += "<table><tr><th>model</th><th>images</th>"
            + metricColumns.map { "<th>\(xmlEscape(metricTitles[$0] ?? $0))</th>" }.joined() + "<th>s / MP</th></tr>\n"
        let best = Dictionary(uniqueKeysWithValues: metricColumns.map { key in
            (key, models.filter { $0.model != "identity" }.compactMap { $0.mean[key] }.filter(\.isFinite).max())
        })
        for score in models {
            let mean = score.mean
            body += "<tr><td title=\"\(xmlEscape(score.summary))\">\(xmlEscape(score.model))</td><td>\(score.images.count)</td>"
            for key in metricColumns {
                let text = formatMetric(key, mean[key])
                let isBest = score.model != "identity" && mean[key] != nil && mean[key] == best[key] ?? nil
                body += isBest ? "<td><b>\(text)</b></td>" : "<td>\(text)</td>"
            }
            let spm = score.secondsPerMegapixel
            body += "<td>\(spm.isFinite ? String(format: "%.4f", spm) : "–")</td></tr>\n"
        }
        body += "</table>\n<p class=\"meta\">Bold: best model (identity excluded).</p>\n"
        if !skipped.isEmpty {
            body += "<p class=\"problems\">Skipped:<br>" + skipped.map(xmlEscape).joined(separator: "<br>") + "</p>\n"
        }
        if !crops.isEmpty {
            // Models without any crop (identity, whose output is the input) get no column.
            let columns = ["input"] + models.map(\.model).filter { m in crops.contains { $0.files[m] != nil } } + ["target"]
            body += "<h2>Centre crops</h2>\n<div class=\"grid\" style=\"grid-template-columns: repeat(\(columns.count), minmax(0, 260px));\">\n"
            body += columns.map { "<div class=\"colhead\">\(xmlEscape($0))</div>" }.joined() + "\n"
            for crop in crops {
                for column in columns {
                    if let file = crop.files[column] {
                        let link = file.split(separator: "/").map {
                            String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String($0)
                        }.joined(separator: "/")
                        body += "<figure><img loading=\"lazy\" src=\"\(xmlEscape(link))\" alt=\"\(xmlEscape(column))\">"
                            + (column == "input" ? "<figcaption>\(xmlEscape(crop.pair))</figcaption>" : "") + "</figure>"
                    } else {
                        body += "<figure><div class=\"missing\">no \(xmlEscape(column))</div></figure>"
                    }
                }
                body += "\n"
            }
            body += "</div>\n"
        }
        return htmlPage(title: "DSLRKit evaluation on \(dataset)", body: body)
    }
}
