using System.Globalization;
using System.Text.Json.Nodes;
using O = Resilience.Metrics.OpenTelemetryInstruments;

namespace Resilience.Metrics;

/// <summary>
/// The Grafana dashboard over the <c>Resilience.Metrics</c> meter's instruments as OpenTelemetry's Prometheus exporter
/// writes them (<c>api_client_requests_total{api_backend}</c>, seconds, <c>_total</c>): for applications that export
/// OpenTelemetry instead of, or besides, <c>/monitoring/metrics</c>.
/// </summary>
/// <remarks>
/// Same layout, thresholds and helpers as the <c>/monitoring/metrics</c> dashboard, its own uid so both can be
/// imported. The backend variable is <c>backend</c> (label <c>api_backend</c>). The GenAI instruments
/// (<c>gen_ai.client.*</c>) follow the semantic conventions and carry no <c>api.backend</c>: their panels group by
/// <c>gen_ai_provider_name</c> and filter on the <c>provider</c> variable. Everything the /monitoring/metrics
/// dashboard shows from since-reset gauges (success rate since reset, time closed, uptime) has no instrument and is
/// left out.
/// </remarks>
internal static partial class GrafanaDashboard
{
    /// <summary>The OpenTelemetry dashboard's uid, distinct from <see cref="Uid"/>.</summary>
    public const string OpenTelemetryUid = "resilience-metrics-otel";

    /// <summary>The OpenTelemetry dashboard's title.</summary>
    public const string OpenTelemetryTitle = "Resilience.Metrics — API backends (OpenTelemetry)";

    private static readonly string BackendLabel = OpenTelemetryInstrument.Label("api.backend");
    private static readonly string OutcomeLabel = OpenTelemetryInstrument.Label("api.outcome");
    private static readonly string CategoryLabel = OpenTelemetryInstrument.Label("api.error.category");
    private static readonly string CircuitStateLabel = OpenTelemetryInstrument.Label("api.circuit.state");
    private static readonly string ModelLabel = OpenTelemetryInstrument.Label("gen_ai.request.model");
    private static readonly string ProviderLabel = OpenTelemetryInstrument.Label("gen_ai.provider.name");
    private static readonly string TokenTypeLabel = OpenTelemetryInstrument.Label("gen_ai.token.type");

    /// <summary>The dashboard for <paramref name="source"/>, as indented JSON.</summary>
    public static string Build(DashboardSource source) => source switch
    {
        DashboardSource.ApiMonitoring => Build(),
        DashboardSource.OpenTelemetry => BuildOpenTelemetry(),
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Not a dashboard source."),
    };

    private static string BuildOpenTelemetry() => Write(
        Dashboard(
            OpenTelemetryUid,
            OpenTelemetryTitle,
            "HTTP API backends monitored by Resilience.Metrics, from its OpenTelemetry instruments scraped through OpenTelemetry's Prometheus exporter: traffic, latency, queue, circuit breaker, errors, retries, models and tokens.",
            new JsonArray("resilience-metrics", "polly", "llm", "prometheus", "opentelemetry"),
            new JsonArray(
                DatasourceTemplate(),
                MultiValueTemplate("backend", "Backend", $"label_values({O.Requests}, {BackendLabel})"),
                MultiValueTemplate("provider", "GenAI provider", $"label_values({O.TokenUsage}_count, {ProviderLabel})")),
            OpenTelemetryPanels()),
        64 * 1024);

    // The selectors every query starts from.
    private static string Backends(string? more = null) =>
        "{" + BackendLabel + "=~\"$backend\"" + (more is null ? "" : ", " + more) + "}";

    private static string Providers(string? more = null) =>
        "{" + ProviderLabel + "=~\"$provider\"" + (more is null ? "" : ", " + more) + "}";

    private static string Rate(OpenTelemetryInstrument instrument, string selector, string suffix = "") =>
        "rate(" + instrument.Prometheus + suffix + selector + "[$__rate_interval])";

    private static string Quantile(double quantile, OpenTelemetryInstrument histogram, string by, string selector) =>
        "histogram_quantile(" + quantile.ToString(CultureInfo.InvariantCulture) + ", sum by (" + by + ", le) ("
        + Rate(histogram, selector, "_bucket") + "))";

    // Failures over all requests by backend; a backend without failures has no failure series, so it counts as 0.
    private static string FailureRatio(string by)
    {
        var failures = $"sum by ({by}) ({Rate(O.Requests, Backends($"{OutcomeLabel}=\"failure\""))})";
        var all = $"sum by ({by}) ({Rate(O.Requests, Backends())})";
        return $"({failures} or {all} * 0) / {all}";
    }

    // 0, 1, 2 for CLOSED, HALF-OPEN, OPEN like api_circuit_state: the gauge is 1 on the current state's series only,
    // and the worst instance wins.
    private static string CircuitStateNumber() =>
        $"max by ({BackendLabel}) ({O.CircuitState}{Backends($"{CircuitStateLabel}=\"OPEN\"")} * 2 or {O.CircuitState}{Backends($"{CircuitStateLabel}=\"HALF-OPEN\"")})";

    private static JsonArray OpenTelemetryPanels()
    {
        var b = BackendLabel;
        var legend = "{{" + b + "}}";
        var provider = "{{" + ProviderLabel + "}}";
        var grid = new DashboardGrid();

        grid.Row("Overview");
        grid.Line(
            4,
            (4, Stat("Request rate", "Completed requests per second, all selected backends and instances.", "reqps",
                Query("A", $"sum({Rate(O.Requests, Backends())})"),
                Steps(("blue", null)))),
            (4, Stat("Error ratio", "Share of requests that failed over the rate interval.", "percentunit",
                Query("A", $"(sum({Rate(O.Requests, Backends($"{OutcomeLabel}=\"failure\""))}) or vector(0)) / sum({Rate(O.Requests, Backends())})"),
                Steps(("green", null), ("red", ErrorRateThreshold)))),
            (4, Stat("Latency p95", "95th percentile latency over the rate interval, all selected backends and instances, from the summed histogram buckets.", "s",
                Query("A", $"histogram_quantile(0.95, sum by (le) ({Rate(O.RequestDuration, Backends(), "_bucket")}))"),
                Steps(("green", null), ("red", LatencyP95ThresholdMs / 1000)))),
            (3, Stat("Queued requests", "Requests waiting in the admission queues, all instances.", "short",
                Query("A", $"sum({O.QueueLength}{Backends()})"),
                Steps(("green", null), ("red", QueueSizeThreshold)))),
            (3, Stat("Active requests", "Requests in flight to the backends, all instances.", "short",
                Query("A", $"sum({O.ActiveRequests}{Backends()})"),
                Steps(("blue", null)))),
            (3, Stat("Token throughput", "Input and output tokens per second, selected GenAI providers.", "suffix: tok/s",
                Query("A", $"sum({Rate(O.TokenUsage, Providers(), "_sum")})"),
                Steps(("purple", null)))),
            (3, Stat("Open circuits", "Backends whose circuit breaker is open on at least one instance.", "short",
                Query("A", $"count(max by ({b}) ({O.CircuitState}{Backends($"{CircuitStateLabel}=\"OPEN\"")}) == 1) or vector(0)"),
                Steps(("green", null), ("red", 1)))));

        grid.Row("Traffic and latency");
        grid.Line(
            8,
            (12, TimeSeries("Request rate", "Completed requests per second by backend; dashed: failed requests per second.", "reqps",
                [
                    Query("A", $"sum by ({b}) ({Rate(O.Requests, Backends())})", legend),
                    Query("B", $"sum by ({b}) ({Rate(O.Requests, Backends($"{OutcomeLabel}=\"failure\""))})", legend + " failed"),
                ],
                overrides: [DashedQuery("B")])),
            (12, TimeSeries("Error ratio", "Failed requests over all requests by backend, over the rate interval. Dashed line: the alert threshold.", "percentunit",
                [Query("A", FailureRatio(b), legend)],
                max: 1,
                thresholds: Steps(("green", null), ("red", ErrorRateThreshold)))));
        grid.Line(
            8,
            (16, TimeSeries("Latency percentiles", "Latency percentiles by backend over the rate interval, from the histogram buckets summed across instances (queue time and retries included). Dashed line: the p95 alert threshold.", "s",
                [
                    Query("A", Quantile(0.5, O.RequestDuration, b, Backends()), legend + " p50"),
                    Query("B", Quantile(0.95, O.RequestDuration, b, Backends()), legend + " p95"),
                    Query("C", Quantile(0.99, O.RequestDuration, b, Backends()), legend + " p99"),
                ],
                thresholds: Steps(("green", null), ("red", LatencyP95ThresholdMs / 1000)))),
            (8, TimeSeries("Time to first chunk", "Time from a streamed GenAI operation's start to its first chunk, by provider over the rate interval, all instances.", "s",
                [
                    Query("A", Quantile(0.5, O.TimeToFirstChunk, ProviderLabel, Providers()), provider + " p50"),
                    Query("B", Quantile(0.95, O.TimeToFirstChunk, ProviderLabel, Providers()), provider + " p95"),
                ])));

        grid.Row("Queue and circuit breaker");
        grid.Line(
            8,
            (12, TimeSeries("Queue", "Requests waiting and in flight, all instances; dashed on the right axis: requests rejected because the queue was full.", "short",
                [
                    Query("A", $"sum by ({b}) ({O.QueueLength}{Backends()})", legend + " queued"),
                    Query("B", $"sum by ({b}) ({O.ActiveRequests}{Backends()})", legend + " active"),
                    Query("C", $"sum by ({b}) ({Rate(O.QueueRejections, Backends())})", legend + " rejected"),
                ],
                thresholds: Steps(("green", null), ("red", QueueSizeThreshold)),
                overrides: [RightAxisQuery("C", "reqps")])),
            (12, StateTimeline("Circuit breaker state", "Circuit state by backend, the worst instance's (OPEN over HALF-OPEN over CLOSED).",
                Query("A", CircuitStateNumber(), legend))));
        grid.Line(
            6,
            (12, Stat("Circuit state", "Current circuit state by backend, the worst instance's.", "none",
                Query("A", CircuitStateNumber(), legend),
                CircuitSteps(), graph: false, byName: true, mappings: CircuitStateMappings())),
            (12, TimeSeries("Circuit transitions", "Circuit state changes by new state, per minute, all instances.", "opm",
                [Query("A", $"sum by ({b}, {CircuitStateLabel}) ({Rate(O.CircuitTransitions, Backends())}) * 60", legend + " {{" + CircuitStateLabel + "}}")],
                bars: true)));

        grid.Row("Errors and retries");
        grid.Line(
            8,
            (12, TimeSeries("Errors by category", "Failed requests per second by error category, all instances.", "reqps",
                [Query("A", $"sum by ({b}, {CategoryLabel}) ({Rate(O.Requests, Backends($"{OutcomeLabel}=\"failure\""))})", legend + " {{" + CategoryLabel + "}}")],
                stacked: true)),
            (12, TimeSeries("Retries", "Retry attempts per second by the failed attempt's error category, all instances.", "reqps",
                [Query("A", $"sum by ({b}, {CategoryLabel}) ({Rate(O.Retries, Backends())})", legend + " after {{" + CategoryLabel + "}}")],
                stacked: true)));

        grid.Row("Models and tokens");
        grid.Line(
            8,
            (8, TimeSeries("Requests by model", "Completed requests per second by backend and requested model, all instances.", "reqps",
                [Query("A", $"sum by ({b}, {ModelLabel}) ({Rate(O.Requests, Backends($"{ModelLabel}!=\"\""))})", legend + " {{" + ModelLabel + "}}")])),
            (8, TimeSeries("Token usage by type", "Input and output tokens per second by GenAI provider, all instances.", "suffix: tok/s",
                [Query("A", $"sum by ({ProviderLabel}, {TokenTypeLabel}) ({Rate(O.TokenUsage, Providers(), "_sum")})", provider + " {{" + TokenTypeLabel + "}}")],
                stacked: true)),
            (8, TimeSeries("Tokens per request", "Mean input and output tokens per request by GenAI provider over the rate interval.", "short",
                [Query("A", $"sum by ({ProviderLabel}, {TokenTypeLabel}) ({Rate(O.TokenUsage, Providers(), "_sum")}) / sum by ({ProviderLabel}, {TokenTypeLabel}) ({Rate(O.TokenUsage, Providers(), "_count")})", provider + " {{" + TokenTypeLabel + "}}")])));

        return grid.Panels;
    }

    private static JsonObject MultiValueTemplate(string name, string label, string query) => new()
    {
        ["type"] = "query",
        ["name"] = name,
        ["label"] = label,
        ["datasource"] = Datasource(),
        ["definition"] = query,
        ["query"] = query,
        ["current"] = new JsonObject
        {
            ["selected"] = true,
            ["text"] = new JsonArray("All"),
            ["value"] = new JsonArray("$__all"),
        },
        ["hide"] = 0,
        ["includeAll"] = true,
        ["allValue"] = ".*", // also matches values that appeared after the variable was last refreshed
        ["multi"] = true,
        ["options"] = new JsonArray(),
        ["refresh"] = 2, // on time range change
        ["regex"] = "",
        ["skipUrlSync"] = false,
        ["sort"] = 1,
    };
}
