namespace Resilience.Metrics;

/// <summary>Cumulative totals at one moment (a <see cref="TimeProvider"/> timestamp).</summary>
internal readonly record struct ThroughputSample(long Timestamp, long Requests, long PromptTokens, long CompletionTokens);
