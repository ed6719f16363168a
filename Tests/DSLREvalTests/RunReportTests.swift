import DSLREval
import DSLRPhoto
import DSLRTensor
import DSLRTrain
import Foundation
import Testing

/// Records as the run folder's one writer (`MetricsLog`) spells them.
func trainRecord(_ iteration: Int, losses: [String: Double], total: Double, lr: Double, itPerS: Double? = nil,
                 dAccuracy: Double? = nil) -> MetricsRecord {
    var r = MetricsRecord(kind: .train, iteration: iteration, time: 1)
    r.losses = losses; r.total = total; r.lr = lr; r.itsPerSecond = itPerS; r.discriminatorAccuracy = dAccuracy
    return r
}

func evalRecord(_ iteration: Int, metrics: [String: Double]) -> MetricsRecord {
    var r = MetricsRecord(kind: .eval, iteration: iteration, time: 2)
    r.metrics = metrics
    return r
}

@Test func metricsLinesRoundTripAndBadLinesAreReported() throws {
    let file = try temporaryFolder("metrics").appendingPathComponent("metrics.jsonl")
    let log = MetricsLog(file)
    try log.append(trainRecord(100, losses: ["content": 0.5, "color": 0.25], total: 0.75, lr: 5e-4, itPerS: 3, dAccuracy: 0.6))
    try log.append(evalRecord(1000, metrics: ["psnr": 21.5, "ssim": 0.8, "ms_ssim": .infinity]))
    let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init)
    #expect(lines[1].contains("\"ms_ssim\":null"))
    #expect(lines[0] == "{\"discriminator_accuracy\":0.6,\"iteration\":100,\"its_per_second\":3,\"kind\":\"train\",\"losses\":{\"color\":0.25,\"content\":0.5},\"lr\":0.0005,\"time\":1,\"total\":0.75}")
    let text = (lines + ["{\"kind\": \"train\", \"iter"]).joined(separator: "\n")
    let parsed = RunMetrics.parse(text, source: "run/metrics.jsonl")
    #expect(parsed.train == [TrainRecord(iteration: 100, losses: ["content": 0.5, "color": 0.25], total: 0.75, lr: 5e-4, itPerS: 3, dAccuracy: 0.6)])
    #expect(parsed.eval == [EvalRecord(iteration: 1000, metrics: ["psnr": 21.5, "ssim": 0.8])])
    #expect(parsed.problems == ["run/metrics.jsonl:3: not a metrics record"])
}

@Test func theReportsFirstSpellingIsReadToo() throws {
    let text = """
        {"d_accuracy":0.6,"it_per_s":3,"iteration":100,"kind":"train","losses":{"color":0.25,"content":0.5},"lr":0.0005,"total":0.75}
        {"iteration":1000,"kind":"eval","ms_ssim":null,"psnr":21.5,"ssim":0.8}
        """
    let parsed = RunMetrics.parse(text)
    #expect(parsed.problems.isEmpty)
    #expect(parsed.train == [TrainRecord(iteration: 100, losses: ["content": 0.5, "color": 0.25], total: 0.75, lr: 5e-4, itPerS: 3, dAccuracy: 0.6)])
    #expect(parsed.eval == [EvalRecord(iteration: 1000, metrics: ["psnr": 21.5, "ssim": 0.8])])
}

@Test func runReportLinksChartsAndSamplesThatExist() throws {
    let run = try temporaryFolder("run")
    let log = MetricsLog(run.appendingPathComponent("metrics.jsonl"))
    for i in stride(from: 0, through: 1000, by: 50) {
        try log.append(trainRecord(i, losses: ["content": 1 / Double(i + 10), "tv": 1e-4], total: 1 / Double(i + 10) + 1e-4, lr: 1e-3, itPerS: 2))
        if i % 500 == 0 { try log.append(evalRecord(i, metrics: ["psnr": 18 + Double(i) / 500, "ssim": 0.7])) }
    }
    try Data("{broken\n".utf8).write(to: run.appendingPathComponent("x"))  // unrelated file
    try "name: test\n<script>\n".write(to: run.appendingPathComponent("recipe.yaml"), atomically: true, encoding: .utf8)
    let samples = run.appendingPathComponent("samples")
    for k in 0..<2 {
        let image = try testImage(height: 8, width: 8, seed: k)
        try writeSample(iteration: 1000, index: k, input: image, output: image.unsqueeze(0), target: image, to: samples)
    }
    try writeSample(iteration: 500, index: 0, input: try testImage(height: 8, width: 8, seed: 9), output: try testImage(height: 8, width: 8, seed: 9),
                    target: try testImage(height: 8, width: 8, seed: 9), to: samples)
    try FileManager.default.removeItem(at: samples.appendingPathComponent("iter_500_0_target.png"))

    let page = try writeRunReport(runFolder: run)
    #expect(page.lastPathComponent == "report.html")
    let html = try String(contentsOf: page, encoding: .utf8)
    let regex = try NSRegularExpression(pattern: "src=\"([^\"]+)\"")
    let sources = regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).map { String(html[Range($0.range(at: 1), in: html)!]) }
    #expect(Set(sources.filter { $0.hasSuffix(".svg") }) == Set(["losses", "lr", "speed", "psnr", "ssim"].map { "report_assets/\($0).svg" }))
    #expect(sources.filter { $0.hasPrefix("samples/") }.count == 8)  // 2 × 3 at 1000, 2 at 500
    for source in sources {
        #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(source).path), "\(source)")
        #expect(!source.hasPrefix("/"))
    }
    #expect(html.contains("no target"))  // the deleted file is marked, not linked
    #expect(html.contains("&lt;script&gt;") && !html.contains("<script>"))
    #expect(html.contains("best held-out PSNR <b>20.00 dB</b> at iteration 1000"))
    #expect(listSamples(in: samples).map { "\($0.iteration)_\($0.index)_\($0.files.count)" } == ["500_0_2", "1000_0_3", "1000_1_3"])
}

@Test func emptyRunFolderStillGetsAPage() throws {
    let run = try temporaryFolder("empty-run")
    let html = try String(contentsOf: try writeRunReport(runFolder: run), encoding: .utf8)
    #expect(html.contains("No metrics yet") && html.contains("No samples"))
    #expect(throws: EvalError.self) { try writeRunReport(runFolder: run.appendingPathComponent("missing")) }
}

@Test func samplesAreMadeFromCentreCropsWhenARunHasNone() throws {
    let root = try makePairedFolder(height: 20, width: 30)
    let pairs = try evalPairs(try parseDataArgument(root.path)).sorted { $0.name < $1.name }
    let samples = try temporaryFolder("made").appendingPathComponent("samples")
    let count = try makeSamples(model: functionModel("half") { try $0 * 0.5 }, pairs: pairs, iteration: 5, cropSize: 16, to: samples)
    #expect(count == 2)
    let listed = listSamples(in: samples)
    #expect(listed.map(\.index) == [0, 1] && listed.allSatisfy { $0.iteration == 5 && $0.files.count == 3 })
    let input = try readPhoto(listed[1].files[.input]!.path).pixels
    let output = try readPhoto(listed[1].files[.output]!.path).pixels
    let source = try readPhoto(pairs[1].input).pixels
    #expect(input.shape == [3, 16, 16])
    // The centre 16×16 of 20×30 starts at row 2, column 7.
    #expect(try (input - source.narrow(1, start: 2, length: 16).narrow(2, start: 7, length: 16)).abs().max().item() == 0)
    #expect(try (output - input * 0.5).abs().max().item() <= 0.5 / 255 + 1e-6)  // one 8-bit rounding
}

@Test func theTrainersFirstSpellingIsReadToo() throws {
    let text = """
        {"iteration":10,"its_per_second":2.5,"kind":"train","losses":{"l1":0.5},"lr":0.001,"time":3,"total":0.5,"discriminator_accuracy":0.75,"discriminator_loss":1.25}
        {"classic":{"psnr":19.5},"identity":{"psnr":19},"images":4,"iteration":10,"kind":"eval","metrics":{"psnr":21,"ssim":0.5},"time":4}
        {"iteration":10,"kind":"checkpoint","path":"checkpoints/latest.safetensors","time":5}
        {"iteration":10,"kind":"stop","reason":"done","time":5}
        """
    let log = RunMetrics.parse(text)
    #expect(log.problems.isEmpty)
    #expect(log.train == [TrainRecord(iteration: 10, losses: ["l1": 0.5], total: 0.5, lr: 0.001, itPerS: 2.5, dAccuracy: 0.75, dLoss: 1.25)])
    #expect(log.eval == [EvalRecord(iteration: 10, metrics: ["psnr": 21, "ssim": 0.5], identity: ["psnr": 19], classic: ["psnr": 19.5])])
    let psnr = try #require(runCharts(log).first { $0.file == "psnr.svg" }?.chart)
    #expect(psnr.series.map(\.name) == ["psnr", "input (identity)", "classic"])
    #expect(runCharts(log).map(\.file) == ["losses.svg", "lr.svg", "speed.svg", "discriminator.svg", "discriminator_loss.svg", "psnr.svg", "ssim.svg"])
}
