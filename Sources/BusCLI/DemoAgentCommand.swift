import ArgumentParser
import BusCore

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// `run-agent bus demo-agent` (hidden): one simulated agent of `monitor --demo`.
struct DemoAgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-agent",
        abstract: "A simulated agent posting a scripted run (used by monitor --demo).",
        shouldDisplay: false
    )

    @Option(name: .long) var bus: String
    @Option(name: .long) var project: String
    @Option(name: .long) var task: String = ""
    @Option(name: .long) var role: String
    @Option(name: .long) var seed: Int = 1
    @Option(name: .long, help: "Slowest pause between messages, in seconds.") var pace: Double = 2.4

    func run() throws {
        guard let role = DemoScript.Role(rawValue: role) else { throw ValidationError("unknown role \(role)") }
        let parent = getppid()
        var random = DemoScript.Random(seed: UInt64(truncatingIfNeeded: seed))
        let pace = max(self.pace, 0.6)
        let writer = BusWriter(path: bus, options: WriterOptions(fsync: false))
        var run = 1
        while true {
            // Run ids as run-agent makes them: the start time, then the run's number.
            let runID = "run-20261126-09\(seed)\(run % 6)00-\(run)"
            var question: String?
            for step in DemoScript.steps(for: role, run: run, random: &random) {
                // Stop when the monitor that started us is gone (no PR_SET_PDEATHSIG from Swift: prctl is variadic).
                guard getppid() == parent else { return }
                LockWait.nanosleep(.milliseconds(Int(random.next(in: 0.5...pace) * 1000)))
                var draft = MessageDraft(
                    type: step.type,
                    projectID: project,
                    taskID: task,
                    runID: runID,
                    body: step.body
                )
                draft.meta = ["agent": role.agent]
                if step.answersQuestion, let question {
                    draft.parents = [BusParent(msgID: question, kind: "reply_to")]
                }
                let posted = try? writer.post(draft).messages.first
                if step.type == "QUESTION" { question = posted?.msgID }
            }
            run += 1
            LockWait.nanosleep(.seconds(3))
        }
    }
}

/// Realistic chatter for the demo agents.
enum DemoScript {
    enum Role: String {
        case planner, builder, tester, reviewer

        /// The `meta.agent` of its messages (the monitor's agent column).
        var agent: String {
            switch self {
            case .planner: "planner"
            case .builder: "claude"
            case .tester: "codex"
            case .reviewer: "gemini"
            }
        }
    }

    struct Step {
        var type: String
        var body: String
        /// An ANSWER: its `parents` names this agent's last QUESTION (`reply_to`).
        var answersQuestion = false
    }

    /// A small deterministic generator (SplitMix64), so a seed gives the same run every time.
    struct Random {
        var state: UInt64

        init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 }

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var value = state
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            return value ^ (value >> 31)
        }

        mutating func next(in range: ClosedRange<Double>) -> Double {
            range.lowerBound + Double(next() % 10_000) / 10_000 * (range.upperBound - range.lowerBound)
        }

        mutating func pick<T>(_ options: [T]) -> T { options[Int(next() % UInt64(options.count))] }
    }

    static func steps(for role: Role, run: Int, random: inout Random) -> [Step] {
        switch role {
        case .planner:
            return [
                Step(type: "DECISION", body: "Iteration \(run): split the work into api, tests and review tasks."),
                Step(
                    type: "INFO",
                    body: random.pick(["Budget check: 41% of tokens used.", "All three agents are alive."])
                ),
                Step(type: "QUESTION", body: "Should the rate limiter be per user or per API key?"),
                Step(
                    type: "ANSWER",
                    body: "Per API key; per-user limits come later.\nRationale: keys map to billing.",
                    answersQuestion: true
                ),
                Step(type: "FACT", body: "Release branch cut: release/2026.11.\(run)"),
            ]
        case .builder:
            return [
                Step(type: "RUN_START", body: "builder run \(run) started (model: claude, cwd: services/api)"),
                Step(type: "PROGRESS", body: "Reading services/api/router.go and the rate-limit design doc"),
                Step(
                    type: "PROGRESS",
                    body: "Implementing token bucket in internal/ratelimit/bucket.go (\(random.pick([3, 4, 5])) files)"
                ),
                Step(
                    type: "FACT",
                    body: "go build ./... passed on linux-x86_64 in \(random.pick(["12.4", "9.8", "14.1"]))s"
                ),
                Step(type: "QUESTION", body: "Is a 429 with Retry-After acceptable for clients of /v1/upload?"),
                Step(type: "FACT", body: "Added 14 unit tests; coverage of internal/ratelimit is 92.3%"),
                Step(
                    type: "ANSWER",
                    body: "Yes: 429 with Retry-After, documented in docs/api.md",
                    answersQuestion: true
                ),
                Step(
                    type: "DONE",
                    body: """
                        Rate limiter merged.

                        ## Summary
                        Token bucket per API key, refilled every second; 429 with Retry-After when empty.

                        ---

                        Files:
                          - internal/ratelimit/bucket.go
                          - internal/ratelimit/bucket_test.go
                          - services/api/router.go

                        Benchmarks (go test -bench, 8 cores):
                          BenchmarkTake-8     41.2 ns/op    0 allocs/op
                          BenchmarkRefill-8   12.9 ns/op    0 allocs/op

                        Follow-ups: per-user limits (next iteration), metrics for rejected requests.
                        """
                ),
                Step(type: "RUN_STOP", body: "builder run \(run) stopped with code 0"),
            ]
        case .tester:
            return [
                Step(type: "RUN_START", body: "tester run \(run) started"),
                Step(type: "PROGRESS", body: "Running the integration suite (312 tests) against a local stack"),
                Step(
                    type: "FACT",
                    body: random.pick([
                        "311/312 passed; TestUploadResume is flaky (2 of 5 runs)", "312/312 passed in 4m12s",
                    ])
                ),
                Step(type: "QUESTION", body: "TestUploadResume times out on CI only. Known issue?"),
                Step(
                    type: "ANSWER",
                    body: "Not known before; CI runs the suite in parallel, locally it is serial. Bisecting.",
                    answersQuestion: true
                ),
                Step(type: "PROGRESS", body: "Bisecting the flake: 7 commits left"),
                Step(type: "FACT", body: "Flake caused by a shared temp dir; fixed with t.TempDir() 🎉"),
                Step(type: "DONE", body: "Integration suite green three runs in a row."),
                Step(type: "RUN_STOP", body: "tester run \(run) stopped with code 0"),
            ]
        case .reviewer:
            return [
                Step(type: "RUN_START", body: "reviewer run \(run) started"),
                Step(type: "PROGRESS", body: "Reviewing PR #\(400 + run): rate limiter (+412 −37)"),
                Step(type: "FACT", body: "bucket.go:88 refills with time.Now() per request; inject a clock for tests"),
                Step(type: "DECISION", body: "Request changes: inject the clock, then approve."),
                Step(type: "INFO", body: "Waiting for the builder to push a fix…"),
                Step(type: "DONE", body: "Approved PR #\(400 + run) after the clock fix. 日本語のコメントも確認しました。"),
                Step(type: "RUN_STOP", body: "reviewer run \(run) stopped with code 0"),
            ]
        }
    }
}
