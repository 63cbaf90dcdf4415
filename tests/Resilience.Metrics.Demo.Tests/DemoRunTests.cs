using System.Text.Json;
using Resilience.Metrics.Simulation;

namespace Resilience.Metrics.Demo.Tests;

[Collection(DemoRuns.Name)]
public sealed class DemoRunTests : IDisposable
{
    private static readonly string[] AllBackends = [.. Enum.GetValues<SimulatedApi>().Select(SimulatedBackendServer.PrefixOf)];

    private readonly string _output = Path.Combine(Path.GetTempPath(), "resilience-metrics-demo-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_short_run_of_every_backend_exits_0_and_writes_reports_that_parse()
    {
        await using var demo = DemoHarness.Start("--duration", "3", "--rps", "30", "--concurrency", "12", "--output", _output);

        var exitCode = await demo.Run.WaitAsync(TimeSpan.FromSeconds(40), TestContext.Current.CancellationToken);

        Assert.True(exitCode == 0, demo.Output);
        foreach (var backend in AllBackends)
        {
            Assert.Contains($"=== {backend} Metrics Report ===", demo.Output, StringComparison.Ordinal);
        }

        Assert.Contains("Summary (", demo.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^all\s+[\d,]+\s+\d", demo.Output);

        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_output, "report.json"), TestContext.Current.CancellationToken));
        Assert.Equal(AllBackends.Order(), report.RootElement.EnumerateObject().Select(p => p.Name).Order());
        foreach (var backend in report.RootElement.EnumerateObject())
        {
            Assert.True(backend.Value.GetProperty("total_requests").GetInt64() > 0, $"{backend.Name} recorded no request");
            Assert.Equal(backend.Name, backend.Value.GetProperty("api_name").GetString());
        }

        using var grafana = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_output, "grafana-dashboard.json"), TestContext.Current.CancellationToken));
        Assert.True(grafana.RootElement.TryGetProperty("panels", out var panels) && panels.GetArrayLength() > 0);
        using var otelGrafana = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_output, "grafana-dashboard-opentelemetry.json"), TestContext.Current.CancellationToken));
        Assert.Equal("resilience-metrics-otel", otelGrafana.RootElement.GetProperty("uid").GetString());
        Assert.Contains("api_client_requests_total", otelGrafana.RootElement.GetRawText(), StringComparison.Ordinal);

        var prometheus = await File.ReadAllTextAsync(Path.Combine(_output, "metrics.prom"), TestContext.Current.CancellationToken);
        foreach (var backend in AllBackends)
        {
            Assert.Contains($"api_requests_total{{api=\"{backend}\"}}", prometheus, StringComparison.Ordinal);
        }

        // The simulated providers announce their rate limits: the headroom reaches the exposition.
        foreach (var backend in new[] { "openai", "anthropic", "groq" })
        {
            Assert.Contains($"api_ratelimit_remaining{{api=\"{backend}\",kind=\"requests\"}}", prometheus, StringComparison.Ordinal);
        }

        Assert.Contains("ApiHighErrorRate", await File.ReadAllTextAsync(Path.Combine(_output, "alert-rules.yml"), TestContext.Current.CancellationToken), StringComparison.Ordinal);

        // Last, so that without promtool everything above was still checked and the test shows as skipped.
        if (ExternalTools.Find("promtool") is not { } promtool)
        {
            ExternalTools.Missing("promtool is not installed (CI installs it: apt-get install prometheus): the files were checked, promtool's checks were not");
            return;
        }

        var (promtoolExit, findings) = await ExternalTools.RunAsync(promtool, "check metrics", prometheus);
        Assert.True(promtoolExit is 0 or 3, findings);
        Assert.DoesNotContain("error", findings, StringComparison.OrdinalIgnoreCase);
        Assert.All(findings.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches("^api_(model_)?latency_milliseconds ", line));

        var rules = Path.Combine(_output, "alert-rules.yml");
        var (rulesExit, rulesOutput) = await ExternalTools.RunAsync(promtool, $"check rules {rules}", "");
        Assert.True(rulesExit == 0, rulesOutput);
        Assert.Contains("SUCCESS: 5 rules found", rulesOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_limited_to_some_backends_reports_only_those()
    {
        await using var demo = DemoHarness.Start("--duration=2", "--rps=20", "--backends", "groq,tei", "--output", _output);

        Assert.Equal(0, await demo.Run.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));

        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_output, "report.json"), TestContext.Current.CancellationToken));
        Assert.Equal(["groq", "tei"], report.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.All(report.RootElement.EnumerateObject(), p => Assert.True(p.Value.GetProperty("total_requests").GetInt64() > 0));
        Assert.DoesNotContain("=== openai Metrics Report ===", demo.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DemoRuns
{
    public const string Name = "demo runs";
}
