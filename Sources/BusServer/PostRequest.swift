import BusCore

/// The body of a post: `{type?, body, project_id?, task_id?, run_id?, issue_id?, parents?, meta?, links?}`.
///
/// Strict: malformed JSON, an unknown field or a field of the wrong type is refused naming the field, so a
/// client's typo (`"parent"` for `"parents"`) is not silently dropped.
struct PostRequest: Equatable {
    var type: String?
    var body: String
    var projectID: String?
    var taskID: String?
    var runID: String?
    var issueID: String?
    var parents: [BusParent]
    var links: [BusLink]
    var meta: [String: String]

    static let fields: Set<String> = [
        "type", "body", "project_id", "task_id", "run_id", "issue_id", "parents", "meta", "links",
    ]

    /// - Throws: `APIError.badRequest` naming the field or the JSON syntax error.
    static func parse(_ bytes: [UInt8]) throws(APIError) -> PostRequest {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw .badRequest("request body: \(error)")
        }
        do throws(JSONFieldError) {
            let object = try JSONObjectReader(value)
            try object.rejectUnknown(fields)
            return PostRequest(
                type: try object.string("type"),
                body: try object.requiredString("body"),
                projectID: try object.string("project_id"),
                taskID: try object.string("task_id"),
                runID: try object.string("run_id"),
                issueID: try object.string("issue_id"),
                parents: try MessageJSON.parents(object, strict: true),
                links: try MessageJSON.links(object, strict: true),
                meta: try object.stringMap("meta") ?? [:]
            )
        } catch {
            throw .badRequest("request body: \(error)")
        }
    }

    /// The draft to write, with the route's project and task (which win over the body's; a different value in
    /// the body is refused) and the route's default type.
    func draft(scope: BusScope, inferred: BusScope, defaultType: String) throws(APIError) -> MessageDraft {
        if let routeProject = scope.project, let projectID, projectID != routeProject {
            throw .badRequest("field 'project_id': \(projectID) differs from the project in the path, \(routeProject)")
        }
        if let routeTask = scope.task, let taskID, taskID != routeTask {
            throw .badRequest("field 'task_id': \(taskID) differs from the task in the path, \(routeTask)")
        }
        return MessageDraft(
            type: type ?? defaultType,
            projectID: scope.project ?? projectID ?? inferred.project ?? "",
            taskID: scope.task ?? taskID ?? inferred.task ?? "",
            runID: runID ?? "",
            issueID: issueID ?? "",
            parents: parents,
            links: links,
            meta: meta,
            body: body
        )
    }
}
