using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;

namespace Resilience.Metrics.Tests.Reporting;

public sealed partial class MetricCatalogTests
{
    [Fact]
    public void The_exposition_is_the_catalogue_family_by_family_in_its_order()
    {
        using var collector = new MetricsCollector(new FakeTimeProvider());
        ApiMonitoringTelemetry.Publish(collector);
        var backend = collector.RegisterBackend("openai", new BackendRegistration
        {
            DetailedLatency = true,
            Pricing = new Dictionary<string, ModelPrice> { ["gpt-4o"] = new() { InputPerMillion = 2.5, OutputPerMillion = 10 } },
        });
        collector.RecordRequest(new RequestCompleted(backend) { Latency = TimeSpan.FromMilliseconds(80), Succeeded = true, Attempts = 1, Model = "gpt-4o" });
        collector.Get(backend).RateLimits[RateLimitKind.Requests].Write(10000, 9999, TimeSpan.TicksPerDay, 1);   // every rate-limit family has a series

        var text = new MetricsReporter(collector).GetPrometheusMetrics();
        var declared = TypeLine().Matches(text).Select(m => (m.Groups["name"].Value, m.Groups["type"].Value)).ToList();

        Assert.Equal(MetricCatalog.All.Select(f => (f.Name, f.Kind.ToString().ToLowerInvariant())), declared);
        Assert.All(MetricCatalog.All, f => Assert.Contains($"# HELP {f.Name} {f.Help}\n", text, StringComparison.Ordinal));
    }

    [Fact]
    public void Names_are_unique_and_follow_the_conventions_the_guide_leaves_open()
    {
        Assert.Equal(MetricCatalog.All.Count, MetricCatalog.All.Select(f => f.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(MetricCatalog.All, f => Assert.Matches("^api_[a-z_]+$", f.Name));
        Assert.All(MetricCatalog.All.Where(f => f.Kind == MetricKind.Counter), f => Assert.EndsWith("_total", f.Name, StringComparison.Ordinal));
        Assert.All(MetricCatalog.All.Where(f => f.Kind == MetricKind.Histogram), f =>
        {
            Assert.EndsWith("_seconds", f.Name, StringComparison.Ordinal);
            Assert.Equal("le", f.Labels[^1]);
        });
    }

    [Fact]
    public void Every_metric_the_dashboard_queries_is_a_catalogue_family()
    {
        var dashboard = JsonNode.Parse(GrafanaDashboard.Build())!;
        var used = dashboard["panels"]!.AsArray()
            .SelectMany(p => p!["targets"]?.AsArray() ?? [])
            .SelectMany(t => MetricName().Matches(t!["expr"]!.GetValue<string>()).Select(m => m.Value))
            .Select(name => HistogramSeries().Replace(name, ""))
            .ToHashSet(StringComparer.Ordinal);

        Assert.Subset(MetricCatalog.All.Select(f => f.Name).ToHashSet(StringComparer.Ordinal), used);
    }

    [Fact]
    public void Every_OpenTelemetry_counterpart_is_an_instrument_of_the_meter()
    {
        var published = new HashSet<string>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == ApiMonitoringTelemetry.Name)
                {
                    lock (published)
                    {
                        published.Add(instrument.Name);
                    }
                }
            },
        };
        using var collector = new MetricsCollector(new FakeTimeProvider());
        ApiMonitoringTelemetry.Publish(collector);
        listener.Start();

        var counterparts = MetricCatalog.All.Where(f => f.OpenTelemetry is not null).Select(f => f.OpenTelemetry!).ToList();
        Assert.NotEmpty(counterparts);
        Assert.All(counterparts, name => Assert.Contains(name, published));
    }

    [GeneratedRegex(@"^# TYPE (?<name>\S+) (?<type>\S+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"\bapi_[a-z_]+\b")]
    private static partial Regex MetricName();

    [GeneratedRegex("_(bucket|sum|count)$")]
    private static partial Regex HistogramSeries();
}
