using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Resilience.Metrics.Tests.Reporting;

public sealed partial class GrafanaDashboardTests
{
    private const string DatasourceUid = "${datasource}";
    private const int GridColumns = 24;

    private static readonly Lazy<JsonObject> Dashboard = new(() => JsonNode.Parse(GrafanaDashboard.Build())!.AsObject());

    // The exposition the dashboard queries, as the library writes it for a few backends in different states.
    private static readonly Lazy<Dictionary<string, Family>> Exposition = new(() => ParseExposition(PrometheusFormatter.Format(
    [
        ReportSamples.Create("openai") with
        {
            RateLimits = new RateLimitsReport
            {
                Requests = new RateLimitMetrics { Limit = 10000, Remaining = 9000, ResetSeconds = 6, ObservedAt = DateTimeOffset.FromUnixTimeSeconds(1) },
                Tokens = new RateLimitMetrics { Limit = 2000000, Remaining = 150000, ResetSeconds = 6, ObservedAt = DateTimeOffset.FromUnixTimeSeconds(1) },
            },
        },
        ReportSamples.Create("anthropic", new Dictionary<string, ModelMetrics>
        {
            ["claude-sonnet-4"] = ReportSamples.Model(10, 9, 1234.5, 1000, 2000) with { CostUsd = 0.033 },
        }) with
        {
            CircuitBreaker = ReportSamples.Create().CircuitBreaker with { CurrentState = CircuitState.HalfOpen },
            CostUsd = 0.033,
        },
        ReportSamples.Create("groq", new Dictionary<string, ModelMetrics>()) with
        {
            CircuitBreaker = ReportSamples.Create().CircuitBreaker with { CurrentState = CircuitState.Open },
        },
    ])));

    [Fact]
    public void Build_ReturnsIndentedJsonWithReadableQueries()
    {
        var json = GrafanaDashboard.Build();

        using var document = JsonDocument.Parse(json);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        Assert.Contains("\n  \"panels\": [", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", json, StringComparison.Ordinal);
        Assert.Contains("""{api=~\"$api\"}""", json, StringComparison.Ordinal); // quotes escaped as \" rather than \u0022
        Assert.Contains("Resilience.Metrics — API backends", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_CalledTwice_ReturnsTheSameJson()
    {
        Assert.Equal(GrafanaDashboard.Build(), GrafanaDashboard.Build());
    }

    [Fact]
    public void Build_HasStableIdentityRefreshAndTimeRange()
    {
        var dashboard = Dashboard.Value;

        Assert.True(dashboard["schemaVersion"]!.GetValue<int>() >= 39);
        Assert.Equal("resilience-metrics", dashboard["uid"]!.GetValue<string>());
        Assert.Equal("Resilience.Metrics — API backends", dashboard["title"]!.GetValue<string>());
        Assert.Null(dashboard["id"]); // an import must not overwrite another dashboard by database id
        Assert.Equal("10s", dashboard["refresh"]!.GetValue<string>());
        Assert.Equal("now-1h", dashboard["time"]!["from"]!.GetValue<string>());
        Assert.Equal("now", dashboard["time"]!["to"]!.GetValue<string>());
    }

    [Fact]
    public void Build_TemplatesThePrometheusDatasourceAndAMultiValueApiVariable()
    {
        var variables = Dashboard.Value["templating"]!["list"]!.AsArray().Select(v => v!.AsObject()).ToList();

        var datasource = Assert.Single(variables, v => v["name"]!.GetValue<string>() == "datasource");
        Assert.Equal("datasource", datasource["type"]!.GetValue<string>());
        Assert.Equal("prometheus", datasource["query"]!.GetValue<string>());

        var api = Assert.Single(variables, v => v["name"]!.GetValue<string>() == "api");
        Assert.Equal("query", api["type"]!.GetValue<string>());
        Assert.Equal("label_values(api_requests_total, api)", api["query"]!.GetValue<string>());
        Assert.Equal("label_values(api_requests_total, api)", api["definition"]!.GetValue<string>());
        Assert.True(api["multi"]!.GetValue<bool>());
        Assert.True(api["includeAll"]!.GetValue<bool>());
        AssertIsDatasourceVariable(api["datasource"], "variable api");

        // The datasource variable must come first: the api variable's query depends on it.
        Assert.Equal("datasource", variables[0]["name"]!.GetValue<string>());
    }

    [Fact]
    public void Build_HasAtLeastEightPanelsWithUniqueIdsAndKnownTypes()
    {
        var panels = Panels();

        Assert.True(panels.Count(p => Type(p) != "row") >= 8, $"Only {panels.Count} panels.");
        var ids = panels.Select(p => p["id"]!.GetValue<int>()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(panels, p => Assert.Contains(Type(p), new[] { "row", "timeseries", "stat", "table", "state-timeline" }));
        Assert.All(panels, p => Assert.False(string.IsNullOrWhiteSpace(p["title"]?.GetValue<string>())));
    }

    [Fact]
    public void Build_PanelsFitTheGridWithoutOverlapping()
    {
        var boxes = Panels().Select(p =>
        {
            var grid = p["gridPos"]!;
            return (Title: Title(p), X: grid["x"]!.GetValue<int>(), Y: grid["y"]!.GetValue<int>(), W: grid["w"]!.GetValue<int>(), H: grid["h"]!.GetValue<int>());
        }).ToList();

        var violations = new List<string>();
        foreach (var b in boxes)
        {
            if (b.X < 0 || b.Y < 0 || b.W < 1 || b.H < 1 || b.X + b.W > GridColumns)
            {
                violations.Add($"'{b.Title}' is outside the grid: x={b.X} y={b.Y} w={b.W} h={b.H}");
            }
        }

        for (var i = 0; i < boxes.Count; i++)
        {
            for (var j = i + 1; j < boxes.Count; j++)
            {
                var (a, b) = (boxes[i], boxes[j]);
                if (a.X < b.X + b.W && b.X < a.X + a.W && a.Y < b.Y + b.H && b.Y < a.Y + a.H)
                {
                    violations.Add($"'{a.Title}' overlaps '{b.Title}'");
                }
            }
        }

        Assert.Empty(violations);
    }

    [Fact]
    public void Build_EveryPanelAndQueryUsesTheDatasourceVariable()
    {
        foreach (var panel in Panels().Where(p => Type(p) != "row"))
        {
            AssertIsDatasourceVariable(panel["datasource"], Title(panel));
            var targets = panel["targets"]!.AsArray();
            Assert.NotEmpty(targets);
            foreach (var target in targets)
            {
                AssertIsDatasourceVariable(target!["datasource"], $"{Title(panel)} {target["refId"]}");
            }

            var refIds = targets.Select(t => t!["refId"]!.GetValue<string>()).ToList();
            Assert.Equal(refIds.Count, refIds.Distinct().Count());
        }
    }

    [Fact]
    public void Build_EverySelectorFiltersOnTheApiVariableAndEveryQueryAggregates()
    {
        var violations = new List<string>();
        foreach (var query in Queries())
        {
            foreach (Match metric in MetricName().Matches(query.Expr))
            {
                var selector = SelectorAt(query.Expr, metric.Index + metric.Length);
                if (selector is null || !Matchers(selector).Contains(("api", "=~", "$api")))
                {
                    violations.Add($"{query}: {metric.Value} does not filter api=~\"$api\"");
                }
            }

            if (!Aggregation().IsMatch(query.Expr))
            {
                violations.Add($"{query}: no aggregation across instances");
            }
        }

        Assert.Empty(violations);
    }

    [Fact]
    public void Build_EveryMetricIsAFamilyOfThePrometheusExposition()
    {
        var families = Exposition.Value;
        var used = Queries().SelectMany(q => MetricName().Matches(q.Expr).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
        var variable = LabelValuesQuery().Match(Dashboard.Value["templating"]!["list"]![1]!["query"]!.GetValue<string>());
        Assert.True(variable.Success);

        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.True(families.ContainsKey(name), $"{name} is not a family of the exposition."));
        Assert.True(families.TryGetValue(variable.Groups["metric"].Value, out var requests));
        Assert.Contains(variable.Groups["label"].Value, requests!.Labels.Keys);
    }

    [Fact]
    public void Build_EveryLabelAQueryFiltersOrGroupsOnExistsOnItsFamily()
    {
        var families = Exposition.Value;
        var violations = new List<string>();
        foreach (var query in Queries())
        {
            var used = new List<Family>();
            foreach (Match metric in MetricName().Matches(query.Expr))
            {
                if (!families.TryGetValue(metric.Value, out var family))
                {
                    violations.Add($"{query}: unknown family {metric.Value}");
                    continue;
                }

                used.Add(family);
                foreach (var (label, op, value) in Matchers(SelectorAt(query.Expr, metric.Index + metric.Length) ?? ""))
                {
                    if (!family.Labels.TryGetValue(label, out var values))
                    {
                        violations.Add($"{query}: {metric.Value} has no label {label}");
                    }
                    else if (op == "=" && !values.Contains(value))
                    {
                        violations.Add($"{query}: {metric.Value} has no series with {label}=\"{value}\"");
                    }
                }
            }

            var grouping = GroupingLabels(query.Expr);
            foreach (var label in grouping.Where(l => !used.Any(f => f.Labels.ContainsKey(l))))
            {
                violations.Add($"{query}: groups by {label}, which none of its families has");
            }

            // A legend can only show labels the aggregation keeps.
            foreach (Match placeholder in LegendLabel().Matches(query.Legend))
            {
                if (!grouping.Contains(placeholder.Groups["label"].Value))
                {
                    violations.Add($"{query}: legend {placeholder.Value} is not kept by the aggregation");
                }
            }
        }

        Assert.Empty(violations);
    }

    [Fact]
    public void Build_RatesAndIncreasesApplyOnlyToCounters()
    {
        var families = Exposition.Value;
        var violations = new List<string>();
        var rated = 0;
        foreach (var query in Queries())
        {
            foreach (Match call in RangeFunction().Matches(query.Expr))
            {
                rated++;
                var name = call.Groups["metric"].Value;
                if (!families.TryGetValue(name, out var family) || family.Type != "counter")
                {
                    violations.Add($"{query}: {call.Groups["function"].Value}() over {name}, which is not a counter");
                }
            }

            // Any range selector at all must be a counter's, whatever function it feeds.
            foreach (Match selector in RangeSelector().Matches(query.Expr))
            {
                var name = selector.Groups["metric"].Value;
                if (!families.TryGetValue(name, out var family) || family.Type != "counter")
                {
                    violations.Add($"{query}: range selector over {name}, which is not a counter");
                }
            }
        }

        Assert.True(rated >= 10, $"Only {rated} rate()/increase() calls found; the extraction is probably broken.");
        Assert.Empty(violations);
    }

    [Fact]
    public void Build_CoversEveryTopicOfTheGuide()
    {
        var used = Queries().SelectMany(q => MetricName().Matches(q.Expr).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);

        // Request and success rate, latency percentiles, queue, circuit breaker, error categories, models, tokens,
        // retries and timeouts.
        Assert.Superset(
            new HashSet<string>(StringComparer.Ordinal)
            {
                "api_requests_total", "api_failures_total", "api_success_rate", "api_latency_milliseconds",
                "api_queue_size", "api_active_requests", "api_queue_rejections_total", "api_circuit_state",
                "api_circuit_open_total", "api_errors_total", "api_error_rate", "api_model_requests_total",
                "api_model_success_rate", "api_model_latency_milliseconds", "api_tokens_total",
                "api_model_tokens_total", "api_retries_total", "api_retry_attempts_total", "api_timeouts_total",
            },
            used);
        Assert.Contains(Queries(), q => q.Expr.Contains("by (api, percentile)", StringComparison.Ordinal));
        Assert.Contains(Queries(), q => q.Panel == "Spend rate"
            && q.Expr == "sum by (api) (rate(api_cost_usd_total{api=~\"$api\"}[$__rate_interval])) * 3600");
        Assert.Contains(Queries(), q => q.Expr.Contains("by (api, category)", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_CircuitStatePanelsMapZeroOneTwoToClosedHalfOpenOpen()
    {
        var mapped = Panels().Where(p => p["fieldConfig"]?["defaults"]?["mappings"] is JsonArray { Count: > 0 }).ToList();

        Assert.Contains(mapped, p => Type(p) == "state-timeline");
        Assert.All(mapped, panel =>
        {
            Assert.Contains(Type(panel), new[] { "state-timeline", "stat" });
            var target = Assert.Single(panel["targets"]!.AsArray());
            Assert.Matches(@"^max by \(api\) \(api_circuit_state\{", target!["expr"]!.GetValue<string>());
            var options = Assert.Single(panel["fieldConfig"]!["defaults"]!["mappings"]!.AsArray())!["options"]!;
            Assert.Equal(("CLOSED", "green"), Mapping(options, "0"));
            Assert.Equal(("HALF-OPEN", "yellow"), Mapping(options, "1"));
            Assert.Equal(("OPEN", "red"), Mapping(options, "2"));
        });
    }

    [Fact]
    public void Build_PerModelTableQueriesInstantTablesAndNamesEveryColumn()
    {
        var table = Assert.Single(Panels(), p => Type(p) == "table");
        var targets = table["targets"]!.AsArray().Select(t => t!.AsObject()).ToList();
        var organize = table["transformations"]!.AsArray().Single(t => t!["id"]!.GetValue<string>() == "organize")!["options"]!;

        Assert.True(targets.Count >= 3);
        Assert.All(targets, target =>
        {
            Assert.Equal("table", target["format"]!.GetValue<string>());
            Assert.True(target["instant"]!.GetValue<bool>());
            Assert.Contains("by (api, model)", target["expr"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.NotNull(organize["renameByName"]!["Value #" + target["refId"]!.GetValue<string>()]);
        });
        Assert.Contains(targets, t => t["expr"]!.GetValue<string>().Contains("api_model_latency_milliseconds", StringComparison.Ordinal));
        Assert.Contains(targets, t => t["expr"]!.GetValue<string>().Contains("api_model_success_rate", StringComparison.Ordinal));
    }

    private static void AssertIsDatasourceVariable(JsonNode? datasource, string where)
    {
        Assert.True(datasource is JsonObject, $"{where}: no datasource object");
        Assert.Equal("prometheus", datasource!["type"]?.GetValue<string>());
        Assert.Equal(DatasourceUid, datasource["uid"]?.GetValue<string>());
    }

    private static (string Text, string Color) Mapping(JsonNode options, string value) =>
        (options[value]!["text"]!.GetValue<string>(), options[value]!["color"]!.GetValue<string>());

    private static List<JsonObject> Panels()
    {
        var result = new List<JsonObject>();
        foreach (var panel in Dashboard.Value["panels"]!.AsArray())
        {
            result.Add(panel!.AsObject());
            if (panel["panels"] is JsonArray nested)
            {
                result.AddRange(nested.Select(p => p!.AsObject()));
            }
        }

        return result;
    }

    private static string Type(JsonObject panel) => panel["type"]!.GetValue<string>();

    private static string Title(JsonObject panel) => panel["title"]!.GetValue<string>();

    private static List<PanelQuery> Queries() =>
    [
        .. Panels()
            .Where(p => p["targets"] is JsonArray)
            .SelectMany(p => p["targets"]!.AsArray().Select(t => new PanelQuery(
                Title(p),
                t!["refId"]!.GetValue<string>(),
                t["expr"]!.GetValue<string>(),
                t["legendFormat"]?.GetValue<string>() ?? ""))),
    ];

    // The braces right after a metric name, or null when the name has none.
    private static string? SelectorAt(string expr, int index) =>
        index < expr.Length && expr[index] == '{' ? expr[(index + 1)..expr.IndexOf('}', index)] : null;

    private static List<(string Label, string Op, string Value)> Matchers(string selector) =>
        [.. LabelMatcher().Matches(selector).Select(m => (m.Groups["label"].Value, m.Groups["op"].Value, m.Groups["value"].Value))];

    private static HashSet<string> GroupingLabels(string expr) =>
    [
        .. Grouping().Matches(expr)
            .SelectMany(m => m.Groups["labels"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)),
    ];

    private static Dictionary<string, Family> ParseExposition(string text)
    {
        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                if (parts[3] == "histogram")
                {
                    // A histogram's series are counters of their own: _bucket (with le), _sum and _count.
                    foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
                    {
                        families.Add(parts[2] + suffix, new Family("counter", new Dictionary<string, HashSet<string>>(StringComparer.Ordinal)));
                    }
                }
                else
                {
                    families.Add(parts[2], new Family(parts[3], new Dictionary<string, HashSet<string>>(StringComparer.Ordinal)));
                }
            }
            else if (!line.StartsWith('#'))
            {
                var series = SeriesLine().Match(line);
                Assert.True(series.Success, $"Unexpected exposition line: {line}");
                var family = families[series.Groups["name"].Value];
                foreach (Match label in ExpositionLabel().Matches(series.Groups["labels"].Value))
                {
                    var name = label.Groups["label"].Value;
                    if (!family.Labels.TryGetValue(name, out var values))
                    {
                        family.Labels[name] = values = new HashSet<string>(StringComparer.Ordinal);
                    }

                    values.Add(label.Groups["value"].Value);
                }
            }
        }

        Assert.NotEmpty(families);
        return families;
    }

    private sealed record Family(string Type, Dictionary<string, HashSet<string>> Labels);

    private sealed record PanelQuery(string Panel, string RefId, string Expr, string Legend)
    {
        public override string ToString() => $"'{Panel}' {RefId}";
    }

    [GeneratedRegex(@"\bapi_[a-zA-Z0-9_]*(?=[{\[)\s]|$)")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"(?<label>[a-zA-Z_][a-zA-Z0-9_]*)\s*(?<op>=~|!~|!=|=)\s*""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelMatcher();

    [GeneratedRegex(@"(?<label>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex ExpositionLabel();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\{(?<labels>.*)\} \S+$")]
    private static partial Regex SeriesLine();

    [GeneratedRegex(@"\b(?<function>rate|irate|increase|delta|idelta|deriv)\s*\(\s*(?<metric>\w+)")]
    private static partial Regex RangeFunction();

    [GeneratedRegex(@"(?<metric>\w+)(?:\{[^}]*\})?\[")]
    private static partial Regex RangeSelector();

    [GeneratedRegex(@"\b(?:by|on|without|ignoring)\s*\((?<labels>[^)]*)\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\b(?:sum|min|max|avg|count)\s*(?:by\s*\([^)]*\)\s*)?\(")]
    private static partial Regex Aggregation();

    [GeneratedRegex(@"\{\{\s*(?<label>\w+)\s*\}\}")]
    private static partial Regex LegendLabel();

    [GeneratedRegex(@"^label_values\((?<metric>\w+),\s*(?<label>\w+)\)$")]
    private static partial Regex LabelValuesQuery();
}
