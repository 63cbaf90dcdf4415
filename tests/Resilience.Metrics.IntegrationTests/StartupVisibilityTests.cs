using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Resilience.Metrics.IntegrationTests;

/// <summary>Every monitored client is in the reports and the scrape with zeros once the host has started.</summary>
public sealed class StartupVisibilityTests
{
    [Fact]
    public async Task Every_monitored_client_is_reported_with_zeros_before_its_first_request()
    {
        await using var app = await MonitoringApp.StartAsync(b => b.Services.AddHttpClient("unmonitored"));
        var ct = TestContext.Current.CancellationToken;

        // No client has been created, no request sent.
        var text = await app.Http.GetStringAsync("/monitoring/metrics", ct);
        Assert.Contains("api_requests_total{api=\"openai\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("api_requests_total{api=\"s3\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("api_circuit_state{api=\"anthropic\"} 0\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("unmonitored", text, StringComparison.Ordinal);

        using var report = await app.Http.GetAsync("/monitoring/report/openai", ct);
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        using var json = JsonDocument.Parse(await report.Content.ReadAsStringAsync(ct));
        Assert.Equal(0, json.RootElement.GetProperty("total_requests").GetInt64());
        Assert.Equal(0, json.RootElement.GetProperty("windows").GetProperty("1m").GetProperty("requests").GetInt64());
        Assert.Equal(app.Server.Apis.Count, app.Reporter.Backends.Count);

        // The history the dashboard page loads at open names every backend too (its slices come every 5 s).
        using var history = JsonDocument.Parse(await app.Http.GetStringAsync("/monitoring/history", ct));
        Assert.Equal(app.Server.Apis.Count, history.RootElement.EnumerateObject().Count());
        Assert.All(history.RootElement.EnumerateObject(), backend => Assert.Equal(JsonValueKind.Array, backend.Value.ValueKind));
    }

    [Fact]
    public async Task A_renamed_backend_is_registered_under_its_name_and_a_client_without_metrics_is_not()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddHttpClient("primary").AddApiMonitoring(o => o.BackendName = "openai-eu");
        builder.Services.AddHttpClient("quiet").AddApiMonitoring(o => o.MetricsEnabled = false);
        using var host = builder.Build();

        Assert.Empty(host.Services.GetRequiredService<IMetricsReporter>().Backends);
        await host.StartAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["openai-eu"], host.Services.GetRequiredService<IMetricsReporter>().Backends);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }
}
