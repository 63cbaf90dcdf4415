using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Resilience.Metrics;

/// <content>The JSON of panels, queries, overrides and templates that both dashboards are built from.</content>
internal static partial class GrafanaDashboard
{
    /// <summary>A dashboard's JSON model: the settings both dashboards share around their own uid, title, variables and panels.</summary>
    private static JsonObject Dashboard(string uid, string title, string description, JsonArray tags, JsonArray templates, JsonArray panels) => new()
    {
        ["id"] = null,
        ["uid"] = uid,
        ["title"] = title,
        ["description"] = description,
        ["tags"] = tags,
        ["schemaVersion"] = SchemaVersion,
        ["version"] = 1,
        ["editable"] = true,
        ["graphTooltip"] = 1, // shared crosshair
        ["fiscalYearStartMonth"] = 0,
        ["liveNow"] = false,
        ["refresh"] = "10s",
        ["time"] = new JsonObject { ["from"] = "now-1h", ["to"] = "now" },
        ["timepicker"] = new JsonObject
        {
            ["refresh_intervals"] = new JsonArray("5s", "10s", "30s", "1m", "5m", "15m", "1h"),
        },
        ["timezone"] = "browser",
        ["weekStart"] = "",
        ["links"] = new JsonArray(),
        ["annotations"] = new JsonObject { ["list"] = new JsonArray(BuiltInAnnotation()) },
        ["templating"] = new JsonObject { ["list"] = templates },
        ["panels"] = panels,
    };

    /// <summary>The dashboard as indented JSON, ready for Grafana's "Import dashboard".</summary>
    private static string Write(JsonObject dashboard, int sizeHint)
    {
        using var buffer = new PooledByteBufferWriter(sizeHint);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            NewLine = "\n",
            // Keeps PromQL's quotes and the title's dash readable; the output is JSON, never inlined into HTML here.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            dashboard.WriteTo(writer);
        }

        return buffer.ToUtf8String();
    }

    private static JsonObject TimeSeries(
        string title,
        string description,
        string unit,
        JsonObject[] targets,
        double? min = 0,
        double? max = null,
        JsonArray? thresholds = null,
        bool stacked = false,
        bool bars = false,
        JsonObject[]? overrides = null)
    {
        var defaults = new JsonObject
        {
            ["unit"] = unit,
            ["color"] = new JsonObject { ["mode"] = "palette-classic" },
            ["thresholds"] = Thresholds(thresholds ?? Steps(("green", null))),
            ["custom"] = new JsonObject
            {
                ["drawStyle"] = bars ? "bars" : "line",
                ["lineWidth"] = 1,
                ["fillOpacity"] = stacked || bars ? 60 : 10,
                ["gradientMode"] = "none",
                ["lineInterpolation"] = "linear",
                ["showPoints"] = "never",
                ["spanNulls"] = false,
                ["axisPlacement"] = "auto",
                ["stacking"] = new JsonObject { ["mode"] = stacked ? "normal" : "none", ["group"] = "A" },
                ["thresholdsStyle"] = new JsonObject { ["mode"] = thresholds is null ? "off" : "dashed" },
            },
        };
        if (min is { } low)
        {
            defaults["min"] = low;
        }

        if (max is { } high)
        {
            defaults["max"] = high;
        }

        var panel = Panel("timeseries", title, description);
        panel["fieldConfig"] = new JsonObject { ["defaults"] = defaults, ["overrides"] = ToJsonArray(overrides) };
        panel["options"] = new JsonObject
        {
            ["legend"] = new JsonObject
            {
                ["showLegend"] = true,
                ["displayMode"] = "table",
                ["placement"] = "right",
                ["calcs"] = new JsonArray("mean", "max", "lastNotNull"),
            },
            ["tooltip"] = new JsonObject { ["mode"] = "multi", ["sort"] = "desc" },
        };
        panel["targets"] = ToJsonArray(targets);
        return panel;
    }

    private static JsonObject Stat(
        string title,
        string description,
        string unit,
        JsonObject target,
        JsonArray steps,
        bool graph = true,
        bool byName = false,
        JsonArray? mappings = null)
    {
        var panel = Panel("stat", title, description);
        panel["fieldConfig"] = new JsonObject
        {
            ["defaults"] = new JsonObject
            {
                ["unit"] = unit,
                ["color"] = new JsonObject { ["mode"] = "thresholds" },
                ["thresholds"] = Thresholds(steps),
                ["mappings"] = mappings ?? new JsonArray(),
            },
            ["overrides"] = new JsonArray(),
        };
        panel["options"] = new JsonObject
        {
            ["reduceOptions"] = new JsonObject
            {
                ["calcs"] = new JsonArray("lastNotNull"),
                ["fields"] = "",
                ["values"] = false,
            },
            ["orientation"] = "auto",
            ["textMode"] = byName ? "value_and_name" : "value",
            ["colorMode"] = byName ? "background" : "value",
            ["graphMode"] = graph ? "area" : "none",
            ["justifyMode"] = "auto",
            ["wideLayout"] = true,
            ["showPercentChange"] = false,
        };
        panel["targets"] = new JsonArray(target);
        return panel;
    }

    private static JsonObject StateTimeline(string title, string description, JsonObject target)
    {
        var panel = Panel("state-timeline", title, description);
        panel["fieldConfig"] = new JsonObject
        {
            ["defaults"] = new JsonObject
            {
                ["color"] = new JsonObject { ["mode"] = "thresholds" },
                ["thresholds"] = Thresholds(CircuitSteps()),
                ["mappings"] = CircuitStateMappings(),
                ["custom"] = new JsonObject { ["lineWidth"] = 0, ["fillOpacity"] = 80, ["spanNulls"] = false },
            },
            ["overrides"] = new JsonArray(),
        };
        panel["options"] = new JsonObject
        {
            ["mergeValues"] = true,
            ["showValue"] = "auto",
            ["alignValue"] = "left",
            ["rowHeight"] = 0.9,
            ["legend"] = new JsonObject { ["showLegend"] = true, ["displayMode"] = "list", ["placement"] = "bottom" },
            ["tooltip"] = new JsonObject { ["mode"] = "single", ["sort"] = "none" },
        };
        panel["targets"] = new JsonArray(target);
        return panel;
    }

    private static JsonObject Panel(string type, string title, string description) => new()
    {
        ["type"] = type,
        ["title"] = title,
        ["description"] = description,
        ["datasource"] = Datasource(),
    };

    private enum QueryFormat
    {
        Range,
        Instant,
        Table,
    }

    private static JsonObject Query(string refId, string expr, string legend = "__auto", QueryFormat format = QueryFormat.Range)
    {
        var instant = format != QueryFormat.Range;
        return new JsonObject
        {
            ["refId"] = refId,
            ["datasource"] = Datasource(),
            ["editorMode"] = "code",
            ["expr"] = expr,
            ["legendFormat"] = legend,
            ["format"] = format == QueryFormat.Table ? "table" : "time_series",
            ["range"] = !instant,
            ["instant"] = instant,
        };
    }

    // A JsonNode has one parent: every panel and query gets its own copy.
    private static JsonObject Datasource() => new() { ["type"] = "prometheus", ["uid"] = DatasourceVariable };

    private static JsonArray ToJsonArray(JsonObject[]? items)
    {
        var array = new JsonArray();
        foreach (var item in items ?? [])
        {
            array.Add(item);
        }

        return array;
    }

    private static JsonArray Steps(params ReadOnlySpan<(string Color, double? Value)> steps)
    {
        var array = new JsonArray();
        foreach (var (color, value) in steps)
        {
            // The first step's value is null: it applies from minus infinity.
            array.Add(new JsonObject { ["color"] = color, ["value"] = value });
        }

        return array;
    }

    private static JsonObject Thresholds(JsonArray steps) => new() { ["mode"] = "absolute", ["steps"] = steps };

    // 0 = CLOSED, 1 = HALF-OPEN, 2 = OPEN, as api_circuit_state reports them.
    private static JsonArray CircuitSteps() => Steps(("green", null), ("yellow", 1), ("red", 2));

    private static JsonArray CircuitStateMappings() => new(new JsonObject
    {
        ["type"] = "value",
        ["options"] = new JsonObject
        {
            ["0"] = new JsonObject { ["text"] = "CLOSED", ["color"] = "green", ["index"] = 0 },
            ["1"] = new JsonObject { ["text"] = "HALF-OPEN", ["color"] = "yellow", ["index"] = 1 },
            ["2"] = new JsonObject { ["text"] = "OPEN", ["color"] = "red", ["index"] = 2 },
        },
    });

    private static JsonObject DashedQuery(string refId) => QueryOverride(refId, new JsonArray(
        Property("custom.lineStyle", new JsonObject { ["fill"] = "dash", ["dash"] = new JsonArray(10, 10) })));

    private static JsonObject RightAxisQuery(string refId, string unit) => QueryOverride(refId, new JsonArray(
        Property("unit", unit),
        Property("custom.axisPlacement", "right"),
        Property("custom.lineStyle", new JsonObject { ["fill"] = "dash", ["dash"] = new JsonArray(10, 10) })));

    private static JsonObject QueryOverride(string refId, JsonArray properties) => new()
    {
        ["matcher"] = new JsonObject { ["id"] = "byFrameRefID", ["options"] = refId },
        ["properties"] = properties,
    };

    private static JsonObject ColumnOverride(string column, string unit, int decimals, JsonArray? colorSteps = null)
    {
        var properties = new JsonArray(Property("unit", unit), Property("decimals", decimals));
        if (colorSteps is not null)
        {
            properties.Add(Property("custom.cellOptions", new JsonObject { ["type"] = "color-text" }));
            properties.Add(Property("thresholds", Thresholds(colorSteps)));
        }

        return new JsonObject
        {
            ["matcher"] = new JsonObject { ["id"] = "byName", ["options"] = column },
            ["properties"] = properties,
        };
    }

    private static JsonObject Property(string id, JsonNode? value) => new() { ["id"] = id, ["value"] = value };

    private static JsonObject BuiltInAnnotation() => new()
    {
        ["builtIn"] = 1,
        ["datasource"] = new JsonObject { ["type"] = "grafana", ["uid"] = "-- Grafana --" },
        ["enable"] = true,
        ["hide"] = true,
        ["iconColor"] = "rgba(0, 211, 255, 1)",
        ["name"] = "Annotations & Alerts",
        ["type"] = "dashboard",
    };

    private static JsonObject DatasourceTemplate() => new()
    {
        ["type"] = "datasource",
        ["name"] = "datasource",
        ["label"] = "Data source",
        ["query"] = "prometheus",
        ["current"] = new JsonObject(),
        ["hide"] = 0,
        ["includeAll"] = false,
        ["multi"] = false,
        ["options"] = new JsonArray(),
        ["refresh"] = 1,
        ["regex"] = "",
        ["skipUrlSync"] = false,
    };
}
