import BusCore
import BusRemote

/// The arguments of `post` as plain values, and the post itself.
///
/// `PostCommand` (ArgumentParser) fills them for help, errors and every unusual shape; `parseCommon` fills them
/// by hand for the shapes agents use, because ArgumentParser's reflection (conformance scans, `Mirror`, generic
/// metadata) is about two thirds of the instructions a whole `post` process runs (callgrind), and agents run
/// `post` once per message. A test checks that both parsers agree on every shape the fast one accepts.
struct PostArguments: Equatable {
    var location = BusLocation()
    var server: String?
    var token: String?
    var type = "INFO"
    var body: String?
    var runID: String?
    var issue: String?
    var parents: [String] = []
    var meta: [String] = []
    var noFsync = false

    /// The options that take a value, by long name.
    private enum Valued: String {
        case bus, project, task, root, server, token, type, body, run, issue, parent, meta

        /// Options that may be given more than once (each adds an entry).
        var repeatable: Bool { self == .parent || self == .meta }
    }

    /// Parses `--name value`, `--name=value` and `--no-fsync`, each single-valued option at most once.
    ///
    /// - Returns: nil for anything else (help, a positional word, a short or unknown flag, a repeated option, a
    ///   missing value, a value starting with `-`, a `--meta` without `key=`): ArgumentParser then parses it, so
    ///   usage and errors read the same on both paths.
    static func parseCommon(_ arguments: [String]) -> PostArguments? {
        var parsed = PostArguments()
        var seen: Set<String> = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else { return nil }
            var name = Substring(argument.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = name[..<equals]
            }
            guard seen.insert(String(name)).inserted || Valued(rawValue: String(name))?.repeatable == true else {
                return nil
            }
            if name == "no-fsync", value == nil {
                parsed.noFsync = true
                continue
            }
            guard let option = Valued(rawValue: String(name)) else { return nil }
            if value == nil, index < arguments.count {
                value = arguments[index]
                index += 1
            }
            guard let value, !value.hasPrefix("-") else { return nil }
            parsed.set(option, value)
        }
        return parsed.malformedMeta == nil ? parsed : nil
    }

    private mutating func set(_ option: Valued, _ value: String) {
        switch option {
        case .bus: location.bus = value
        case .project: location.project = value
        case .task: location.task = value
        case .root: location.root = value
        case .server: server = value
        case .token: token = value
        case .type: type = value
        case .body: body = value
        case .run: runID = value
        case .issue: issue = value
        case .parent: parents.append(value)
        case .meta: meta.append(value)
        }
    }

    /// The first `--meta` entry that is not `key=value`, if any.
    var malformedMeta: String? { meta.first { !$0.contains("=") || $0.hasPrefix("=") } }

    /// `--meta k=v` entries as a map.
    var metadata: [String: String] {
        var metadata: [String: String] = [:]
        for entry in meta {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            metadata[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return metadata
    }
}

extension PostArguments {
    /// Posts the message: to the server when one is chosen, else through the locked writer; prints its msg_id.
    func run() throws {
        let environment = ProcessEnvironment.current()
        if let remote = ServerOptions.remote(server: server, token: token, environment: environment) {
            return try postRemotely(remote, environment: environment)
        }
        try reportingErrors { () throws(BusError) in
            let path = try location.writePath(environment: environment)
            let text = try messageBody()
            var options = try WriterOptions.fromEnvironment(environment)
            if noFsync { options.fsync = false }
            let draft = self.draft(body: text, context: location.context(ofBus: path, environment: environment))
            let receipt = try LocalPost(path: path, location: location, options: options)
                .post(draft, environment: environment)
            if let slow = LockWaitReport.message(receipt.lockWait, path: path) { Terminal.warning(slow) }
            if let repair = receipt.repair { Terminal.warning("\(repair) (\(path))") }
            for message in receipt.messages { Terminal.out("msg_id: \(message.msgID)\n") }
        }
    }

    /// `post --server`: the same message through `POST /api/bus`; the server fills in what the bus implies.
    private func postRemotely(_ remote: RemoteBus, environment: [String: String]) throws {
        var text = ""
        try reportingErrors { () throws(BusError) in text = try messageBody() }
        // No bus path here to infer a project or task from: the server does that for the file it picks.
        let context = PostContext(
            projectID: location.project ?? environment["JRUN_PROJECT_ID"] ?? "",
            taskID: location.task ?? environment["JRUN_TASK_ID"] ?? "",
            runID: environment["JRUN_ID"] ?? ""
        )
        let draft = self.draft(body: text, context: context)
        try reportingRemoteErrors { () throws(RemoteError) in
            let id = try BlockingTask.value { () throws(RemoteError) in try await remote.post(RemotePost(draft: draft))
            }
            Terminal.out("msg_id: \(id)\n")
        }
    }

    /// `--body`, else all of stdin; the raw arguments are checked as UTF-8 first.
    private func messageBody() throws(BusError) -> String {
        try PostCommand.requireUTF8Arguments()
        if let body { return body }
        return try PostCommand.readStandardInput()
    }

    /// The message these arguments describe, `context` filling in what the flags leave out.
    private func draft(body: String, context: PostContext) -> MessageDraft {
        MessageDraft(
            type: type,
            projectID: context.projectID,
            taskID: context.taskID,
            runID: runID ?? context.runID,
            issueID: issue ?? "",
            parents: parents.map { BusParent(msgID: $0) },
            meta: metadata,
            body: body
        )
    }
}
