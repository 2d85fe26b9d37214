import BusTestSupport
import Foundation
import Testing

@testable import BusCore

/// Issue 7, defect 5: each error says what is wrong, on one line, with the documented exit code.
@Suite struct ErrorMessageTests {
    @Test func unknownSinceIdIsEscapedOnOneLine() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "x")
            for command in ["read", "poll"] {
                let result = try sandbox.bus([command, "--bus", bus, "--since", "a\nb\u{1B}[2J"])
                #expect(result.status == 65, "\(command): \(result.stderr)")
                #expect(
                    result.stderr == "run-agent: message id not found on the bus: \"a\\nb\\u{1b}[2J\" in \(bus)\n",
                    "\(command)"
                )
            }
        }
    }

    @Test(arguments: [
        (["read", "--tail", "-5"], "--tail must be 0 (all) or a positive number, got -5"),
        (["read", "--tail=-5"], "--tail must be 0 (all) or a positive number, got -5"),
        (["poll", "--timeout", "-1"], "invalid --timeout \"-1\": expected a non-negative number of seconds"),
        (["rotate", "--max-size", "-1"], "invalid --max-size \"-1\": expected a non-negative size in bytes"),
    ])
    func negativeNumbersSaySo(arguments: [String], message: String) throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "x")
            let result = try sandbox.bus(arguments + ["--bus", bus])
            #expect(result.status == 64, "\(result.stderr)")
            #expect(result.stderrLines.count == 1)
            #expect(result.stderr.hasPrefix("run-agent: " + message), "\(result.stderr)")
        }
    }

    /// `/proc` files look like regular files of size 0 to `fstat`; they are kernel interfaces, not buses.
    @Test func kernelPseudoFileIsNotABus() throws {
        try withSandbox { sandbox in
            for arguments in [
                ["post", "--bus", "/proc/self/mem", "--project", "p", "--body", "x"],
                ["read", "--bus", "/proc/self/mem"],
                ["rotate", "--bus", "/proc/self/mem", "--max-size", "1"],
                ["poll", "--bus", "/proc/self/mem", "--timeout", "0"],
            ] {
                let result = try sandbox.bus(arguments)
                #expect(result.status == 73, "\(arguments): \(result.stderr)")
                #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
                #expect(
                    result.stderr
                        == "run-agent: message bus must be a regular file, found a kernel pseudo-file (proc): /proc/self/mem\n"
                )
            }
        }
    }

    @Test(arguments: ["0x10", "1e1", "0x1p4", "inf", "1_0"])
    func lockTimeoutTakesDecimalNumbersOnly(value: String) throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let result = try sandbox.bus(
                ["post", "--bus", bus, "--project", "p", "--body", "x"],
                environment: ["JRUN_BUS_LOCK_TIMEOUT": value]
            )
            #expect(result.status == 64, "\(value): \(result.stderr)")
            #expect(
                result.stderr
                    == "run-agent: invalid JRUN_BUS_LOCK_TIMEOUT \"\(value)\": expected a non-negative number of seconds "
                    + "such as 10 or 0.5\n"
            )
            #expect(!FileManager.default.fileExists(atPath: bus))
            let poll = try sandbox.bus(["poll", "--bus", sandbox.file("none.md"), "--timeout", value])
            #expect(poll.status == 64, "\(value): \(poll.stderr)")
        }
    }

    @Test(arguments: ["10", "0.25", ".5", "3.", " 2 "])
    func lockTimeoutDecimalsAreAccepted(value: String) throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let result = try sandbox.bus(
                ["post", "--bus", bus, "--project", "p", "--body", "x", "--no-fsync"],
                environment: ["JRUN_BUS_LOCK_TIMEOUT": value]
            )
            #expect(result.status == 0, "\(value): \(result.stderr)")
        }
    }
}
