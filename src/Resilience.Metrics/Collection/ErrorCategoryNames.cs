namespace Resilience.Metrics;

/// <summary>Names of <see cref="ErrorCategory"/> values as the reports print them.</summary>
internal static class ErrorCategoryNames
{
    /// <summary>Every category an error can have, in the guide's order.</summary>
    public static IReadOnlyList<ErrorCategory> All { get; } =
    [
        ErrorCategory.RateLimiting, ErrorCategory.Authentication, ErrorCategory.InvalidRequest,
        ErrorCategory.ServiceUnavailable, ErrorCategory.Timeout, ErrorCategory.Network, ErrorCategory.Unexpected,
    ];

    /// <summary>The snake_case name of a category (<c>rate_limiting</c>); <c>none</c> for <see cref="ErrorCategory.None"/>.</summary>
    public static string ToName(this ErrorCategory category) => category switch
    {
        ErrorCategory.RateLimiting => "rate_limiting",
        ErrorCategory.Authentication => "authentication",
        ErrorCategory.InvalidRequest => "invalid_request",
        ErrorCategory.ServiceUnavailable => "service_unavailable",
        ErrorCategory.Timeout => "timeout",
        ErrorCategory.Network => "network",
        ErrorCategory.Unexpected => "unexpected",
        _ => "none",
    };
}
