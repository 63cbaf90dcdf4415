using System.Globalization;
using System.Net;
using Resilience.Metrics.Simulation;

namespace Resilience.Metrics.IntegrationTests;

/// <summary>
/// Real HttpClients against the simulated backends on loopback Kestrel, which announce their rate limits counting down:
/// the report and the Prometheus gauges follow every response, a 429 included.
/// </summary>
public sealed class RateLimitHeadroomTests
{
    [Theory]
    [InlineData(SimulatedApi.OpenAI, "tokens")]
    [InlineData(SimulatedApi.Groq, "tokens")]
    [InlineData(SimulatedApi.Anthropic, "input_tokens")]
    public async Task The_remaining_requests_gauge_follows_the_server_counting_down(SimulatedApi api, string tokenKind)
    {
        await using var clients = await MonitoredClients.StartAsync();
        var name = MonitoredClients.Name(api);
        var limits = clients.Server[api].RateLimits;
        limits.RequestLimit = 50;

        for (var sent = 1; sent <= 3; sent++)
        {
            var (response, _) = await clients.SendAsync(api);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();

            var report = clients.Reporter.GetMetricsReport(name).RateLimits;
            Assert.Equal(50, report.Requests!.Limit);
            Assert.Equal(50 - sent, report.Requests.Remaining);
            Assert.InRange(report.Requests.ResetSeconds!.Value, 0, 60);
            var metrics = clients.Reporter.GetPrometheusMetrics();
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"api_ratelimit_remaining{{api=\"{name}\",kind=\"requests\"}} {50 - sent}\n"), metrics, StringComparison.Ordinal);
            Assert.Contains($"api_ratelimit_limit{{api=\"{name}\",kind=\"{tokenKind}\"}} ", metrics, StringComparison.Ordinal);
        }

        Assert.Equal(0, clients.Reporter.GetMetricsReport(name).RateLimits.MalformedHeaders);
    }

    [Fact]
    public async Task A_burst_near_the_limit_shows_in_the_headroom_and_a_429_carries_the_headers_too()
    {
        await using var clients = await MonitoredClients.StartAsync((_, o) => o.Retry.Enabled = false);
        var groq = clients.Server[SimulatedApi.Groq];
        groq.RateLimits.Burst(0.95);
        groq.Enqueue(SimulatedFault.Status(429, retryAfter: TimeSpan.FromSeconds(2)));

        var (response, _) = await clients.SendAsync(SimulatedApi.Groq);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        response.Dispose();
        var limits = clients.Reporter.GetRateLimits("groq");
        Assert.Equal(1000 - 951, limits.Requests!.Remaining);
        Assert.Equal(2, limits.RetryAfterSeconds!.Value, 0);
        var (kind, headroom) = limits.LowestHeadroom!.Value;
        Assert.True(headroom < 0.1, $"{kind} {headroom}");
    }
}
