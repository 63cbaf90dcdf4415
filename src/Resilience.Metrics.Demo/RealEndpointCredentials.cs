using System.Net.Http.Headers;
using Resilience.Metrics.Simulation;

namespace Resilience.Metrics.Demo;

/// <summary>
/// For a backend pointed at a real endpoint (<c>--backend-url</c>): replaces the simulated requests' fake
/// credentials with the key from the backend's environment variable, in the header that API expects
/// (Anthropic <c>x-api-key</c>, Gemini <c>x-goog-api-key</c>, otherwise <c>Authorization: Bearer</c>), or sends
/// none when the variable is not set. The key is never printed; monitoring never records headers.
/// </summary>
internal sealed class RealEndpointCredentials(SimulatedApi api, string? key) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // A scripted request without credentials keeps having none: only requests that carried one get the real key.
        var hadCredential = DemoRequests.CredentialHeaders.Any(request.Headers.Contains);
        DemoRequests.RemoveCredentials(request);
        if (hadCredential && !string.IsNullOrEmpty(key))
        {
            switch (api)
            {
                case SimulatedApi.Anthropic:
                    request.Headers.TryAddWithoutValidation("x-api-key", key);
                    break;
                case SimulatedApi.Gemini:
                    request.Headers.TryAddWithoutValidation("x-goog-api-key", key);
                    break;
                default:
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                    break;
            }
        }

        return base.SendAsync(request, cancellationToken);
    }
}
