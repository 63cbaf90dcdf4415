using System.Collections.Concurrent;

namespace Resilience.Metrics.Simulation.Protocols;

/// <summary>State shared by all the routes of one server.</summary>
internal sealed class ServerState(TimeProvider time)
{
    private long _nextId;

    public TimeProvider Time { get; } = time;

    /// <summary>S3 objects by bucket, then key.</summary>
    public ConcurrentDictionary<string, ConcurrentDictionary<string, StoredObject>> Buckets { get; } = new(StringComparer.Ordinal);

    public long NextId() => Interlocked.Increment(ref _nextId);
}

/// <summary>An S3 object.</summary>
internal sealed record StoredObject(byte[] Content, string ContentType, string ETag, DateTimeOffset LastModified);
