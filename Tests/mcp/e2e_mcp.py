#!/usr/bin/env python3
"""End-to-end test of `run-agent bus mcp` with the official Python MCP SDK (PyPI package `mcp`).

Usage: e2e_mcp.py RUN_AGENT_BINARY

A client nobody here wrote starts the real binary over stdio and: lists the tools, posts, reads, waits for a
message that another process posts with `run-agent bus post`, answers and reads a thread, subscribes to a
resource and receives the update notification, and gets isError for bad calls; the bus file must then hold
exactly the posted records. Then two MCP servers and two CLI writers post to one bus at once: every message
once, bodies exact. Every wait has a deadline; nothing sleeps to let something happen.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

import anyio
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client

BINARY = os.path.abspath(sys.argv[1])
PROJECT = "demo"
TASK = "task-20261126-090000-api"
DEADLINE = 60  # seconds for any one step; a healthy run takes well under one
CHECKS = []
# The Python SDK 2.x warns that a newer protocol revision replaces resources/subscribe; the server speaks the
# revision the Swift SDK 0.12.1 implements, where it is the way to hear of updates.
warnings.filterwarnings("ignore", message="resources/subscribe")


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    CHECKS.append(what)


def field(value, *names):
    """The first of `names` that `value` has: the SDK's 1.x spells fields in camelCase, 2.x in snake_case."""
    for name in names:
        if hasattr(value, name):
            return getattr(value, name)
    raise AttributeError(f"{type(value).__name__} has none of {names}")


def is_error(result):
    return field(result, "is_error", "isError")


def tool_json(result):
    check(not is_error(result), "tool call succeeded: " + result.content[0].text)
    return json.loads(result.content[0].text)


def file_messages(bus):
    """The messages on the bus, as `run-agent bus read --json` returns them."""
    output = subprocess.run(
        [BINARY, "bus", "read", "--bus", bus, "--json", "--tail", "0"],
        check=True, capture_output=True, text=True, timeout=DEADLINE,
    ).stdout
    return [json.loads(line) for line in output.splitlines() if line]


def server(args, env):
    return StdioServerParameters(command=BINARY, args=["bus", "mcp", *args], env=env)


async def single_agent(folder):
    root = os.path.join(folder, "runs")
    bus = os.path.join(root, PROJECT, TASK, "TASK-MESSAGE-BUS.md")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": folder,
        "JRUN_ID": "run-20261126-090000-claude",
        "JRUN_BUS_FSYNC": "0",
    }
    updates = []
    updated = anyio.Event()

    async def on_message(message):
        notification = getattr(message, "root", message)  # 1.x wraps notifications in a RootModel
        if isinstance(notification, types.ResourceUpdatedNotification):
            updates.append(str(notification.params.uri))
            updated.set()

    params = server(["--root", root, "--project", PROJECT, "--task", TASK], env)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write, message_handler=on_message) as session:
            with anyio.fail_after(DEADLINE):
                await session.initialize()
                tools = await session.list_tools()
            names = [tool.name for tool in tools.tools]
            check(names == ["bus_post", "bus_read", "bus_wait", "bus_thread", "bus_answer"], "five tools listed")
            for tool in tools.tools:
                check(field(tool, "input_schema", "inputSchema").get("type") == "object", f"{tool.name} has an object schema")

            body = "Build passed on linux-x86_64 ✅\n第二行: 日本語と中文\n\n  indented — 👍🏽"
            with anyio.fail_after(DEADLINE):
                posted = tool_json(await session.call_tool("bus_post", {"type": "FACT", "body": body,
                                                                        "meta": {"agent": "claude"}}))
                read_back = tool_json(await session.call_tool("bus_read", {}))
            check(posted["msg_id"].startswith("MSG-"), "bus_post returns a msg_id")
            message = read_back["messages"][-1]
            check(message["body"] == body, "bus_read returns the body byte for byte")
            check(message["project_id"] == PROJECT and message["task_id"] == TASK, "context from the bus path")
            check(message["run_id"] == "run-20261126-090000-claude", "run id from JRUN_ID")
            check(read_back["cursor"] == posted["msg_id"], "cursor is the newest id")

            resources = await session.list_resources()
            uris = [str(resource.uri) for resource in resources.resources]
            check("bus://current" in uris and f"bus://{PROJECT}/{TASK}" in uris, "resources listed under --root")
            with anyio.fail_after(DEADLINE):
                await session.subscribe_resource("bus://current")

            # bus_wait blocks; another process posts with the CLI; the wait returns that message.
            answer_body = "答えは 42 🌏\nsecond line"
            waited = {}

            async def wait_for_answer():
                # since: the cursor of the last read, so a post that lands before the server has read this
                # request is still returned (the way an agent should wait).
                waited.update(tool_json(await session.call_tool(
                    "bus_wait", {"since": read_back["cursor"], "types": ["ANSWER"], "timeout_s": DEADLINE})))

            with anyio.fail_after(DEADLINE):
                async with anyio.create_task_group() as group:
                    group.start_soon(wait_for_answer)
                    await anyio.wait_all_tasks_blocked()
                    await anyio.run_process(
                        [BINARY, "bus", "post", "--bus", bus, "--type", "ANSWER", "--body", answer_body],
                        env={**env, "JRUN_PROJECT_ID": PROJECT},
                    )
                await updated.wait()
            check([m["body"] for m in waited["messages"]] == [answer_body], "bus_wait returns the CLI's post")
            check(waited["timed_out"] is False, "bus_wait did not time out")
            check(updates[0] == "bus://current", "notifications/resources/updated for bus://current")

            with anyio.fail_after(DEADLINE):
                question = tool_json(await session.call_tool("bus_post", {"type": "QUESTION",
                                                                          "body": "Which port?"}))
                reply = tool_json(await session.call_tool("bus_answer", {"msg_id": question["msg_id"],
                                                                         "body": "14355"}))
                thread = tool_json(await session.call_tool("bus_thread", {"msg_id": question["msg_id"]}))
                resource = await session.read_resource("bus://current")
            check(thread["message"]["msg_id"] == question["msg_id"], "bus_thread names the message")
            check([r["message"]["msg_id"] for r in thread["replies"]] == [reply["msg_id"]], "reply in the tree")
            check(thread["replies"][0]["message"]["type"] == "ANSWER", "bus_answer to a QUESTION is an ANSWER")
            listed = json.loads(resource.contents[0].text)["messages"]
            check(listed[-1]["body"] == "14355", "resource read gives the newest messages")

            for name, arguments in [
                ("bus_read", {"limit": 0}),
                ("bus_post", {"body": "x", "type": ""}),
                ("bus_post", {"body": 7}),
                ("bus_wait", {"timeout_s": 301}),
                ("bus_thread", {"msg_id": "MSG-20261126-090000-000000000-PID00001-0001"}),
                ("bus_nope", {}),
            ]:
                with anyio.fail_after(DEADLINE):
                    result = await session.call_tool(name, arguments)
                check(is_error(result) is True, f"isError for {name} {arguments}")
                check("\n" not in result.content[0].text, f"one-line message for {name}")

    expected = [("FACT", body), ("ANSWER", answer_body), ("QUESTION", "Which port?"), ("ANSWER", "14355")]
    check([(m["type"], m["body"]) for m in file_messages(bus)] == expected, "the file holds exactly the posts")


async def concurrent_writers(folder):
    """Two MCP servers and two CLI writers post to one bus at once."""
    bus = os.path.join(folder, "shared", "MESSAGE-BUS.md")
    os.makedirs(os.path.dirname(bus))
    env = {"PATH": os.environ.get("PATH", ""), "HOME": folder, "JRUN_PROJECT_ID": PROJECT, "JRUN_BUS_FSYNC": "0"}
    per_writer = 25
    expected = set()

    async def mcp_writer(name):
        async with stdio_client(server(["--bus", bus], env)) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                for index in range(per_writer):
                    text = f"{name} #{index} 🚀 并发\nline two"
                    expected.add(text)
                    tool_json(await session.call_tool("bus_post", {"type": "PROGRESS", "body": text}))

    async def cli_writer(name):
        for index in range(per_writer):
            text = f"{name} #{index} ✅ 同時\nline two"
            expected.add(text)
            await anyio.run_process([BINARY, "bus", "post", "--bus", bus, "--type", "FACT", "--body", text], env=env)

    with anyio.fail_after(DEADLINE * 3):
        async with anyio.create_task_group() as group:
            group.start_soon(mcp_writer, "mcp-a")
            group.start_soon(mcp_writer, "mcp-b")
            group.start_soon(cli_writer, "cli-a")
            group.start_soon(cli_writer, "cli-b")
    found = [m["body"] for m in file_messages(bus)]
    check(len(found) == 4 * per_writer, f"{4 * per_writer} messages from four concurrent writers")
    check(set(found) == expected and len(set(found)) == len(found), "every message once, bodies exact")
    check(len({m["msg_id"] for m in file_messages(bus)}) == len(found), "ids unique")


async def over_http(folder):
    """`run-agent bus serve --bus` serves the same tools at /mcp (streamable HTTP), behind its token."""
    from mcp.client import streamable_http

    bus = os.path.join(folder, "served", "MESSAGE-BUS.md")
    os.makedirs(os.path.dirname(bus))
    env = {"PATH": os.environ.get("PATH", ""), "HOME": folder, "JRUN_PROJECT_ID": PROJECT, "JRUN_BUS_FSYNC": "0"}
    token = "s3cret-20261126"
    serve = subprocess.Popen(
        [BINARY, "bus", "serve", "--bus", bus, "--port", "0", "--token", token, "--log-level", "error"],
        stdout=subprocess.PIPE, env=env, text=True,
    )
    try:
        url = serve.stdout.readline().strip() + "/mcp"
        check(url.startswith("http://127.0.0.1:"), "serve prints its URL")
        connect = getattr(streamable_http, "streamable_http_client", None)
        if connect is None:  # the 1.x name
            connect = streamable_http.streamablehttp_client
        with anyio.fail_after(DEADLINE):
            async with streamable_http.create_mcp_http_client() as anonymous:
                refused = await anonymous.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
        check(refused.status_code == 401, "/mcp without the token is refused")
        client = streamable_http.create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
        with anyio.fail_after(DEADLINE):
            async with client, connect(url, http_client=client) as streams:
                async with ClientSession(streams[0], streams[1]) as session:
                    await session.initialize()
                    tools = await session.list_tools()
                    check(len(tools.tools) == 5, "five tools over HTTP")
                    body = "over HTTP 🌐\n多行"
                    posted = tool_json(await session.call_tool("bus_post", {"type": "FACT", "body": body}))
                    read_back = tool_json(await session.call_tool("bus_read", {"limit": 5}))
                    check(read_back["messages"][-1]["msg_id"] == posted["msg_id"], "read back over HTTP")
                    bad = await session.call_tool("bus_read", {"limit": 0})
                    check(is_error(bad) is True, "isError over HTTP")
        check([m["body"] for m in file_messages(bus)] == [body], "the served bus holds the HTTP post")
    finally:
        serve.terminate()
        serve.wait(timeout=DEADLINE)
    check(serve.returncode == 0, "serve shuts down gracefully with an MCP session open before")


async def main():
    folder = tempfile.mkdtemp(prefix="run-agent-mcp-e2e-")
    try:
        await single_agent(folder)
        await concurrent_writers(folder)
        await over_http(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    try:
        anyio.run(main)
    except BaseException as error:  # noqa: BLE001 - report any failure as one line and exit non-zero
        print(f"mcp e2e: FAILED after {len(CHECKS)} checks: {error!r}", file=sys.stderr)
        sys.exit(1)
    print(f"mcp e2e: {len(CHECKS)} passed, 0 failed")
