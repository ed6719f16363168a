import DSLRTensor
import Foundation

/// How a `DataLoader` draws batches.
public struct LoaderConfig: Sendable, Codable, Equatable {
    public var batchSize: Int
    /// Square crop size in input pixels (targets are cropped at `targetScale` times this);
    /// nil keeps whole images, which must then all have one size.
    public var patchSize: Int?
    public var seed: UInt64
    /// A new order every epoch; false keeps file order.
    public var shuffle: Bool
    /// Random horizontal and vertical flips.
    public var flips: Bool
    /// Random 90-degree rotations (square patches only).
    public var rotations: Bool
    /// Background threads building batches; 0 builds each batch when asked.
    public var workers: Int
    /// How many batches may be built ahead of the one asked for.
    public var prefetch: Int

    public init(batchSize: Int = 16, patchSize: Int? = 100, seed: UInt64 = 0, shuffle: Bool = true,
                flips: Bool = true, rotations: Bool = true, workers: Int = 2, prefetch: Int = 4) {
        self.batchSize = batchSize; self.patchSize = patchSize; self.seed = seed; self.shuffle = shuffle
        self.flips = flips; self.rotations = rotations; self.workers = workers; self.prefetch = prefetch
    }
}

/// Where a loader is: the next batch it will return. Every random choice (order, crops,
/// flips, rotations) is a function of (seed, epoch, slot), so this pair is the loader's whole
/// state: a loader made with the same config and position returns the same batches.
public struct LoaderPosition: Sendable, Codable, Equatable {
    public var epoch: Int
    /// Batch number within the epoch.
    public var batch: Int
    public init(epoch: Int = 0, batch: Int = 0) { self.epoch = epoch; self.batch = batch }
}

/// One batch: NCHW float32 tensors on the CPU.
public struct Batch: Sendable {
    public var input: Tensor
    public var target: Tensor
    /// The position this batch was drawn at.
    public var position: LoaderPosition
    /// The input file of each sample, for messages.
    public var inputPaths: [String]
}

/// Batches of random patches from one split of a dataset, built by background threads into
/// a bounded queue, in an order that depends only on the seed and the position.
///
/// Files that fail to load, are smaller than the patch or whose partner has the wrong size
/// are reported once (through `report`) and replaced by the next file in the split.
/// One consumer calls `nextBatch()`; the prefetch threads are the loader's own.
public final class DataLoader: @unchecked Sendable {
    public let config: LoaderConfig
    public let batchesPerEpoch: Int
    private let maker: BatchMaker
    private let queue: PrefetchQueue<Batch>?
    private var next: Int

    /// The largest batch of patches (inputs and targets as float32) the loader builds.
    static let maxBatchGigabytes = 16.0

    public init(
        dataset: Dataset, part: DatasetPart = .train, config: LoaderConfig,
        position: LoaderPosition = LoaderPosition(), report: @escaping @Sendable (String) -> Void = { _ in }
    ) throws {
        let split = dataset.split(part)
        guard !split.isEmpty else { throw DataError("\(dataset.spec.root): the \(part.rawValue) split is empty") }
        guard config.batchSize > 0 else { throw DataError("loader: batch size must be positive") }
        // A batch is built in memory before the first step: one that cannot fit is refused here
        // (batch_size 100000 used to grind on without end). Patches may repeat pairs, so only
        // their size bounds them; whole photos are at most one of each.
        if let p = config.patchSize {
            let gigabytes = Double(config.batchSize) * Double(p) * Double(p) * 3 * 4 * 2 / 1e9
            guard gigabytes <= Self.maxBatchGigabytes else {
                throw DataError(String(format: "%@: batch_size %d of %d-pixel patches needs about %.0f GB for inputs and targets alone (at most %.0f); lower batch_size or patch_size",
                                       dataset.spec.root, config.batchSize, p, gigabytes, Self.maxBatchGigabytes))
            }
        } else {
            guard config.batchSize <= split.inputs.count else {
                throw DataError("\(dataset.spec.root): batch_size \(config.batchSize) of whole photos is larger than the \(split.inputs.count) pairs of its \(part.rawValue) split")
            }
        }
        if let p = config.patchSize, p <= 0 { throw DataError("loader: patch size must be positive") }
        self.config = config
        batchesPerEpoch = max(1, split.inputs.count / config.batchSize)
        maker = BatchMaker(dataset: dataset, split: split, config: config, bad: BadFiles(report: report))
        let (start, overflow) = position.epoch.multipliedReportingOverflow(by: batchesPerEpoch)
        guard position.epoch >= 0, position.batch >= 0, !overflow, start <= Int.max - position.batch else {
            throw DataError("loader position epoch \(position.epoch), batch \(position.batch) is out of range (\(batchesPerEpoch) batches per epoch)")
        }
        next = start + position.batch
        queue = config.workers > 0
            ? PrefetchQueue(start: next, workers: config.workers, depth: max(1, config.prefetch)) { [maker, batchesPerEpoch] g in
                try maker.batch(LoaderPosition(epoch: g / batchesPerEpoch, batch: g % batchesPerEpoch))
            }
            : nil
    }

    deinit { queue?.stop() }

    /// The position of the batch `next()` returns.
    public var position: LoaderPosition {
        LoaderPosition(epoch: next / batchesPerEpoch, batch: next % batchesPerEpoch)
    }

    /// The next batch.
    public func nextBatch() throws -> Batch {
        defer { next += 1 }
        if let queue { return try queue.take(next) }
        return try maker.batch(position)
    }
}

/// Paths that failed, each reported once; shared by the worker threads.
final class BadFiles: @unchecked Sendable {
    private let lock = NSLock()
    private var bad: Set<String> = []
    private let report: @Sendable (String) -> Void
    init(report: @escaping @Sendable (String) -> Void) { self.report = report }

    func contains(_ path: String) -> Bool { lock.withLock { bad.contains(path) } }

    func add(_ path: String, _ message: String) {
        let isNew = lock.withLock { bad.insert(path).inserted }
        if isNew { report(message) }
    }
}

/// Builds the batch at a position; pure apart from the shared set of bad files.
struct BatchMaker: Sendable {
    let dataset: Dataset
    let split: DatasetSplit
    let config: LoaderConfig
    let bad: BadFiles

    /// The file order of `epoch` over `count` files.
    func order(_ count: Int, epoch: Int, stream: UInt64) -> [Int] {
        var indices = Array(0..<count)
        if config.shuffle {
            var rng = SplitMix64(key: config.seed, UInt64(epoch), stream)
            indices.shuffle(using: &rng)
        }
        return indices
    }

    func batch(_ position: LoaderPosition) throws -> Batch {
        let n = split.inputs.count
        let inputOrder = order(n, epoch: position.epoch, stream: 1)
        let targetOrder = dataset.kind == .unpaired ? order(split.targets.count, epoch: position.epoch, stream: 2) : inputOrder
        var inputs: [Tensor] = [], targets: [Tensor] = [], paths: [String] = []
        for j in 0..<config.batchSize {
            let slot = position.batch * config.batchSize + j
            var rng = SplitMix64(key: config.seed, UInt64(position.epoch), UInt64(slot), 3)
            // A bad file is replaced by the next one in the order, the same way on every run.
            var found = false
            for attempt in 0..<n {
                let i = inputOrder[(slot + attempt) % n]
                let t = targetOrder[(slot + attempt) % targetOrder.count]
                if let (x, y) = sample(input: split.inputs[i], target: split.targets[t], rng: &rng) {
                    inputs.append(x); targets.append(y); paths.append(split.inputs[i])
                    found = true
                    break
                }
            }
            guard found else { throw DataError("\(dataset.spec.root): no file of the split could be loaded") }
        }
        do {
            return Batch(input: try stack(inputs), target: try stack(targets), position: position, inputPaths: paths)
        } catch {
            throw DataError("\(dataset.spec.root): samples of different sizes cannot form a batch without a patch size (\(error))")
        }
    }

    /// One cropped, augmented pair, or nil (reported) when a file is unusable.
    func sample(input: String, target: String, rng: inout SplitMix64) -> (Tensor, Tensor)? {
        if bad.contains(input) || bad.contains(target) { return nil }
        let x: Tensor, y: Tensor
        do { x = try dataset.loadInput(input) } catch { bad.add(input, "\(input): unreadable (\(error))"); return nil }
        do { y = try dataset.loadTarget(target) } catch { bad.add(target, "\(target): unreadable (\(error))"); return nil }
        let s = dataset.targetScale
        let (h, w) = (x.shape[1], x.shape[2]), (th, tw) = (y.shape[1], y.shape[2])
        if dataset.kind == .paired, th != h * s || tw != w * s {
            bad.add(input, "\(input): size does not match \(target)")
            return nil
        }
        do {
            var (cx, cy) = (x, y)
            if let p = config.patchSize {
                guard h >= p, w >= p else { bad.add(input, "\(input): smaller than the \(p)-pixel patch"); return nil }
                guard th >= p * s, tw >= p * s else { bad.add(target, "\(target): smaller than the patch"); return nil }
                let top = Int.random(in: 0...(h - p), using: &rng), left = Int.random(in: 0...(w - p), using: &rng)
                cx = try x.narrow(1, start: top, length: p).narrow(2, start: left, length: p)
                if dataset.kind == .paired {
                    cy = try y.narrow(1, start: top * s, length: p * s).narrow(2, start: left * s, length: p * s)
                } else {
                    let ps = p * s
                    let tTop = Int.random(in: 0...(th - ps), using: &rng), tLeft = Int.random(in: 0...(tw - ps), using: &rng)
                    cy = try y.narrow(1, start: tTop, length: ps).narrow(2, start: tLeft, length: ps)
                }
            }
            let augment = Augmentation.draw(config: config, square: cx.shape[1] == cx.shape[2] && cy.shape[1] == cy.shape[2],
                                            input: dataset.input, rng: &rng)
            return (try augment.apply(cx).contiguous(), try augment.apply(cy).contiguous())
        } catch {
            bad.add(input, "\(input): \(error)")
            return nil
        }
    }
}

/// A flip/rotation drawn once per sample and applied identically to input and target.
struct Augmentation: Equatable {
    var flipHorizontal = false
    var flipVertical = false
    var quarterTurns = 0

    /// Packed Bayer inputs are never flipped or rotated: moving pixels would change which
    /// colour each packed channel holds.
    static func draw(config: LoaderConfig, square: Bool, input: InputEncoding, rng: inout SplitMix64) -> Augmentation {
        var a = Augmentation()
        guard input == .rgb else { return a }
        if config.flips {
            a.flipHorizontal = Bool.random(using: &rng)
            a.flipVertical = Bool.random(using: &rng)
        }
        if config.rotations, square { a.quarterTurns = Int.random(in: 0...3, using: &rng) }
        return a
    }

    /// Applies to [C, H, W].
    func apply(_ x: Tensor) throws -> Tensor {
        var y = x
        if flipHorizontal { y = try y.flip([2]) }
        if flipVertical { y = try y.flip([1]) }
        if quarterTurns != 0 { y = try y.rot90(quarterTurns, dims: [1, 2]) }
        return y
    }
}
