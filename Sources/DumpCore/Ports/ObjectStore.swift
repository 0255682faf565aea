/// An object as the staging store holds it.
public struct StoredObject: Sendable, Hashable {
    /// The git blob id of the content.
    public var id: ObjectID
    /// The content size in bytes.
    public var size: UInt64
    /// True when this call stored it; false when the store already had it.
    public var isNew: Bool

    public init(id: ObjectID, size: UInt64, isNew: Bool) {
        self.id = id
        self.size = size
        self.isNew = isNew
    }
}

/// Read access to stored objects in their stored (deflated) form, as the git side needs them.
public protocol DeflatedObjectSource: Sendable {
    /// The path of the file that holds exactly one zlib stream of the object's content.
    func deflatedObjectPath(for id: ObjectID) throws -> String
}

/// Whether a store holds an object (to choose between copying its stream and another way).
public protocol BlobPresence {
    func contains(_ id: ObjectID) -> Bool
}
