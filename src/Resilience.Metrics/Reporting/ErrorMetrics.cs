namespace Resilience.Metrics;

/// <summary>Error figures.</summary>
public sealed record ErrorMetrics
{
    /// <summary>Failed requests divided by requests.</summary>
    public double ErrorRate { get; init; }

    /// <summary>Failed requests.</summary>
    public long TotalErrors { get; init; }

    /// <summary>Errors by type (exception type name or status code), failed attempts that were retried included.</summary>
    public required IReadOnlyDictionary<string, long> ErrorTypes { get; init; }

    /// <summary>Errors by category; every one of the seven categories is present.</summary>
    public required IReadOnlyDictionary<string, long> ErrorCategories { get; init; }

    /// <summary>The most frequent error type, or null when there was none.</summary>
    public string? MostCommonError { get; init; }
}
