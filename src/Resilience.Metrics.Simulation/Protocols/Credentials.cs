using Microsoft.AspNetCore.Http;

namespace Resilience.Metrics.Simulation.Protocols;

/// <summary>Whether a request carries the credential its API expects. Presence only: values are never checked.</summary>
internal static class Credentials
{
    public static bool Present(SimulatedApi api, HttpRequest request) => api switch
    {
        SimulatedApi.Anthropic => HasHeader(request, "x-api-key"),
        SimulatedApi.Gemini => HasHeader(request, "x-goog-api-key") || request.Query.ContainsKey("key"),
        SimulatedApi.S3 => HasHeader(request, "Authorization") || request.Query.ContainsKey("X-Amz-Signature"),
        _ => request.Headers.Authorization.ToString() is { } value
            && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && value.Length > "Bearer ".Length,
    };

    private static bool HasHeader(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var values) && !string.IsNullOrWhiteSpace(values.ToString());
}
