import DSLRPhoto
import DSLRTensor
import Foundation

/// Writes super-resolution pairs made from `sources` in the `paired-folders` layout:
/// `<output>/{train,test}/target/NAME.png` is the photo (shrunk to `maxSide`, then cropped at
/// the bottom and right to a multiple of `scale`) and `.../input/NAME.png` its reduction by
/// `scale` with PIL's antialiased bicubic filter (`resizeBicubic`), as bicubic ×4 training
/// data is made (PPCN's `downsample_fn`, scipy's imresize, is PIL's). Both are 8-bit PNG: the
/// reduction is taken from the 8-bit target, so the files on disk are exactly a pair.
/// `<output>/dataset.yaml` names the layout and its `scale`, so that `dslr eval --data
/// <output>` and a recipe's dataset section find them.
///
/// - Parameter progress: called after each photo with (photos done, photos in all).
public func makeSuperResolutionPairs(
    sources: [String], output: String, scale: Int = 4, using: PhotoPairSources = PhotoPairSources(maxSide: 2040),
    progress: (Int, Int) -> Void = { _, _ in }, report: (String) -> Void = { _ in }
) throws -> PhotoPairsSummary {
    guard (2...16).contains(scale) else { throw DataError("sr: scale \(scale) is not from 2 to 16") }
    let summary = try writePhotoPairs(
        sources: sources, output: output, using: using, folders: ("input", "target"), multiple: scale,
        progress: progress, report: report
    ) { _, target in
        let (h, w) = (target.shape[1], target.shape[2])
        return Photo(pixels: try resizeBicubic(target.unsqueeze(0), height: h / scale, width: w / scale)
            .squeeze(0).clamp(min: 0, max: 1).contiguous())
    }
    let spec = "# Written by dslr data sr: low-resolution inputs, targets \(scale)× larger.\nname: paired-folders\nroot: .\noptions:\n  scale: \(scale)\n"
    try writeAtomically(spec, to: URL(fileURLWithPath: output).appendingPathComponent("dataset.yaml").path)
    return summary
}
