namespace Resilience.Metrics;

/// <summary>
/// Per-backend settings the collector needs to keep and report a backend's figures, with their defaults and bounds:
/// the one place they are written. <c>AddApiMonitoring</c> builds it from <c>ApiMonitoringOptions</c>, whose options
/// of the same names take their defaults and bounds from here; a registration is only ever made from options
/// <c>OptionRules</c> has checked, so the collector does not check it again.
/// </summary>
internal sealed record BackendRegistration
{
    /// <summary>Traces and circuit changes kept per backend by default.</summary>
    public const int DefaultMetricsWindowSize = 1000;

    /// <summary>At most: 100,000 traces are a few tens of MiB.</summary>
    public const int MaxMetricsWindowSize = 100_000;

    /// <summary>Percentiles a report shows, at most.</summary>
    public const int MaxLatencyPercentiles = 32;

    /// <summary>The failure threshold shown for a backend whose breaker did not say.</summary>
    public const int DefaultFailureThreshold = 5;

    /// <summary>Models a price table may name.</summary>
    public const int MaxPricedModels = 1_000;

    /// <summary>USD per million tokens: far above any real price, so a price in the wrong unit fails.</summary>
    public const double MaxPricePerMillion = 10_000;

    // A timer's period tops out at about 49.7 days; a reset more often than once a second is no monitoring window.
    public const string MinResetIntervalText = "00:00:01";
    public const string MaxResetIntervalText = "30.00:00:00";

    /// <summary>The latency percentiles reports show by default.</summary>
    public static IReadOnlyList<double> DefaultLatencyPercentiles { get; } = [50, 90, 95, 99];

    /// <summary>How many request traces and circuit state changes the backend keeps (ring buffers). Default 1000.</summary>
    public int MetricsWindowSize { get; init; } = DefaultMetricsWindowSize;

    /// <summary>When set, everything recorded for the backend is reset at this interval (the live queue and circuit state stay).</summary>
    public TimeSpan? MetricsResetInterval { get; init; }

    /// <summary>When true, a latency histogram is kept per model, so model reports carry percentiles too.</summary>
    public bool DetailedLatency { get; init; }

    /// <summary>The latency percentiles reports show. Default 50, 90, 95, 99.</summary>
    public IReadOnlyList<double> LatencyPercentiles { get; init; } = DefaultLatencyPercentiles;

    /// <summary>The circuit breaker's failure threshold, shown as <c>failure_threshold</c>. Default 5.</summary>
    public int FailureThreshold { get; init; } = DefaultFailureThreshold;

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
