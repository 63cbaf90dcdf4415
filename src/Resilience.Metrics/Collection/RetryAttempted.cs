namespace Resilience.Metrics;

/// <summary>An attempt failed and is about to be retried.</summary>
/// <param name="Backend">The backend the request went to.</param>
public readonly record struct RetryAttempted(BackendKey Backend)
{
    /// <summary>The model, when known.</summary>
    public string? Model { get; init; }

    /// <summary>The number of the retry (1 for the first retry).</summary>
    public int AttemptNumber { get; init; }

    /// <summary>The delay before the retry.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>The category of the failed attempt's error.</summary>
    public ErrorCategory ErrorCategory { get; init; }

    /// <summary>The failed attempt's error type.</summary>
    public string? ErrorType { get; init; }
}
