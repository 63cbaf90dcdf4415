namespace Resilience.Metrics;

/// <summary>How a request ended, taken from its outcome and context (which a streamed body outlives).</summary>
internal readonly record struct RequestEnding(int? StatusCode, Exception? Exception, bool Failed, bool CallerCancelled, int Attempts, TimeSpan QueueTime);
