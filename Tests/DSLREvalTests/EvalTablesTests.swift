import DSLREval
import Foundation
import Testing

/// A result with known numbers: identity (infinite PSNR on one image), a model missing
/// MS-SSIM on one image, a model with a comma in its name.
func knownResult() -> EvalResult {
    let identity = ModelScore(model: "identity", summary: "input", images: [
        ImageScore(pair: "a.png", metrics: ["psnr": .infinity, "ssim": 1, "ms_ssim_dped": 1, "ssim_luma": 1], seconds: 0.001, megapixels: 0.5),
        ImageScore(pair: "b.png", metrics: ["psnr": 20, "ssim": 0.5, "ms_ssim_dped": 0.75, "ssim_luma": 0.25], seconds: 0.003, megapixels: 1.5),
    ])
    let model = ModelScore(model: "net,v2", summary: "a net", images: [
        ImageScore(pair: "a.png", metrics: ["psnr": 30, "ssim": 0.9, "ms_ssim": 0.95, "ms_ssim_dped": 0.875, "ssim_luma": 0.8], seconds: 1, megapixels: 0.5),
        ImageScore(pair: "b.png", metrics: ["psnr": 25, "ssim": 0.7, "ms_ssim_dped": 0.625, "ssim_luma": 0.6], seconds: 3, megapixels: 1.5),
    ], failures: ["c.png: out of memory"])
    return EvalResult(dataset: "paired-folders:/data", split: "test", pairCount: 3, models: [identity, model],
                      skipped: ["d.png: unreadable"], crops: [], device: "cpu")
}

@Test func scoreMeansAndTimePerMegapixel() {
    let r = knownResult()
    #expect(r.models[1].mean == ["psnr": 27.5, "ssim": 0.8, "ms_ssim": 0.95, "ms_ssim_dped": 0.75, "ssim_luma": 0.7])
    #expect(r.models[1].secondsPerMegapixel == 2)  // 4 s over 2 MP
    #expect(abs(r.models[0].secondsPerMegapixel - 0.002) < 1e-15)
    #expect(r.models[0].mean["psnr"] == .infinity)
}

@Test func csvHoldsFullPrecisionMeans() throws {
    let lines = knownResult().csv().split(separator: "\n").map(String.init)
    #expect(lines == [
        "model,images,psnr,ssim,ms_ssim,ms_ssim_dped,ssim_luma,seconds_per_megapixel,failures",
        "identity,2,inf,0.75,,0.875,0.625,0.002,0",
        "\"net,v2\",2,27.5,0.8,0.95,0.75,0.7,2.0,1",
    ])
}

@Test func jsonRoundTripsAndWritesInfinityAsNull() throws {
    let text = knownResult().json()
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    #expect(object["pairs"] as? Int == 3 && object["split"] as? String == "test")
    #expect(object["skipped"] as? [String] == ["d.png: unreadable"])
    let models = try #require(object["models"] as? [[String: Any]])
    #expect(models.map { $0["model"] as? String } == ["identity", "net,v2"])
    let identityMean = try #require(models[0]["mean"] as? [String: Any])
    #expect(identityMean["psnr"] is NSNull)
    #expect((identityMean["ssim"] as? NSNumber)?.doubleValue == 0.75)
    let perImage = try #require(models[1]["per_image"] as? [[String: Any]])
    #expect(perImage.count == 2)
    #expect(((perImage[1]["metrics"] as? [String: Any])?["psnr"] as? NSNumber)?.doubleValue == 25)
    #expect((models[1]["seconds_per_megapixel"] as? NSNumber)?.doubleValue == 2)
    #expect(models[1]["failures"] as? [String] == ["c.png: out of memory"])
}

@Test func markdownAndTextTables() {
    let r = knownResult()
    let md = r.markdown()
    #expect(md.contains("| model | images | PSNR (dB) | SSIM | MS-SSIM | MS-SSIM (DPED) | SSIM (luma) | s / MP |"))
    #expect(md.contains("| `identity` | 2 | ∞ | 0.7500 | – | 0.8750 | 0.6250 | 0.0020 |"))
    #expect(md.contains("| `net,v2` | 2 | 27.50 | 0.8000 | 0.9500 | 0.7500 | 0.7000 | 2.0000 |"))
    #expect(md.contains("- d.png: unreadable") && md.contains("- `net,v2`: c.png: out of memory"))
    let rows = r.textTable().split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    #expect(rows[0] == ["model", "images", "psnr", "ssim", "ms_ssim", "ms_ssim_dped", "ssim_luma", "s/MP"])
    #expect(rows[1] == ["identity", "2", "inf", "0.7500", "-", "0.8750", "0.6250", "0.0020"])
    #expect(rows[2] == ["net,v2", "2", "27.50", "0.8000", "0.9500", "0.7500", "0.7000", "2.0000"])
}

@Test func writesAllFourFilesAndTheHTMLLinksItsCrops() throws {
    var r = knownResult()
    r.crops = [
        EvalCrop(pair: "a.png", files: ["input": "crops/0_input.png", "net,v2": "crops/0_net_v2.png"]),
        EvalCrop(pair: "b.png", files: ["input": "crops/1_input.png", "target": "crops/1_target.png"]),
    ]
    let folder = try temporaryFolder("tables")
    let urls = try r.write(to: folder)
    #expect(urls.map(\.lastPathComponent) == ["eval.md", "eval.csv", "eval.json", "eval.html"])
    #expect(urls.allSatisfy { FileManager.default.fileExists(atPath: $0.path) })
    let html = try String(contentsOf: folder.appendingPathComponent("eval.html"), encoding: .utf8)
    #expect(html.contains("src=\"crops/0_input.png\"") && html.contains("src=\"crops/0_net_v2.png\""))
    #expect(html.contains("src=\"crops/1_target.png\""))
    #expect(html.contains("no net,v2") && html.contains("no target"))  // missing crops are marked, not broken images
    #expect(!html.contains(">identity</div>"))  // no crop column for a model without crops
    #expect(html.contains("<td><b>27.50</b></td>"))  // best non-identity PSNR
}
