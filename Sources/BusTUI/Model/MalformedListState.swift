/// What the event loop must read for the malformed-records overlay: the first bytes of one record.
struct RecordBytesRequest: Sendable, Equatable {
    /// At most this many bytes of a record are read and shown: enough to see what went wrong, and a record
    /// that swallowed megabytes of a file costs no more than this.
    static let readCap = 64 * 1024

    var key: MalformedKey
    var path: String
    var offset: Int
    /// Bytes to read: the record's length, capped at `readCap`.
    var count: Int
}

/// The raw bytes of a record as the live layer read them (`pread`), or why they could not be read.
enum RecordBytes: Sendable, Equatable {
    /// The bytes read, and how many were asked for (fewer came back when the file is shorter now).
    case loaded([UInt8], requested: Int)
    case failed(String)
}

/// The malformed-records overlay (`!`): which record is selected, and the raw-bytes pane below the list.
struct MalformedListState: Sendable, Equatable {
    /// The selected record; kept by key so records that arrive or go while the overlay is open do not move it.
    var selected: MalformedKey?
    /// First list position shown.
    var top = 0
    var bytesOpen = false
    /// The bytes read for `bytesKey` (nil until the live layer answers).
    var bytes: RecordBytes?
    var bytesKey: MalformedKey?
    var bytesScroll = 0
    /// The pane's lines, wrapped once per record, answer and width rather than per frame.
    var pane: MalformedPaneCache?
}

/// The raw-bytes pane's lines for one record, one answer and one width.
struct MalformedPaneCache: Sendable, Equatable {
    var key: MalformedKey
    var width: Int
    var bytes: RecordBytes?
    var lines: [DisplayLine]
}
