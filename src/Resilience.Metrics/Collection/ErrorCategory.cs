namespace Resilience.Metrics;

/// <summary>The seven error categories of the monitoring guide.</summary>
/// <remarks>Reports print them in snake_case (<c>rate_limiting</c>, <c>service_unavailable</c>, ...).</remarks>
public enum ErrorCategory
{
    /// <summary>No error: the request succeeded.</summary>
    None = 0,

    /// <summary>The backend limited the request rate (HTTP 429, "rate limit" messages).</summary>
    RateLimiting,

    /// <summary>Missing or rejected credentials (HTTP 401 / 403).</summary>
    Authentication,

    /// <summary>The request itself was wrong (HTTP 400 / 404 / 409 / 413 / 422).</summary>
    InvalidRequest,

    /// <summary>The backend could not serve (HTTP 5xx, an open circuit).</summary>
    ServiceUnavailable,

    /// <summary>The request or an attempt timed out.</summary>
    Timeout,

    /// <summary>The connection failed: refused, reset, DNS.</summary>
    Network,

    /// <summary>Anything else.</summary>
    Unexpected,
}
