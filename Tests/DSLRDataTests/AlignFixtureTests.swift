import DSLRPhoto
import DSLRTensor
import Foundation
import Testing

@testable import DSLRData

/// A pair rendered by scikit-image (scripts/fixtures/make_align_fixture.py): an independent
/// warp implementation, JPEG files read through DSLRPhoto, and the truth in a JSON file.
@Suite struct AlignFixtureTests {
    private func fixture(_ name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
            throw TorchError("fixture \(name) is missing")
        }
        return url.path
    }

    @Test func recoversScikitImageWarp() throws {
        struct Truth: Decodable { var homography: [[Double]] }
        let truth = Homography(
            rows: try JSONDecoder().decode(Truth.self, from: Data(contentsOf: URL(fileURLWithPath: fixture("align_truth.json")))).homography)
        let phone = try readPhoto(fixture("align_phone.jpg")), dslr = try readPhoto(fixture("align_dslr.jpg"))
        let result = try alignPair(phone: phone.pixels, dslr: dslr.pixels)
        let error = Homography(rows: result.homography).maxDistance(to: truth, at: imageCorners(width: phone.width, height: phone.height))
        print("align scikit-image pair: corner error \(String(format: "%.4f", error)) px, inliers \(result.inliers), score \(result.score)")
        #expect(error < 0.5)
        #expect(result.score > 0.9)
    }
}
