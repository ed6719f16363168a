import DSLRModels
import DSLRPhoto
import DSLRTensor
import Foundation
import Testing

@testable import DSLREnhance

/// Counts how many calls of a model function run at the same time.
private final class ConcurrencyProbe: @unchecked Sendable {
    private let lock = NSLock()
    private var now = 0
    private(set) var most = 0
    private(set) var calls = 0
    func enter() { lock.lock(); now += 1; calls += 1; most = max(most, now); lock.unlock() }
    func leave() { lock.lock(); now -= 1; lock.unlock() }
}

/// A whole-photo model that holds each call for `seconds` and reports to `probe`.
private func slowModel(_ probe: ConcurrencyProbe, seconds: Double = 0.05) -> LoadedModel {
    let card = ModelCard(name: "slow", architecture: "test", summary: "test")
    return LoadedModel(entry: ModelEntry(card: card, weights: nil, origin: .file)) { image in
        probe.enter()
        defer { probe.leave() }
        Thread.sleep(forTimeInterval: seconds)
        return try image * 0.5
    }
}

/// An engine that leaves libtorch's thread count as it is (tests share the process).
private func engine(workers: Int = 1, resolution: EnhanceEngine.Resolution = .namesOrPaths, queueLimit: Int? = nil)
    -> EnhanceEngine
{
    EnhanceEngine(configuration: EnhanceEngine.Configuration(
        workers: workers, resolution: resolution, queueLimit: queueLimit, threads: workers * Torch.threadCount))
}

/// The blocking entry point (inside an async test, plain calls pick the async overload).
private func enhanceBlocking(_ engine: EnhanceEngine, _ photo: Photo, _ model: LoadedModel) throws -> Photo {
    try engine.enhance(photo: photo, model: model)
}

@Suite struct EnhanceEngineTests {
    @Test func secondRequestReusesTheLoadedModel() throws {
        let engine = engine()
        let first = try engine.model(nil)
        #expect(try engine.model(ModelRegistry.defaultName) === first)
        #expect(engine.loadedModelCount == 1)
        // Another precision is another model.
        let bf16 = try engine.model(nil, precision: .bf16)
        #expect(bf16 !== first && bf16.precision == .bf16)
        #expect(engine.loadedModelCount == 2)
    }

    @Test func serviceModeRefusesPathsWithABadArgumentKind() throws {
        let service = engine(resolution: .namesOnly)
        for path in ["/tmp/model.safetensors", "model.safetensors", "models/dped"] {
            let error = #expect(throws: EngineError.self) { try service.resolve(path) }
            #expect(error?.kind == .badArgument && error?.kind.httpStatus == 400)
            #expect(error?.description.contains("known: classic") == true)
        }
        #expect(try service.resolve("classic").card.name == "classic")
        let unknown = #expect(throws: ModelError.self) { try service.resolve("no-such-model") }
        #expect(unknown?.kind == .notFound)
        // The CLI mode looks for the file instead.
        let missing = #expect(throws: ModelError.self) { try engine().resolve("/nonexistent/model.safetensors") }
        #expect(missing?.kind == .notFound)
    }

    @Test func photoKeepsMetadataAndBitDepth() throws {
        let model = try EnhanceFileTests().dpedModel()
        Torch.manualSeed(4)
        let metadata = PhotoMetadata(exif: [0x4D, 0x4D, 0, 42, 0, 0, 0, 8], icc: Array(repeating: 7, count: 132),
                                     xmp: Array("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"></x:xmpmeta>".utf8))
        let photo = Photo(pixels: try Tensor.rand([3, 20, 30]), bitDepth: 16, metadata: metadata)
        let out = try engine().enhance(photo: photo, model: model)
        #expect(out.bitDepth == 16)
        #expect(out.metadata == metadata)
        #expect(out.pixels.shape == [3, 20, 30])
        #expect(try (out.pixels - photo.pixels).abs().max().item() > 0.05)
    }

    /// Strength 0 is the input exactly, 1 the model, and 0.25 a quarter of the way.
    @Test func strengthBlendsInputAndModel() throws {
        let model = try EnhanceFileTests().dpedModel()
        Torch.manualSeed(5)
        let photo = Photo(pixels: try Tensor.rand([3, 16, 24]))
        let full = try EnhanceEngine.enhanceHere(photo: photo, model: model).pixels
        let none = try EnhanceEngine.enhanceHere(photo: photo, model: model, strength: 0).pixels
        let quarter = try EnhanceEngine.enhanceHere(photo: photo, model: model, strength: 0.25).pixels
        #expect(try (none - photo.pixels).abs().max().item() == 0)
        let expected = try photo.pixels + (full - photo.pixels) * 0.25
        #expect(try (quarter - expected).abs().max().item() < 1e-6)
        #expect(try (full - photo.pixels).abs().max().item() > 0.05)
        let bad = #expect(throws: EngineError.self) { try EnhanceEngine.enhanceHere(photo: photo, model: model, strength: 1.5) }
        #expect(bad?.kind == .badArgument)
    }

    @Test func asyncGivesTheSamePixelsAsSync() async throws {
        let model = try EnhanceFileTests().dpedModel()
        Torch.manualSeed(6)
        let photo = Photo(pixels: try Tensor.rand([3, 24, 32]))
        let engine = engine(workers: 2)
        let sync = try enhanceBlocking(engine, photo, model)
        let async = try await engine.enhance(photo: photo, model: model)
        #expect(try (sync.pixels - async.pixels).abs().max().item() == 0)
        let byName = try await engine.enhance(photo: photo, model: "classic")
        let classic = try enhanceBlocking(engine, photo, try engine.model("classic"))
        #expect(try (byName.pixels - classic.pixels).abs().max().item() == 0)
    }

    @Test func neverMoreThanTheWorkerCountAtOnce() async throws {
        let probe = ConcurrencyProbe()
        let model = slowModel(probe)
        let engine = engine(workers: 2)
        let photo = Photo(pixels: try Tensor.rand([3, 4, 4]))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { _ = try await engine.enhance(photo: photo, model: model) } }
            try await group.waitForAll()
        }
        #expect(probe.calls == 8)
        #expect(probe.most == 2)
    }

    @Test func batchRunsEveryJobOnTheWorkers() throws {
        let probe = ConcurrencyProbe()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("engine-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var jobs: [EnhanceJob] = []
        for i in 0..<5 {
            try writePhoto(Photo(pixels: try Tensor.rand([3, 6, 8])), to: "\(folder)/\(i).png")
            jobs.append(EnhanceJob(input: "\(folder)/\(i).png", output: "\(folder)/out/\(i).png"))
        }
        jobs.append(EnhanceJob(input: "\(folder)/missing.png", output: "\(folder)/out/missing.png"))
        let results = engine(workers: 3).enhanceFiles(jobs, model: slowModel(probe))
        #expect(results.count == 6 && probe.most == 3)
        #expect(try results[4].get().job == jobs[4])
        #expect(throws: PhotoError.self) { try results[5].get() }
        #expect(try readPhoto("\(folder)/out/0.png").width == 8)
    }

    @Test func fullQueueRefusesWithBusy() async throws {
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let card = ModelCard(name: "gate", architecture: "test", summary: "test")
        let gate = LoadedModel(entry: ModelEntry(card: card, weights: nil, origin: .file)) { image in
            started.signal()
            release.wait()
            return image
        }
        let engine = engine(workers: 1, queueLimit: 1)
        let photo = Photo(pixels: try Tensor.rand([3, 4, 4]))
        let running = Task { try await engine.enhance(photo: photo, model: gate) }
        await Task.detached { started.wait() }.value
        let waiting = Task { try await engine.enhance(photo: photo, model: gate) }
        while engine.pool.inFlight < 2 { try await Task.sleep(nanoseconds: 1_000_000) }
        let error = await #expect(throws: EngineError.self) { try await engine.enhance(photo: photo, model: gate) }
        #expect(error?.kind == .busy && error?.kind.httpStatus == 503)
        release.signal()
        release.signal()
        _ = try await running.value
        _ = try await waiting.value
    }
}
