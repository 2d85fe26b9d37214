import ArgumentParser
import BusCore
import Testing

@testable import BusCLI

/// `post`'s hand parser (the start-up fast path of issue 8, target 5) and ArgumentParser's `PostCommand` read every
/// shape the hand parser accepts the same way; every other shape is left to ArgumentParser.
@Suite struct PostArgumentsTests {
    static let accepted: [[String]] = [
        ["--project", "p", "--type", "FACT", "--body", "Build passed on linux-x86_64"],
        ["--bus", "/runs/p/PROJECT-MESSAGE-BUS.md", "--body=multi\nline body", "--no-fsync"],
        [
            "--project", "p", "--task", "task-20261126-090000-api", "--run", "run-7", "--issue", "ISSUE-12", "--root",
            "/r",
        ],
        ["--type", "DONE", "--parent", "MSG-20261126-090000-000000001-PID00042-0001", "--parent", "MSG-2"],
        ["--meta", "agent=claude", "--meta", "source=manual", "--meta", "empty=", "--meta", "k=v=w"],
        ["--server", "http://127.0.0.1:14355", "--token", "secret", "--body", "remote"],
        ["--body", "emoji 🎉 and 日本語", "--type=QUESTION", "--project=p"],
        ["--body", ""],
        [],
    ]

    static let leftToArgumentParser: [[String]] = [
        ["--help"], ["-h"], ["help"], ["--body", "-starts with a dash"], ["--body=-x"], ["--type", "A", "--type", "B"],
        ["--meta", "novalue"], ["--meta", "=v"], ["--unknown", "x"], ["--no-fsync=yes"], ["--no-fsync", "--no-fsync"],
        ["--body"], ["positional"], ["--"], ["-t", "FACT"], ["--project", "p", "--project", "q"],
    ]

    @Test(arguments: accepted)
    func theHandParserAgreesWithArgumentParser(_ arguments: [String]) throws {
        let fast = try #require(PostArguments.parseCommon(arguments), "\(arguments) should take the fast path")
        let slow = try PostCommand.parse(arguments).arguments
        #expect(fast == slow)
    }

    @Test(arguments: leftToArgumentParser)
    func otherShapesGoThroughArgumentParser(_ arguments: [String]) {
        #expect(PostArguments.parseCommon(arguments) == nil, "\(arguments)")
    }

    /// Every long option `post` declares is one the hand parser knows: a new option added to `PostCommand` alone
    /// would quietly send every post that uses it down the slow path.
    @Test func everyOptionOfPostIsKnownToTheHandParser() throws {
        // The OPTIONS section: one line per option, its name first.
        let help = PostCommand.helpMessage(columns: 200)
        let names = help.split(separator: "\n").map { $0.drop { $0 == " " } }
            .filter { $0.hasPrefix("--") }
            .compactMap { $0.split(separator: " ").first }
            .filter { $0 != "--version" }
        #expect(names.count == 13, "\(names)")
        for name in Set(names) {
            let shape = name == "--no-fsync" ? [String(name)] : [String(name), "value=1"]
            #expect(PostArguments.parseCommon(shape) != nil, "\(name) is not parsed by PostArguments.parseCommon")
        }
    }
}
