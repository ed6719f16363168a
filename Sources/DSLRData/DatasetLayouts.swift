import DSLRPhoto
import Foundation

/// What a layout lists before validation.
struct Listing {
    var kind: DatasetKind = .paired
    var input: InputEncoding = .rgb
    var targetScale = 1
    var train = DatasetSplit()
    var test = DatasetSplit()
    var fullSizeTest: [String] = []
    var problems: [String] = []
}

/// File extensions read as photos.

func listLayout(_ layout: DatasetLayout, _ spec: DatasetSpec) throws -> Listing {
    switch layout {
    case .dped: return try listDPED(spec)
    case .zurichRawToRGB: return try listZurich(spec)
    case .pairedFolders: return try listPairedFolders(spec)
    case .unpairedFolders: return try listUnpairedFolders(spec)
    }
}

/// DPED (Ignatov et al. 2017): `<root>/<phone>/training_data/{<phone>,canon}/N.jpg`,
/// `test_data/patches/{<phone>,canon}/N.jpg`, `test_data/full_size_test_images/`.
/// `root` may be the dped folder (option `phone` required) or the phone's own folder.
func listDPED(_ spec: DatasetSpec) throws -> Listing {
    let root = URL(fileURLWithPath: spec.root)
    let phone: String
    let base: URL
    if let named = spec.options["phone"] {
        phone = named
        let nested = root.appendingPathComponent(named)
        base = isDirectory(nested.appendingPathComponent("training_data")) ? nested : root
    } else if isDirectory(root.appendingPathComponent("training_data")) {
        phone = root.lastPathComponent
        base = root
    } else {
        throw DataError("\(spec.root): DPED needs the option phone=<name> (iphone, sony, blackberry, ...)")
    }
    var listing = Listing()
    let train = base.appendingPathComponent("training_data")
    try requireDirectory(train.appendingPathComponent(phone))
    try requireDirectory(train.appendingPathComponent("canon"))
    listing.train = pairFolders(in: train, input: phone, target: "canon", problems: &listing.problems)
    let patches = base.appendingPathComponent("test_data/patches")
    if isDirectory(patches.appendingPathComponent(phone)) {
        listing.test = pairFolders(in: patches, input: phone, target: "canon", problems: &listing.problems)
    }
    listing.fullSizeTest = photos(in: base.appendingPathComponent("test_data/full_size_test_images"))
    return listing
}

/// Zurich RAW-to-RGB (PyNET): `<root>/{train,test}/huawei_raw/N.png` (16-bit Bayer) with
/// `<root>/{train,test}/canon/N.jpg`; `test/huawei_full_resolution/` for visual checks.
/// Options `raw` and `target` rename the two folders.
func listZurich(_ spec: DatasetSpec) throws -> Listing {
    let root = URL(fileURLWithPath: spec.root)
    let raw = spec.options["raw"] ?? "huawei_raw", target = spec.options["target"] ?? "canon"
    var listing = Listing()
    listing.input = .pynetBayer
    listing.targetScale = 2
    try requireDirectory(root.appendingPathComponent("train").appendingPathComponent(raw))
    pairTrainAndTest(root, input: raw, target: target, into: &listing)
    listing.fullSizeTest = photos(in: root.appendingPathComponent("test/huawei_full_resolution"))
    return listing
}

/// Two folders of partners with the same file names: `<root>/input` and `<root>/target`
/// (options `input`, `target` rename them). With `<root>/train/` and `<root>/test/` each
/// holding both folders, those are the splits; otherwise `test-percent` (default 10) of
/// the names, chosen by a hash of the file name, are held out. Option `scale` (default 1):
/// how many times larger each side of a target is than its input, for super-resolution
/// pairs such as `dslr data sr` writes.
func listPairedFolders(_ spec: DatasetSpec) throws -> Listing {
    let root = URL(fileURLWithPath: spec.root)
    let inputName = spec.options["input"] ?? "input", targetName = spec.options["target"] ?? "target"
    var listing = Listing()
    if let text = spec.options["scale"] {
        guard let scale = Int(text), (1...16).contains(scale) else {
            throw DataError("dataset option scale=\(text): expected a whole number from 1 to 16")
        }
        listing.targetScale = scale
    }
    if isDirectory(root.appendingPathComponent("train").appendingPathComponent(inputName)) {
        pairTrainAndTest(root, input: inputName, target: targetName, into: &listing)
        return listing
    }
    try requireDirectory(root.appendingPathComponent(inputName))
    try requireDirectory(root.appendingPathComponent(targetName))
    let all = pairFolders(in: root, input: inputName, target: targetName, problems: &listing.problems)
    let fraction = try testFraction(spec)
    for (input, target) in zip(all.inputs, all.targets) {
        if isHeldOut(input, fraction: fraction) {
            listing.test.inputs.append(input); listing.test.targets.append(target)
        } else {
            listing.train.inputs.append(input); listing.train.targets.append(target)
        }
    }
    return listing
}

/// Two folders of unrelated photos: `<root>/low` (phone-quality) and `<root>/high`
/// (options `low`, `high` rename them); `test-percent` of each is held out by name hash.
func listUnpairedFolders(_ spec: DatasetSpec) throws -> Listing {
    let root = URL(fileURLWithPath: spec.root)
    let low = root.appendingPathComponent(spec.options["low"] ?? "low")
    let high = root.appendingPathComponent(spec.options["high"] ?? "high")
    try requireDirectory(low)
    try requireDirectory(high)
    let fraction = try testFraction(spec)
    var listing = Listing()
    listing.kind = .unpaired
    for path in photos(in: low) {
        if isHeldOut(path, fraction: fraction) { listing.test.inputs.append(path) } else { listing.train.inputs.append(path) }
    }
    for path in photos(in: high) {
        if isHeldOut(path, fraction: fraction) { listing.test.targets.append(path) } else { listing.train.targets.append(path) }
    }
    return listing
}

// MARK: - helpers

/// Pairs `<root>/train/<input>` with `<root>/train/<target>` and the same under `test/`,
/// where those folders exist.
func pairTrainAndTest(_ root: URL, input: String, target: String, into listing: inout Listing) {
    for part in ["train", "test"] {
        let dir = root.appendingPathComponent(part)
        guard isDirectory(dir.appendingPathComponent(input)) else { continue }
        let split = pairFolders(in: dir, input: input, target: target, problems: &listing.problems)
        if part == "train" { listing.train = split } else { listing.test = split }
    }
}

func isDirectory(_ url: URL) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
}

func requireDirectory(_ url: URL) throws {
    guard isDirectory(url) else { throw DataError("\(url.path): folder not found") }
}

/// Photo files in `dir` (not recursive), in natural order (2.jpg before 10.jpg).
func photos(in dir: URL) -> [String] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
    return names
        .filter { !$0.hasPrefix(".") && photoExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
        .sorted(by: naturalOrder)
        .map { dir.appendingPathComponent($0).path }
}

/// Numeric stems in numeric order, then everything else by name.
func naturalOrder(_ a: String, _ b: String) -> Bool {
    let sa = (a as NSString).deletingPathExtension, sb = (b as NSString).deletingPathExtension
    switch (Int(sa), Int(sb)) {
    case let (x?, y?): return x != y ? x < y : a < b
    case (.some, nil): return true
    case (nil, .some): return false
    default: return a < b
    }
}

/// `pairByName` of two sibling folders of `dir`.
func pairFolders(in dir: URL, input: String, target: String, problems: inout [String]) -> DatasetSplit {
    pairByName(inputs: dir.appendingPathComponent(input), targets: dir.appendingPathComponent(target), problems: &problems)
}

/// Partners by file name: the same name, or else the same stem with another photo
/// extension (Zurich's N.png ↔ N.jpg). Files on either side without a partner are reported.
func pairByName(inputs: URL, targets: URL, problems: inout [String]) -> DatasetSplit {
    let targetPaths = photos(in: targets)
    var byName: [String: String] = [:], byStem: [String: String] = [:]
    for path in targetPaths {
        let name = (path as NSString).lastPathComponent
        byName[name] = path
        byStem[(name as NSString).deletingPathExtension] = path
    }
    var split = DatasetSplit()
    var used = Set<String>()
    for path in photos(in: inputs) {
        let name = (path as NSString).lastPathComponent
        guard let partner = byName[name] ?? byStem[(name as NSString).deletingPathExtension] else {
            problems.append("\(path): missing partner in \(targets.path)")
            continue
        }
        split.inputs.append(path)
        split.targets.append(partner)
        used.insert(partner)
    }
    for path in targetPaths where !used.contains(path) {
        problems.append("\(path): missing partner in \(inputs.path)")
    }
    return split
}

func testFraction(_ spec: DatasetSpec) throws -> Double {
    guard let text = spec.options["test-percent"] else { return 0.1 }
    guard let percent = Double(text), (0...100).contains(percent) else {
        throw DataError("dataset option test-percent=\(text): expected a number from 0 to 100")
    }
    return percent / 100
}

/// The fixed held-out split: a file is in the test part when the hash of its name falls in
/// the lowest `fraction` of the range, so the split never changes when files are added or
/// the folder is moved. (FNV-1a alone mixes its low bits poorly, so SplitMix's finaliser
/// follows it.)
func isHeldOut(_ path: String, fraction: Double) -> Bool {
    let name = (path as NSString).lastPathComponent
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    var mixer = SplitMix64(seed: hash)
    return Double(mixer.next() >> 11) / 9_007_199_254_740_992 < fraction
}
