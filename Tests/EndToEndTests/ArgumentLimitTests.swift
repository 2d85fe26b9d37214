import BusTestSupport
import Foundation
import Testing

@testable import BusCore

/// Issue 7, defect 4: the argument parser's cost grows with the square of the options, so the CLI refuses
/// more than it can answer quickly, before parsing.
@Suite struct ArgumentLimitTests {
    /// Lets children take argument lists larger than the default 2 MiB (a quarter of the stack limit).
    private static func allowLargeArgumentLists() {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_STACK.rawValue), &limit) == 0 else { return }
        let wanted = rlim_t(64 << 20)
        if limit.rlim_cur != rlim_t.max, limit.rlim_cur < wanted,
            limit.rlim_max == rlim_t.max || limit.rlim_max >= wanted
        {
            limit.rlim_cur = wanted
            _ = setrlimit(__rlimit_resource_t(RLIMIT_STACK.rawValue), &limit)
        }
    }

    @Test func hundredThousandMetaPairsAreAnsweredAtOnce() throws {
        Self.allowLargeArgumentLists()
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            var arguments = ["post", "--bus", bus, "--project", "p", "--body", "x", "--no-fsync"]
            for index in 0..<100_000 { arguments += ["--meta", "k\(index)=v"] }
            let start = ContinuousClock.now
            let result = try sandbox.bus(arguments, timeout: .seconds(20))
            let elapsed = ContinuousClock.now - start
            #expect(!result.timedOut, "still parsing after 20 s")
            // Quadratic parsing took minutes; a loaded CI machine can take a second to start a child with 200k
            // arguments, so the bound separates the two without timing the machine.
            #expect(elapsed < .seconds(10), "answered after \(elapsed)")
            #expect(result.status == 65, "\(result.stderr)")
            #expect(result.stderr == "run-agent: invalid message: 100000 --meta pairs, at most 256\n")
            #expect(!FileManager.default.fileExists(atPath: bus))
        }
    }

    @Test func metaPairsUpToTheLimitArePosted() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let base = ["post", "--bus", bus, "--project", "p", "--body", "x", "--no-fsync"]
            let pairs = (0..<256).flatMap { ["--meta", "key\($0)=value \($0)"] }
            let accepted = try sandbox.bus(base + pairs)
            #expect(accepted.status == 0, "\(accepted.stderr)")
            let read = try sandbox.bus(["read", "--bus", bus, "--json"])
            #expect(read.stderr.isEmpty)
            #expect((try read.jsonObjects().first?["meta"] as? [String: String])?.count == 256)

            let refused = try sandbox.bus(base + pairs + ["--meta=one=more"])
            #expect(refused.status == 65)
            #expect(refused.stderr == "run-agent: invalid message: 257 --meta pairs, at most 256\n")
        }
    }

    @Test func headerOverSixtyFourKiBIsRefused() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let value = String(repeating: "v", count: 40_000)
            let result = try sandbox.bus([
                "post", "--bus", bus, "--project", "p", "--body", "x", "--meta", "a=" + value, "--meta", "b=" + value,
            ])
            #expect(result.status == 65, "\(result.stderr)")
            #expect(result.stderrLines.count == 1)
            #expect(result.stderr.contains("header fields take 80"), "\(result.stderr)")
            #expect(result.stderr.contains("at most 65536 bytes"))
            #expect(!FileManager.default.fileExists(atPath: bus))
        }
    }

    /// Any other repeated option is refused by the overall argument limit, just as fast.
    @Test(arguments: [["post", "--type", "T"], ["read", "--json"], ["post", "--parent", "P"]])
    func manyOtherArgumentsAreAnsweredAtOnce(repeated: [String]) throws {
        Self.allowLargeArgumentLists()
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            try sandbox.post(bus, "x")
            let arguments =
                [repeated[0], "--bus", bus, "--project", "p", "--body", "x"]
                + Array(repeating: Array(repeated.dropFirst()), count: 50_000).flatMap { $0 }
            let start = ContinuousClock.now
            let result = try sandbox.bus(arguments, timeout: .seconds(20))
            #expect(!result.timedOut)
            #expect(ContinuousClock.now - start < .seconds(10), "quadratic parsing takes minutes")
            #expect(result.status == 64, "\(result.stderr)")
            #expect(result.stderrLines.count == 1)
            #expect(result.stderr.contains("too many command-line arguments"), "\(result.stderr)")
        }
    }
}
