import DSLREnhance
import DSLRTensor
import Testing

/// MPSE phase 3's equalisation: recursive mean-separate and per region, and the classic presets.
struct RegionEqualizationTests {
    /// Eight pixels over 8 levels with counts [2, 2, 1, 0, 0, 0, 1, 2], worked by hand. Plain:
    /// T(k) = floor(7 · cdf(k)) gives levels 1, 3, 4, 5, 7. Depth 1: the mean level is 24/8 = 3,
    /// so levels 0...3 (5 pixels) map within 0...3 by floor(3 · cdf) → 1, 2, 3, and levels 4...7
    /// (3 pixels) within 4...7 by 4 + floor(3 · cdf) → 5, 7.
    @Test func recursiveSplitWorkedByHand() throws {
        let levels = [0, 0, 1, 1, 2, 6, 7, 7].map { Double($0) / 7 }
        let plane = try Tensor(levels).reshape([1, 8])
        let plain = try (equalizeHistDiscrete(plane, levels: 8) * 7).round().toArray(Double.self)
        #expect(plain == [1, 1, 3, 3, 4, 5, 7, 7])
        let split = try (equalizeHistDiscrete(plane, levels: 8, depth: 1) * 7).round().toArray(Double.self)
        #expect(split == [1, 1, 2, 2, 3, 5, 7, 7])
    }

    /// Each part keeps its side of the mean, so a dark photo stays dark instead of being pushed
    /// to mid-grey as plain equalisation pushes it.
    @Test func recursiveKeepsMeanBrightnessBetterThanPlain() throws {
        Torch.manualSeed(3)
        let dark = try (Tensor.rand([64, 64], dtype: .float64) * Tensor.rand([64, 64], dtype: .float64) * 0.5)
        let mean = try dark.mean().item()
        let plain = try equalizeHistDiscrete(dark).mean().item()
        let recursive = try equalizeHistDiscrete(dark, depth: 2).mean().item()
        #expect(abs(recursive - mean) < abs(plain - mean) / 3, "input \(mean), plain \(plain), recursive \(recursive)")
    }

    /// Per-region equalisation equals equalising each region's pixels on their own.
    @Test func regionsAreEqualizedAlone() throws {
        Torch.manualSeed(4)
        let image = try Tensor.rand([2, 3, 5], dtype: .float64) * 0.6
        let labels = try Tensor([0, 0, 1, 1, 1, 2, 2, 2, 0, 0, 1, 2, 2, 0, 1] as [Int64]).reshape([3, 5])
        let out = try equalizeHistDiscrete(image, depth: 1, regions: labels)
        let flatLabels = try labels.flatten().toArray(Int64.self)
        for c in 0..<2 {
            let values = try image.select(0, c).flatten().toArray(Double.self)
            let result = try out.select(0, c).flatten().toArray(Double.self)
            for region in Int64(0)...2 {
                let positions = flatLabels.indices.filter { flatLabels[$0] == region }
                let alone = try equalizeHistDiscrete(Tensor(positions.map { values[$0] }).reshape([1, positions.count]), depth: 1)
                #expect(try alone.flatten().toArray(Double.self) == positions.map { result[$0] }, "plane \(c) region \(region)")
            }
        }
    }

    @Test func badRegionsAreRefused() throws {
        let image = try Tensor.rand([1, 4, 4])
        #expect(throws: TorchError.self) { try equalizeHistDiscrete(image, regions: Tensor.zeros([4, 4])) }
        #expect(throws: TorchError.self) { try equalizeHistDiscrete(image, regions: Tensor.zeros([4, 3]).to(.int64)) }
        #expect(throws: TorchError.self) { try equalizeHistDiscrete(image, regions: (Tensor.zeros([4, 4]) - 1).to(.int64)) }
        #expect(throws: TorchError.self) { try equalizeHistDiscrete(image, depth: 9) }
    }

    /// Regions only make sense for the discrete mapping; CLAHE with them is an error, not ignored.
    @Test func classicEnhancerTakesRegionsOnlyForDiscreteEqualization() throws {
        Torch.manualSeed(5)
        let photo = try Tensor.rand([1, 3, 6, 8])
        let labels = try (Tensor.rand([6, 8]) * 3).floor().to(.int64)
        #expect(throws: TorchError.self) { try ClassicEnhancer(config: .default)(photo, regions: labels) }
        let perRegion = try ClassicEnhancer(config: .mpse)(photo, regions: labels)
        let global = try ClassicEnhancer(config: .mpse)(photo)
        #expect(perRegion.shape == [1, 3, 6, 8])
        #expect(try (perRegion - global).abs().max().item() > 1e-3)
    }

    @Test func presetsByName() throws {
        #expect(try ClassicConfig.preset("mpse") == .mpse)
        #expect(try ClassicConfig.preset("default") == .default)
        #expect(ClassicConfig.presets.first?.name == "default")
        #expect(throws: ModelError.self) { try ClassicConfig.preset("nope") }
        do { _ = try ClassicConfig.preset("nope") } catch let error as ModelError {
            #expect(error.description.contains("known: default, mpse, mpse-recursive, identity"), "\(error)")
        }
    }
}
