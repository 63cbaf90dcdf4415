using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Resilience.Metrics.Tests.Reporting;

public sealed class OpenTelemetryDashboardTests
{
    private static readonly Lazy<JsonObject> Dashboard = new(() => JsonNode.Parse(GrafanaDashboard.Build(DashboardSource.OpenTelemetry))!.AsObject());

    private static IEnumerable<JsonObject> Panels => Dashboard.Value["panels"]!.AsArray().Select(p => p!.AsObject());

    private static IEnumerable<string> Queries => Panels
        .Where(p => p["targets"] is not null)
        .SelectMany(p => p["targets"]!.AsArray())
        .Select(t => (string)t!["expr"]!);

    [Theory]
    [InlineData("api.client.requests", "Counter", "{request}", "api_client_requests_total")]
    [InlineData("api.client.request.duration", "Histogram", "s", "api_client_request_duration_seconds")]
    [InlineData("api.client.queue.length", "Gauge", "{request}", "api_client_queue_length")]
    [InlineData("gen_ai.client.token.usage", "Histogram", "{token}", "gen_ai_client_token_usage")]
    [InlineData("gen_ai.client.operation.time_to_first_chunk", "Histogram", "s", "gen_ai_client_operation_time_to_first_chunk_seconds")]
    [InlineData("x.bytes", "Counter", "By", "x_bytes_total")]
    public void Names_follow_the_prometheus_exporter(string name, string kind, string unit, string expected) =>
        Assert.Equal(expected, new OpenTelemetryInstrument(name, Enum.Parse<MetricKind>(kind), unit).Prometheus);

    [Fact]
    public void Every_instrument_the_dashboard_names_is_on_the_meter_with_that_kind_and_unit()
    {
        var published = new Dictionary<string, Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == ApiMonitoringTelemetry.Name)
                {
                    lock (published)
                    {
                        published[instrument.Name] = instrument;
                    }
                }
            },
        };
        using var collector = new MetricsCollector();
        ApiMonitoringTelemetry.Publish(collector);
        listener.Start();

        Assert.All(OpenTelemetryInstruments.All, expected =>
        {
            Assert.True(published.TryGetValue(expected.Name, out var instrument), $"{expected.Name} is no instrument of the meter");
            Assert.Equal(expected.Unit, instrument.Unit);
            var kind = instrument.GetType().GetGenericTypeDefinition().Name switch
            {
                "Counter`1" => MetricKind.Counter,
                "Histogram`1" => MetricKind.Histogram,
                "ObservableGauge`1" or "ObservableUpDownCounter`1" or "UpDownCounter`1" => MetricKind.Gauge,
                var other => throw new InvalidOperationException(other),
            };
            Assert.Equal(expected.Kind, kind);
        });
    }

    [Fact]
    public void Has_its_own_uid_and_the_backend_and_provider_variables()
    {
        Assert.Equal(GrafanaDashboard.OpenTelemetryUid, (string)Dashboard.Value["uid"]!);
        Assert.NotEqual(GrafanaDashboard.Uid, GrafanaDashboard.OpenTelemetryUid);
        var variables = Dashboard.Value["templating"]!["list"]!.AsArray().Select(v => (string)v!["name"]!).ToList();
        Assert.Equal(["datasource", "backend", "provider"], variables);
        Assert.Equal("label_values(api_client_requests_total, api_backend)", (string)Dashboard.Value["templating"]!["list"]![1]!["query"]!);
    }

    [Fact]
    public void Every_query_names_only_exporter_families_and_filters_on_a_variable()
    {
        var families = OpenTelemetryInstruments.All
            .SelectMany(i => i.Kind == MetricKind.Histogram ? [i.Prometheus + "_bucket", i.Prometheus + "_sum", i.Prometheus + "_count"] : new[] { i.Prometheus })
            .ToHashSet();
        Assert.True(Queries.Count() >= 20);
        Assert.All(Queries, query =>
        {
            var names = Regex.Matches(query, @"\b(?:api_client|gen_ai_client)_\w+").Select(m => m.Value).ToList();
            Assert.NotEmpty(names);
            Assert.All(names, name => Assert.Contains(name, families));
            Assert.Matches(@"api_backend=~""\$backend""|gen_ai_provider_name=~""\$provider""", query);
        });
    }

    [Fact]
    public void Every_panel_and_query_uses_the_datasource_variable_and_the_panels_fit_the_grid()
    {
        Assert.All(Panels.Where(p => (string)p["type"]! != "row"), panel =>
        {
            Assert.Equal("${datasource}", (string)panel["datasource"]!["uid"]!);
            Assert.All(panel["targets"]!.AsArray(), t => Assert.Equal("${datasource}", (string)t!["datasource"]!["uid"]!));
            var position = panel["gridPos"]!;
            Assert.InRange((int)position["x"]! + (int)position["w"]!, 1, 24);
        });
        Assert.Equal(Panels.Count(), Panels.Select(p => (int)p["id"]!).Distinct().Count());
    }

    [Fact]
    public void The_default_source_is_the_monitoring_dashboard()
    {
        Assert.Equal(GrafanaDashboard.Build(), GrafanaDashboard.Build(DashboardSource.ApiMonitoring));
        Assert.Throws<ArgumentOutOfRangeException>(() => GrafanaDashboard.Build((DashboardSource)7));
    }
}
