internal import MCP

/// The five tools, each with the JSON Schema of its input and a description an agent can act on.
enum ToolCatalog {
    static let post = "bus_post"
    static let read = "bus_read"
    static let wait = "bus_wait"
    static let thread = "bus_thread"
    static let answer = "bus_answer"

    /// Most messages one `bus_read` returns, and how many without `limit`.
    static let maxReadLimit = 500
    static let defaultReadLimit = 20
    /// Longest `bus_wait`, in seconds (clients time calls out; 300 s stays under the usual limits), and the
    /// wait without `timeout_s`.
    static let maxWaitSeconds = 300.0
    static let defaultWaitSeconds = 60.0

    static var tools: [Tool] { [postTool, readTool, waitTool, threadTool, answerTool] }

    private static let messageShape =
        "Each message is {msg_id, timestamp, type, project_id, task_id?, run_id?, issue_id?, parents?, links?, "
        + "meta?, body}."

    static let postTool = Tool(
        name: post,
        description: """
            Post a message to the shared message bus that the other agents read. Use a short upper-case type: \
            FACT (something you found), PROGRESS, DECISION, QUESTION (then wait for an ANSWER with bus_wait), \
            DONE, ERROR. project_id, task_id and run_id default to your own context. Returns {msg_id, \
            timestamp}; pass msg_id as a parent of later messages to make a thread.
            """,
        inputSchema: schema(
            required: ["type", "body"],
            [
                "type": stringProperty(
                    "Message type, e.g. FACT, PROGRESS, DECISION, QUESTION, ANSWER, DONE."
                ),
                "body": stringProperty("The message text (UTF-8; several lines allowed; at most 1 MiB by default)."),
                "parents": stringList("msg_ids this message replies to or follows from."),
                "meta": [
                    "type": "object", "additionalProperties": ["type": "string"],
                    "description": "Extra string fields, e.g. {\"agent\": \"claude\"}.",
                ],
                "task_id": stringProperty("Task id to file the message under (default: your task)."),
            ]
        ),
        annotations: .init(destructiveHint: false, idempotentHint: false, openWorldHint: false)
    )

    static let readTool = Tool(
        name: read,
        description: """
            Read messages from the bus, oldest first. Without since: the newest `limit` matching messages. With \
            since (a msg_id, usually the cursor of your last read): the first `limit` matching messages after it. \
            Returns {messages, cursor}; pass cursor as since next time to get only what is new. \
            \(messageShape)
            """,
        inputSchema: schema(
            required: [],
            [
                "since": stringProperty("Return messages after this msg_id (the cursor of an earlier call)."),
                "limit": [
                    "type": "integer", "minimum": 1, "maximum": .int(maxReadLimit),
                    "description": .string(
                        "Most messages to return (default \(defaultReadLimit), max \(maxReadLimit))."
                    ),
                ],
                "types": stringList("Only these message types, e.g. [\"QUESTION\", \"DECISION\"]."),
                "task_id": stringProperty("Only messages of this task."),
                "text": stringProperty("Only messages whose body contains this text (any case)."),
            ]
        ),
        annotations: .init(readOnlyHint: true)
    )

    static let waitTool = Tool(
        name: wait,
        description: """
            Block until a matching message is appended to the bus, then return it and any others that arrived \
            (oldest first), or an empty list when timeout_s passes. Without since it waits for messages posted \
            after the call; with since it first returns any matching messages after that msg_id. Returns \
            {messages, cursor, timed_out}. \(messageShape)
            """,
        inputSchema: schema(
            required: [],
            [
                "since": stringProperty("Wait for messages after this msg_id (default: the newest message now)."),
                "types": stringList("Only wake for these message types, e.g. [\"ANSWER\"]."),
                "task_id": stringProperty("Only wake for messages of this task."),
                "timeout_s": [
                    "type": "number", "minimum": 0, "maximum": .double(maxWaitSeconds),
                    "description": .string(
                        "Seconds to wait before returning an empty list (default \(Int(defaultWaitSeconds)), "
                            + "max \(Int(maxWaitSeconds)))."
                    ),
                ],
            ]
        ),
        annotations: .init(readOnlyHint: true)
    )

    static let threadTool = Tool(
        name: thread,
        description: """
            Show the conversation around a message: its ancestors (the messages it names as parents, and \
            theirs, oldest first) and its replies (messages that name it as a parent), as a tree. Returns \
            {ancestors, message, replies: [{message, replies}]}.
            """,
        inputSchema: schema(required: ["msg_id"], ["msg_id": stringProperty("The message whose thread to show.")]),
        annotations: .init(readOnlyHint: true)
    )

    static let answerTool = Tool(
        name: answer,
        description: """
            Reply to a message: posts body with the message as its parent. The type is ANSWER when the message \
            is a QUESTION, else FACT, unless you give one. Returns {msg_id, timestamp}.
            """,
        inputSchema: schema(
            required: ["msg_id", "body"],
            [
                "msg_id": stringProperty("The message to reply to."),
                "body": stringProperty("The reply text."),
                "type": stringProperty("Message type (default ANSWER for a QUESTION, else FACT)."),
            ]
        ),
        annotations: .init(destructiveHint: false, idempotentHint: false, openWorldHint: false)
    )

    /// The argument names each tool accepts (the schema's properties).
    static func argumentNames(of tool: Tool) -> Set<String> {
        Set(tool.inputSchema.objectValue?["properties"]?.objectValue?.keys.map { $0 } ?? [])
    }

    private static func schema(required: [String], _ properties: [String: Value]) -> Value {
        [
            "type": "object",
            "properties": .object(properties),
            "required": .array(required.map { .string($0) }),
            "additionalProperties": false,
        ]
    }

    private static func stringProperty(_ description: String) -> Value {
        ["type": "string", "description": .string(description)]
    }

    private static func stringList(_ description: String) -> Value {
        ["type": "array", "items": ["type": "string"], "description": .string(description)]
    }
}
