namespace Resilience.Metrics;

/// <summary>A streamed body's timing: time to its first chunk, and the mean time between its chunks after that.</summary>
internal readonly record struct StreamTimes(TimeSpan? FirstChunk, TimeSpan? PerChunk);
