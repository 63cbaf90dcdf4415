using System.Text.Json.Nodes;
using M = Resilience.Metrics.MetricCatalog;

namespace Resilience.Metrics;

/// <summary>
/// The Grafana dashboard over the Prometheus families that <see cref="PrometheusFormatter"/> writes
/// (<c>export_grafana_dashboard</c>): an importable dashboard JSON model, schema version 39 (Grafana 10.4 and later).
/// </summary>
/// <remarks>
/// <para>
/// The dashboard picks its Prometheus data source through the <c>datasource</c> variable and its backends through the
/// multi-value <c>api</c> variable, so one import works in any Grafana. Every query filters <c>api=~"$api"</c> and
/// aggregates by <c>api</c>, because many application instances are usually scraped. Rates come from counters with
/// <c>rate()</c> over <c>$__rate_interval</c>; gauges that cannot be summed honestly (percentiles, ratios) show the
/// worst instance, and per-model averages are weighted by each instance's request count.
/// </para>
/// <para>
/// The thresholds are the guide's alert thresholds: error rate 5 %, p95 latency 1000 ms, 50 requests in the queue.
/// The JSON is for a file or an <c>application/json</c> response; it is not escaped for embedding in HTML.
/// </para>
/// </remarks>
internal static partial class GrafanaDashboard
{
    /// <summary>The dashboard's uid: stable, so a re-import updates the dashboard instead of adding a copy.</summary>
    public const string Uid = "resilience-metrics";

    /// <summary>The dashboard's title.</summary>
    public const string Title = "Resilience.Metrics — API backends";

    /// <summary>The dashboard JSON schema version written.</summary>
    public const int SchemaVersion = 39;

    private const string DatasourceVariable = "${datasource}";
    private static readonly string ApiVariableQuery = $"label_values({M.RequestsTotal}, api)";

    // The guide's alert thresholds.
    private const double ErrorRateThreshold = 0.05;

    // The alert's default: less than 10 % of a provider's rate limit left.
    private const double RateLimitHeadroomThreshold = 0.1;
    private const double LatencyP95ThresholdMs = 1000;
    private const double QueueSizeThreshold = 50;

    /// <summary>The dashboard as indented JSON, ready for Grafana's "Import dashboard".</summary>
    public static string Build() => Write(
        Dashboard(
            Uid,
            Title,
            "HTTP API backends monitored by Resilience.Metrics: traffic, latency, queue, circuit breaker, errors, retries, models and tokens.",
            new JsonArray("resilience-metrics", "polly", "llm", "prometheus"),
            new JsonArray(DatasourceTemplate(), ApiTemplate()),
            Panels()),
        96 * 1024);

    // A quantile by backend from the buckets summed across instances: right however many instances there are.
    private static string Quantile(double quantile, MetricFamily histogram) =>
        "histogram_quantile(" + quantile.ToString(System.Globalization.CultureInfo.InvariantCulture) + ", sum by (api, le) (rate(" + histogram + "_bucket{api=~\"$api\"}[$__rate_interval])))";

    private static JsonArray Panels()
    {
        var grid = new DashboardGrid();

        grid.Row("Overview");
        grid.Line(
            4,
            (3, Stat("Request rate", "Completed requests per second, all selected backends and instances.", "reqps",
                Query("A", $$"""sum(rate({{M.RequestsTotal}}{api=~"$api"}[$__rate_interval]))"""),
                Steps(("blue", null)))),
            (3, Stat("Success rate", "Share of requests that succeeded over the rate interval, from the request and failure counters.", "percentunit",
                Query("A", $$"""1 - sum(rate({{M.FailuresTotal}}{api=~"$api"}[$__rate_interval])) / sum(rate({{M.RequestsTotal}}{api=~"$api"}[$__rate_interval]))"""),
                Steps(("red", null), ("green", 1 - ErrorRateThreshold)))),
            (3, Stat("Latency p95", "95th percentile latency over the rate interval, all selected backends and instances, from the summed histogram buckets.", "s",
                Query("A", $$"""histogram_quantile(0.95, sum by (le) (rate({{M.RequestDurationSeconds}}_bucket{api=~"$api"}[$__rate_interval])))"""),
                Steps(("green", null), ("red", LatencyP95ThresholdMs / 1000)))),
            (3, Stat("Queued requests", "Requests waiting in the admission queues, all instances.", "short",
                Query("A", $$"""sum({{M.QueueSize}}{api=~"$api"})"""),
                Steps(("green", null), ("red", QueueSizeThreshold)))),
            (3, Stat("Active requests", "Requests in flight to the backends, all instances.", "short",
                Query("A", $$"""sum({{M.ActiveRequests}}{api=~"$api"})"""),
                Steps(("blue", null)))),
            (3, Stat("Token throughput", "Prompt and completion tokens per second.", "suffix: tok/s",
                Query("A", $$"""sum(rate({{M.TokensTotal}}{api=~"$api"}[$__rate_interval]))"""),
                Steps(("purple", null)))),
            (3, Stat("Open circuits", "Backends whose circuit breaker is open on at least one instance.", "short",
                Query("A", $$"""count(max by (api) ({{M.CircuitStateGauge}}{api=~"$api"}) == {{M.OpenCircuitValue}}) or vector(0)"""),
                Steps(("green", null), ("red", 1)))),
            (3, Stat("Uptime", "Time since the most recent backend registration or metrics reset on any instance; counters restart then.", "s",
                Query("A", $$"""min({{M.UptimeSeconds}}{api=~"$api"})"""),
                Steps(("blue", null)), graph: false)));

        grid.Row("Traffic and latency");
        grid.Line(
            8,
            (12, TimeSeries("Request rate", "Completed requests per second by backend; dashed: failed requests per second.", "reqps",
                [
                    Query("A", $$"""sum by (api) (rate({{M.RequestsTotal}}{api=~"$api"}[$__rate_interval]))""", "{{api}}"),
                    Query("B", $$"""sum by (api) (rate({{M.FailuresTotal}}{api=~"$api"}[$__rate_interval]))""", "{{api}} failed"),
                ],
                overrides: [DashedQuery("B")])),
            (12, TimeSeries("Success rate", "Share of requests that succeeded over the rate interval; dashed: the reported success rate since the last reset, lowest instance.", "percentunit",
                [
                    Query("A", $$"""1 - sum by (api) (rate({{M.FailuresTotal}}{api=~"$api"}[$__rate_interval])) / sum by (api) (rate({{M.RequestsTotal}}{api=~"$api"}[$__rate_interval]))""", "{{api}}"),
                    Query("B", $$"""min by (api) ({{M.SuccessRate}}{api=~"$api"})""", "{{api}} since reset"),
                ],
                min: null,
                max: 1,
                thresholds: Steps(("red", null), ("transparent", 1 - ErrorRateThreshold)),
                overrides: [DashedQuery("B")])));
        grid.Line(
            8,
            (16, TimeSeries("Latency percentiles", "Latency percentiles by backend over the rate interval, from the histogram buckets summed across instances; dashed: the reported p95 since the last reset, slowest instance. Dashed line: the p95 alert threshold.", "s",
                [
                    Query("A", Quantile(0.5, M.RequestDurationSeconds), "{{api}} p50"),
                    Query("B", Quantile(0.95, M.RequestDurationSeconds), "{{api}} p95"),
                    Query("C", Quantile(0.99, M.RequestDurationSeconds), "{{api}} p99"),
                    Query("D", $$"""max by (api, percentile) ({{M.LatencyMilliseconds}}{api=~"$api", percentile="95"}) / 1000""", "{{api}} p{{percentile}} since reset"),
                ],
                thresholds: Steps(("green", null), ("red", LatencyP95ThresholdMs / 1000)),
                overrides: [DashedQuery("D")])),
            (8, TimeSeries("Time to first chunk", "Time from a request's start to the first chunk of a streamed response (time to first token), by backend over the rate interval, all instances.", "s",
                [
                    Query("A", Quantile(0.5, M.TimeToFirstChunkSeconds), "{{api}} p50"),
                    Query("B", Quantile(0.95, M.TimeToFirstChunkSeconds), "{{api}} p95"),
                ])));

        grid.Row("Queue and circuit breaker");
        grid.Line(
            8,
            (12, TimeSeries("Queue", "Requests waiting and in flight, all instances; dashed on the right axis: requests rejected because the queue was full.", "short",
                [
                    Query("A", $$"""sum by (api) ({{M.QueueSize}}{api=~"$api"})""", "{{api}} queued"),
                    Query("B", $$"""sum by (api) ({{M.ActiveRequests}}{api=~"$api"})""", "{{api}} active"),
                    Query("C", $$"""sum by (api) (rate({{M.QueueRejectionsTotal}}{api=~"$api"}[$__rate_interval]))""", "{{api}} rejected"),
                ],
                thresholds: Steps(("green", null), ("red", QueueSizeThreshold)),
                overrides: [RightAxisQuery("C", "reqps")])),
            (12, StateTimeline("Circuit breaker state", "Circuit state by backend, the worst instance's (OPEN over HALF-OPEN over CLOSED).",
                Query("A", $$"""max by (api) ({{M.CircuitStateGauge}}{api=~"$api"})""", "{{api}}"))));
        grid.Line(
            6,
            (8, Stat("Circuit state", "Current circuit state by backend, the worst instance's.", "none",
                Query("A", $$"""max by (api) ({{M.CircuitStateGauge}}{api=~"$api"})""", "{{api}}"),
                CircuitSteps(), graph: false, byName: true, mappings: CircuitStateMappings())),
            (8, TimeSeries("Circuit openings", "Times a circuit opened, per minute, all instances.", "opm",
                [Query("A", $$"""sum by (api) (rate({{M.CircuitOpenTotal}}{api=~"$api"}[$__rate_interval])) * 60""", "{{api}}")],
                bars: true)),
            (8, Stat("Time closed", "Share of time the circuit was closed since the last reset, all instances.", "percentunit",
                Query("A", $$"""sum by (api) ({{M.CircuitStateTimeSeconds}}{api=~"$api", state="CLOSED"}) / sum by (api) ({{M.CircuitStateTimeSeconds}}{api=~"$api"})""", "{{api}}"),
                Steps(("red", null), ("yellow", 0.95), ("green", 0.99)), graph: false, byName: true)));

        grid.Row("Errors, retries and timeouts");
        grid.Line(
            8,
            (12, TimeSeries("Errors by category", "Failed requests per second by error category, all instances.", "reqps",
                [Query("A", $$"""sum by (api, category) (rate({{M.ErrorsTotal}}{api=~"$api"}[$__rate_interval]))""", "{{api}} {{category}}")],
                stacked: true)),
            (12, TimeSeries("Error rate by category", "Share of requests that failed, by category, over the rate interval; dashed: the reported error rate since the last reset, highest instance. Dashed line: the alert threshold.", "percentunit",
                [
                    Query("A", $$"""sum by (api, category) (rate({{M.ErrorsTotal}}{api=~"$api"}[$__rate_interval])) / on (api) group_left () sum by (api) (rate({{M.RequestsTotal}}{api=~"$api"}[$__rate_interval]))""", "{{api}} {{category}}"),
                    Query("B", $$"""max by (api) ({{M.ErrorRate}}{api=~"$api"})""", "{{api}} since reset"),
                ],
                thresholds: Steps(("green", null), ("red", ErrorRateThreshold)),
                overrides: [DashedQuery("B")])));
        grid.Line(
            8,
            (16, TimeSeries("Retries and timeouts", "Requests retried at least once, retry attempts, and requests whose final error was a timeout, per second, all instances.", "reqps",
                [
                    Query("A", $$"""sum by (api) (rate({{M.RetriesTotal}}{api=~"$api"}[$__rate_interval]))""", "{{api}} retried requests"),
                    Query("B", $$"""sum by (api) (rate({{M.RetryAttemptsTotal}}{api=~"$api"}[$__rate_interval]))""", "{{api}} retry attempts"),
                    Query("C", $$"""sum by (api) (rate({{M.TimeoutsTotal}}{api=~"$api"}[$__rate_interval]))""", "{{api}} timeouts"),
                ])),
            (8, Stat("Monitoring faults", "Faults inside monitoring that were caught and counted in the selected time range; requests were not affected.", "short",
                Query("A", $$"""sum by (api) (increase({{M.MonitoringErrorsTotal}}{api=~"$api"}[$__range]))""", "{{api}}", QueryFormat.Instant),
                Steps(("green", null), ("orange", 1)), graph: false, byName: true)));

        grid.Row("Models and tokens");
        grid.Line(
            8,
            (24, ModelTable()));
        grid.Line(
            8,
            (8, TimeSeries("Token throughput", "Tokens per second by type, all instances.", "suffix: tok/s",
                [Query("A", $$"""sum by (api, type) (rate({{M.TokensTotal}}{api=~"$api"}[$__rate_interval]))""", "{{api}} {{type}}")],
                stacked: true)),
            (8, TimeSeries("Requests by model", "Completed requests per second by model, all instances.", "reqps",
                [Query("A", $$"""sum by (api, model) (rate({{M.ModelRequestsTotal}}{api=~"$api"}[$__rate_interval]))""", "{{api}} {{model}}")])),
            (8, TimeSeries("Tokens by model", "Prompt and completion tokens per second by model, all instances.", "suffix: tok/s",
                [Query("A", $$"""sum by (api, model) (rate({{M.ModelTokensTotal}}{api=~"$api"}[$__rate_interval]))""", "{{api}} {{model}}")],
                stacked: true)));

        grid.Row("Spend");
        grid.Line(
            8,
            (12, TimeSeries("Spend rate", "USD per hour by backend over the rate interval, all instances, from the configured price tables (priced models only).", "currencyUSD",
                [Query("A", $$"""sum by (api) (rate({{M.CostUsdTotal}}{api=~"$api"}[$__rate_interval])) * 3600""", "{{api}}")],
                stacked: true)),
            (12, TimeSeries("Spend rate by model", "USD per hour by model over the rate interval, all instances.", "currencyUSD",
                [Query("A", $$"""sum by (api, model) (rate({{M.CostUsdTotal}}{api=~"$api"}[$__rate_interval])) * 3600""", "{{api}} {{model}}")],
                stacked: true)));

        grid.Row("Provider rate limits");
        grid.Line(
            8,
            (16, TimeSeries("Rate-limit headroom", "Share of each provider rate limit left in its window (remaining / limit from the latest response headers), by backend and kind; lowest instance. Dashed line: the alert threshold.", "percentunit",
                [Query("A", $$"""min by (api, kind) ({{M.RateLimitRemaining}}{api=~"$api"} / {{M.RateLimitLimit}}{api=~"$api"})""", "{{api}} {{kind}}")],
                max: 1,
                thresholds: Steps(("red", null), ("green", RateLimitHeadroomThreshold)))),
            (8, TimeSeries("Rate-limit reset", "Seconds until each provider rate-limit window resets, by backend and kind; latest instance.", "s",
                [Query("A", $$"""max by (api, kind) ({{M.RateLimitResetSeconds}}{api=~"$api"})""", "{{api}} {{kind}}")])));

        return grid.Panels;
    }

    private static JsonObject ModelTable()
    {
        // Success rate and average latency are reported since the last reset; weighting each instance's figure by its
        // request count (also since the reset) gives the exact combined figure.
        var panel = Panel("table", "Per-model statistics",
            "Per backend and model: requests and tokens in the selected time range; success rate and average latency since the last reset, weighted by each instance's requests.");
        panel["fieldConfig"] = new JsonObject
        {
            ["defaults"] = new JsonObject
            {
                ["color"] = new JsonObject { ["mode"] = "thresholds" },
                ["thresholds"] = Thresholds(Steps(("green", null))),
                ["custom"] = new JsonObject
                {
                    ["align"] = "auto",
                    ["cellOptions"] = new JsonObject { ["type"] = "auto" },
                    ["inspect"] = false,
                },
            },
            ["overrides"] = new JsonArray(
                ColumnOverride("Requests", "short", 0),
                ColumnOverride("Success rate", "percentunit", 2, Steps(("red", null), ("green", 1 - ErrorRateThreshold))),
                ColumnOverride("Avg latency", "ms", 1, Steps(("green", null), ("red", LatencyP95ThresholdMs))),
                ColumnOverride("Prompt tokens", "short", 0),
                ColumnOverride("Completion tokens", "short", 0)),
        };
        panel["options"] = new JsonObject
        {
            ["showHeader"] = true,
            ["cellHeight"] = "sm",
            ["footer"] = new JsonObject
            {
                ["show"] = false,
                ["reducer"] = new JsonArray("sum"),
                ["countRows"] = false,
                ["fields"] = "",
            },
            ["sortBy"] = new JsonArray(new JsonObject { ["displayName"] = "Requests", ["desc"] = true }),
        };
        panel["targets"] = new JsonArray(
            Query("A", $$"""sum by (api, model) (increase({{M.ModelRequestsTotal}}{api=~"$api"}[$__range]))""", format: QueryFormat.Table),
            Query("B", $$"""sum by (api, model) ({{M.ModelSuccessRate}}{api=~"$api"} * {{M.ModelRequestsTotal}}{api=~"$api"}) / sum by (api, model) ({{M.ModelRequestsTotal}}{api=~"$api"})""", format: QueryFormat.Table),
            Query("C", $$"""sum by (api, model) ({{M.ModelLatencyMilliseconds}}{api=~"$api"} * {{M.ModelRequestsTotal}}{api=~"$api"}) / sum by (api, model) ({{M.ModelRequestsTotal}}{api=~"$api"})""", format: QueryFormat.Table),
            Query("D", $$"""sum by (api, model) (increase({{M.ModelTokensTotal}}{api=~"$api", type="prompt"}[$__range]))""", format: QueryFormat.Table),
            Query("E", $$"""sum by (api, model) (increase({{M.ModelTokensTotal}}{api=~"$api", type="completion"}[$__range]))""", format: QueryFormat.Table));
        panel["transformations"] = new JsonArray(
            new JsonObject { ["id"] = "merge", ["options"] = new JsonObject() },
            new JsonObject
            {
                ["id"] = "organize",
                ["options"] = new JsonObject
                {
                    ["excludeByName"] = new JsonObject { ["Time"] = true },
                    ["indexByName"] = new JsonObject
                    {
                        ["api"] = 0,
                        ["model"] = 1,
                        ["Value #A"] = 2,
                        ["Value #B"] = 3,
                        ["Value #C"] = 4,
                        ["Value #D"] = 5,
                        ["Value #E"] = 6,
                    },
                    ["renameByName"] = new JsonObject
                    {
                        ["api"] = "API",
                        ["model"] = "Model",
                        ["Value #A"] = "Requests",
                        ["Value #B"] = "Success rate",
                        ["Value #C"] = "Avg latency",
                        ["Value #D"] = "Prompt tokens",
                        ["Value #E"] = "Completion tokens",
                    },
                },
            });
        return panel;
    }

    private static JsonObject ApiTemplate() => new()
    {
        ["type"] = "query",
        ["name"] = "api",
        ["label"] = "API",
        ["datasource"] = Datasource(),
        ["definition"] = ApiVariableQuery,
        ["query"] = ApiVariableQuery,
        ["current"] = new JsonObject
        {
            ["selected"] = true,
            ["text"] = new JsonArray("All"),
            ["value"] = new JsonArray("$__all"),
        },
        ["hide"] = 0,
        ["includeAll"] = true,
        ["allValue"] = ".*", // also matches backends registered after the variable was last refreshed
        ["multi"] = true,
        ["options"] = new JsonArray(),
        ["refresh"] = 2, // on time range change
        ["regex"] = "",
        ["skipUrlSync"] = false,
        ["sort"] = 1,
    };
}
