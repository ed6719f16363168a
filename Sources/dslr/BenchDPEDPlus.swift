import ArgumentParser
import DSLRModels
import DSLRNN
import DSLRTensor
import Foundation

/// DPED+'s claim (the MPSE slides: inference 2.7× and training 2855 against 1964 iterations
/// an hour, 1.45×, faster than full convolutions) measured here: the same network with
/// depthwise-separable and with full convolutions, in one run. The training step is the
/// generator's alone (L1 to a random target): VGG and the discriminator cost the same for both.
struct DPEDPlusBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dped-plus",
        abstract: "Time DPED+ with separable against full convolutions (inference and a training step); one JSON line per case."
    )

    @Option(help: "Rounds; each times both variants once, alternating, and the best of each is reported.")
    var repeats = 3
    @Option(help: "Width of the hidden layers.")
    var channels = 64
    @Option(help: "Normalisation of both variants: instance or batch.")
    var norm = "instance"
    @Option(help: "Side of the square photo for inference (1×3×side×side).")
    var size = 512
    @Option(help: "Patches (100×100) in the training batch.")
    var batch = 10
    @Option(help: "cpu or cuda:N.")
    var device = "cpu"

    func run() throws {
        guard let kind = DPEDPlusNormKind(rawValue: norm) else {
            throw ValidationError("--norm must be instance or batch, got '\(norm)'")
        }
        let device = try Device(device)
        Torch.manualSeed(0)
        let variants = try [true, false].map { separable in
            let net = try DPEDPlus(channels: channels, separable: separable, norm: kind)
            try net.move(to: device, dtype: nil)
            return (separable, net)
        }
        let photo = try Tensor.rand([1, 3, size, size]).to(device)
        let inference = try alternate(variants.map { _, net -> () throws -> Void in
            { _ = try withNoGrad { try net(photo) }; try Torch.synchronize(device) }
        }, training: false, variants: variants)
        let patches = try Tensor.rand([batch, 3, 100, 100]).to(device)
        let targets = try Tensor.rand([batch, 3, 100, 100]).to(device)
        let training = try alternate(variants.map { _, net -> () throws -> Void in
            var adam = Adam(net.namedParameters(), learningRate: 5e-4)
            return {
                try (net(patches) - targets).abs().mean().backward()
                try adam.step()
                try adam.zeroGrad()
                try Torch.synchronize(device)
            }
        }, training: true, variants: variants)
        let parameters = variants.map { $0.1.parameters().reduce(0) { $0 + $1.count } }
        for (i, (separable, _)) in variants.enumerated() {
            line(["case": "\"dped-plus_infer_1x3x\(size)x\(size)\"", "separable": "\(separable)", "seconds": "\(inference[i])"])
            line(["case": "\"dped-plus_train_step_\(batch)x3x100x100\"", "separable": "\(separable)", "seconds": "\(training[i])"])
            line(["case": "\"dped-plus_parameters\"", "separable": "\(separable)", "count": "\(parameters[i])"])
        }
        line(["case": "\"dped-plus_full_over_separable\"", "inference": "\(inference[1] / inference[0])",
              "training": "\(training[1] / training[0])"])
    }

    /// Best seconds of each body over `repeats` rounds that run them in turn, after a warm-up
    /// of each, so that a slower or busier moment of the machine falls on both alike.
    private func alternate(_ bodies: [() throws -> Void], training: Bool, variants: [(Bool, DPEDPlus)]) throws -> [Double] {
        for (_, net) in variants { net.train(training) }
        for body in bodies { try body() }
        var best = [Double](repeating: .infinity, count: bodies.count)
        for _ in 0..<max(repeats, 1) {
            for (i, body) in bodies.enumerated() { best[i] = min(best[i], try elapsedSeconds(body)) }
        }
        return best
    }

    private func line(_ fields: KeyValuePairs<String, String>) {
        let extra = [("norm", "\"\(norm)\""), ("channels", "\(channels)"), ("device", "\"\(device)\""), ("threads", "\(Torch.threadCount)")]
        print("{" + (Array(fields) + extra).map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
    }
}
