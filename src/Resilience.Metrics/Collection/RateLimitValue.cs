namespace Resilience.Metrics;

/// <summary>The latest value of one rate-limit kind: -1 for a field the provider never sent.</summary>
internal readonly record struct RateLimitValue(long Limit, long Remaining, long ResetUtcTicks, long ObservedUtcTicks);
