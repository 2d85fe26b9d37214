import BusTestSupport
import Foundation
import Testing

/// `post/read/poll --server`: the CLI against a live server, same output and exit codes as on the file.
@Suite struct ServerClientTests {
    @Test func postReadAndPollThroughTheServer() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let server = try ServedBus(sandbox, ["--bus", bus, "--no-fsync"])
            let posted = try sandbox.bus(
                [
                    "post", "--server", server.url, "--project", "p", "--type", "FACT", "--meta", "k=v", "--body",
                    "over http",
                ]
            )
            #expect(posted.status == 0, "\(posted.stderr)")
            let id = try #require(posted.postedID)
            _ = try sandbox.bus(
                ["post", "--project", "p", "--body", "second"],
                environment: ["JRUN_BUS_SERVER": server.url]
            )

            for format in [[], ["--json"]] {
                let local = try sandbox.bus(["read", "--bus", bus] + format)
                let remote = try sandbox.bus(["read", "--server", server.url] + format)
                #expect(remote.status == 0, "\(remote.stderr)")
                #expect(remote.stdout == local.stdout)
                #expect(local.stdout.contains("over http"))
            }
            let since = try sandbox.bus(["read", "--server", server.url, "--since", id])
            #expect(since.stdout.hasSuffix("(INFO) second\n") && !since.stdout.contains("over http"))

            let unknown = try sandbox.bus(["read", "--server", server.url, "--since", "MSG-NOPE"])
            #expect(unknown.status == 65 && unknown.stderr.contains("MSG-NOPE"))
            let pollUnknown = try sandbox.bus(["poll", "--server", server.url, "--since", "MSG-NOPE", "--timeout", "1"])
            #expect(pollUnknown.status == 65)

            let ready = try sandbox.bus(["poll", "--server", server.url, "--since", id, "--timeout", "5"])
            #expect(ready.status == 0 && ready.stdout.hasSuffix("(INFO) second\n"))
            let last = try #require(
                try sandbox.bus(["read", "--bus", bus, "--json"]).jsonObjects().last?["msg_id"] as? String
            )
            let timedOut = try sandbox.bus(["poll", "--server", server.url, "--since", last, "--timeout", "0.3"])
            #expect(timedOut.status == 124 && timedOut.stdout.isEmpty)

            // A poll that waits is woken by a post.
            let waiting = try sandbox.start(
                Binary.path,
                ["bus", "poll", "--server", server.url, "--since", last, "--timeout", "30"]
            )
            _ = try sandbox.post(bus, "wake up")
            #expect(waiting.waitForExit(timeout: .seconds(30)))
            #expect(waiting.process.terminationStatus == 0)
            #expect(waiting.stdout.hasSuffix("(FACT) wake up\n"))

            let wrongToken = try sandbox.bus(["read", "--server", server.url, "--token", "x"])
            #expect(wrongToken.status == 0, "no token configured: any token is accepted")
            let unreachable = try sandbox.bus(
                ["read", "--server", "http://127.0.0.1:1"],
                environment: ["JRUN_BUS_SERVER_TIMEOUT": "1"]
            )
            #expect(unreachable.status == 69)
        }
    }

    @Test func tokenFromTheEnvironmentAndExitCodeOfARefusal() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            let server = try ServedBus(sandbox, ["--bus", bus, "--no-fsync", "--token", "t0k"])
            let refused = try sandbox.bus(["post", "--server", server.url, "--project", "p", "--body", "x"])
            #expect(refused.status == 77 && refused.stderr.contains("token"))
            let accepted = try sandbox.bus(
                ["post", "--server", server.url, "--project", "p", "--body", "x"],
                environment: ["JRUN_API_TOKEN": "t0k"]
            )
            #expect(accepted.status == 0, "\(accepted.stderr)")
        }
    }

    @Test func followingClientReconnectsAcrossARestartAndMissesNothing() throws {
        try withSandbox { sandbox in
            let bus = sandbox.file("bus.md")
            var server = try ServedBus(sandbox, ["--bus", bus, "--no-fsync"])
            let port = try #require(server.url.split(separator: ":").last.map(String.init))
            _ = try sandbox.post(bus, "before")
            let follower = try sandbox.start(Binary.path, ["bus", "read", "--follow", "--server", server.url])
            defer { follower.kill() }
            #expect(waitUntil(deadline: .seconds(20)) { follower.stdout.contains("before") })
            _ = try sandbox.post(bus, "live one")
            #expect(waitUntil(deadline: .seconds(20)) { follower.stdout.contains("live one") })

            #expect(server.stop(signal: SIGKILL) != nil)
            // Written while no server runs: the follower must get them after it reconnects.
            _ = try sandbox.post(bus, "while down 1")
            _ = try sandbox.post(bus, "while down 2")
            #expect(waitUntil(deadline: .seconds(20)) { follower.stderr.contains("reconnecting") })
            server = try ServedBus(sandbox, ["--bus", bus, "--no-fsync", "--port", port])
            _ = try sandbox.post(bus, "after restart")
            #expect(waitUntil(deadline: .seconds(30)) { follower.stdout.contains("after restart") })
            let bodies = follower.stdout.split(separator: "\n").map {
                $0.split(separator: ") ", maxSplits: 1).last ?? ""
            }
            #expect(bodies == ["before", "live one", "while down 1", "while down 2", "after restart"])
        }
    }
}
