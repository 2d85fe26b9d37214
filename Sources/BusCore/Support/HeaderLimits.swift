/// Documented limits on what a message header may carry.
///
/// They keep every record readable (the scanner gives up on headers over 1000 lines or 256 KiB and reports them
/// as malformed) and keep `post` fast: the argument parser's cost grows with the square of repeated options.
package enum HeaderLimits {
    /// Most `meta` entries in one message.
    package static let maxMetaPairs = 256
    /// Most bytes of header fields (type, ids, parents, links, meta keys and values) in one message.
    package static let maxHeaderBytes = 64 * 1024

    /// Bytes of the header fields of `draft`, as they will be written (before YAML quoting).
    package static func fieldBytes(of draft: MessageDraft) -> Int {
        var total = 0
        for text in [draft.type, draft.projectID, draft.taskID, draft.runID, draft.issueID] { total += text.utf8.count }
        for parent in draft.parents {
            total += parent.msgID.utf8.count + parent.kind.utf8.count
            for (key, value) in parent.meta { total += key.utf8.count + value.utf8.count }
        }
        for link in draft.links { total += link.url.utf8.count + link.label.utf8.count + link.kind.utf8.count }
        for (key, value) in draft.meta { total += key.utf8.count + value.utf8.count }
        return total
    }

    /// Refuses a message over either limit.
    /// - Throws: `BusError.invalidMessage` naming the limit and the bus.
    package static func check(_ draft: MessageDraft, path: String) throws(BusError) {
        if draft.meta.count > maxMetaPairs {
            throw .invalidMessage("\(draft.meta.count) meta pairs, at most \(maxMetaPairs)", path: path)
        }
        let bytes = fieldBytes(of: draft)
        if bytes > maxHeaderBytes {
            throw .invalidMessage("header fields take \(bytes) bytes, at most \(maxHeaderBytes) bytes", path: path)
        }
    }
}
