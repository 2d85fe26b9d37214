internal import BusCore

extension MonitorModel {
    /// The one source id a remote bus has in the store (the server merges and orders for it).
    static let remoteSource: Int32 = 0

    /// Applies one event of a remote bus: messages as a tailer's, updates as its revisions, and the stream's
    /// state for the status bar.
    mutating func apply(_ event: MonitorRemoteEvent) {
        switch event {
        case .messages(let messages):
            ingest(messages, source: Self.remoteSource)
        case .update(let message):
            revise([message], source: Self.remoteSource)
        case .connected:
            reconnecting = nil
        case .reconnecting(let reason):
            reconnecting = reason
        case .notice(let text):
            notice = text
        }
    }
}
