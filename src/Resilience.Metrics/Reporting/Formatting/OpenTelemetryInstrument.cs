using System.Text;

namespace Resilience.Metrics;

/// <summary>
/// An instrument of the <c>Resilience.Metrics</c> meter and the name OpenTelemetry's Prometheus exporter gives it:
/// dots become underscores, the unit is appended (<c>s</c> as <c>_seconds</c>; annotations such as
/// <c>{request}</c> are dropped) and counters end in <c>_total</c>.
/// </summary>
internal sealed class OpenTelemetryInstrument
{
    public OpenTelemetryInstrument(string name, MetricKind kind, string unit)
    {
        Name = name;
        Kind = kind;
        Unit = unit;
        Prometheus = PrometheusName(name, kind, unit);
    }

    /// <summary>The instrument's name (<c>api.client.requests</c>).</summary>
    public string Name { get; }

    /// <summary>Counter, gauge (observable gauges and up-down counters) or histogram.</summary>
    public MetricKind Kind { get; }

    /// <summary>The instrument's UCUM unit (<c>s</c>, <c>{request}</c>).</summary>
    public string Unit { get; }

    /// <summary>The family the exporter writes (<c>api_client_requests_total</c>; a histogram's base name).</summary>
    public string Prometheus { get; }

    /// <summary>The label an attribute becomes (<c>api.backend</c> → <c>api_backend</c>).</summary>
    public static string Label(string attribute) => Sanitize(attribute);

    public override string ToString() => Prometheus;

    private static string PrometheusName(string name, MetricKind kind, string unit)
    {
        var result = Sanitize(name);

        // Annotations in braces carry no unit; the exporter drops them.
        var suffix = unit switch
        {
            "s" => "seconds",
            "ms" => "milliseconds",
            "By" => "bytes",
            "1" => "ratio",
            _ when unit.StartsWith('{') => "",
            _ => Sanitize(unit),
        };
        if (suffix.Length > 0 && !result.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            result += "_" + suffix;
        }

        if (kind == MetricKind.Counter && !result.EndsWith("_total", StringComparison.Ordinal))
        {
            result += "_total";
        }

        return result;
    }

    private static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || c == ':' ? c : '_');
        }

        return builder.ToString();
    }
}
