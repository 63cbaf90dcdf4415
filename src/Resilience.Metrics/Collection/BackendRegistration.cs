namespace Resilience.Metrics;

/// <summary>
/// Per-backend settings the collector needs to keep and report a backend's figures. <c>AddApiMonitoring</c> builds it
/// from <see cref="ApiMonitoringOptions"/>, whose defaults are its defaults too.
/// </summary>
public sealed record BackendRegistration
{
    /// <summary>How many request traces and circuit state changes the backend keeps (ring buffers). Default 1000.</summary>
    public int MetricsWindowSize { get; init; } = ApiMonitoringOptions.Defaults.MetricsWindowSize;

    /// <summary>When set, everything recorded for the backend is reset at this interval (the live queue and circuit state stay).</summary>
    public TimeSpan? MetricsResetInterval { get; init; }

    /// <summary>When true, a latency histogram is kept per model, so model reports carry percentiles too.</summary>
    public bool DetailedLatency { get; init; }

    /// <summary>The latency percentiles reports show. Default 50, 90, 95, 99.</summary>
    public IReadOnlyList<double> LatencyPercentiles { get; init; } = ApiMonitoringOptions.DefaultLatencyPercentiles;

    /// <summary>The circuit breaker's failure threshold, shown as <c>failure_threshold</c>. Default 5.</summary>
    public int FailureThreshold { get; init; } = ApiMonitoringOptions.Defaults.CircuitBreaker.FailureThreshold;

    /// <summary>The OpenTelemetry <c>gen_ai.provider.name</c> of the backend (<c>openai</c>, <c>anthropic</c>, ...), or null when it is no GenAI API.</summary>
    public string? GenAiProviderName { get; init; }

    /// <summary>The OpenTelemetry <c>gen_ai.operation.name</c> of its requests (<c>chat</c>, <c>embeddings</c>, ...). Default <c>chat</c>.</summary>
    public string? GenAiOperationName { get; init; }

    /// <summary>
    /// Prices by model name (USD per million tokens), or null for no cost figures. Matched exactly, then by the longest
    /// name a model begins with. Read when the backend registers; change it by registering again.
    /// </summary>
    public IReadOnlyDictionary<string, ModelPrice>? Pricing { get; init; }
}
