import BusTestSupport
import Foundation
import Testing

@testable import BusCore

/// A unique folder under the temporary directory, removed when the test is done.
final class TempDirectory: Sendable {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bus-core-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs `body` with a fresh temporary folder and removes it afterwards.
func withTempDirectory<T>(_ body: (TempDirectory) throws -> T) throws -> T {
    let directory = try TempDirectory()
    defer { directory.remove() }
    return try body(directory)
}

/// The bytes of a file.
func readBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Replaces a file's content.
func writeBytes(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Appends bytes to a file (which must exist).
func appendBytes(_ path: String, _ bytes: [UInt8]) throws {
    let handle = try Foundation.FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(bytes))
}

/// A message draft from one object of `posted.jsonl`.
func draft(fromJSON object: [String: Any]) -> MessageDraft {
    let parents = (object["parents"] as? [[String: Any]] ?? []).map { parent in
        BusParent(
            msgID: parent["msg_id"] as? String ?? "",
            kind: parent["kind"] as? String ?? "",
            meta: parent["meta"] as? [String: String] ?? [:]
        )
    }
    let links = (object["links"] as? [[String: Any]] ?? []).map { link in
        BusLink(
            url: link["url"] as? String ?? "",
            label: link["label"] as? String ?? "",
            kind: link["kind"] as? String ?? ""
        )
    }
    return MessageDraft(
        type: object["type"] as? String ?? "",
        projectID: object["project_id"] as? String ?? "",
        taskID: object["task_id"] as? String ?? "",
        runID: object["run_id"] as? String ?? "",
        issueID: object["issue_id"] as? String ?? "",
        parents: parents,
        links: links,
        meta: object["meta"] as? [String: String] ?? [:],
        body: object["body"] as? String ?? ""
    )
}

/// The body as every reader returns it: one trailing line break (`\n`, `\r\n` or `\r`) dropped.
func withoutOneLineBreak(_ body: String) -> String {
    String(decoding: BodyCodec.trimmingOneLineBreak(Array(body.utf8)[...]), as: UTF8.self)
}
