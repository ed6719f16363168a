import ArgumentParser
import DSLRTensor
import Foundation

// The one place where errors become exit codes and messages.
extension DSLR {
    /// Runs the command line; any error that escapes a command ends here.
    static func main() async {
        do {
            var command = try parseAsRoot()
            // `serve` is the one command that runs on Swift concurrency (its server's event loops).
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            fail(error)
        }
    }

    /// Prints `error` and exits with its code: a kinded error as one line, argument
    /// errors with their usage text, everything else as swift-argument-parser would.
    static func fail(_ error: any Error) -> Never {
        if let kinded = error as? any KindedError {
            warn("Error: \(oneLine(kinded))")
            Foundation.exit(exitCode(for: kinded.kind))
        }
        // Parse and validation errors (argument-parser's EX_USAGE) are usage errors.
        if exitCode(for: error) == .validationFailure {
            warn(fullMessage(for: error))
            Foundation.exit(exitCode(for: .badArgument))
        }
        exit(withError: error)
    }

    /// Usage errors 2, every other failure 1 (as before kinds existed).
    static func exitCode(for kind: ErrorKind) -> Int32 {
        kind == .badArgument ? 2 : 1
    }
}

/// An error's message on one line.
func oneLine(_ error: any Error) -> String {
    String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
}
