using System.Text;

namespace Resilience.Metrics;

/// <summary>
/// One family of <c>/monitoring/metrics</c>: its name, type, unit, help, labels (besides <c>api</c>), how its series are
/// read from a report, and the OpenTelemetry instrument that carries the same measurement, when one does.
/// </summary>
internal sealed class MetricFamily
{
    public MetricFamily(string name, MetricKind kind, string unit, string help, string[] labels, SeriesWriter write, string? openTelemetry = null)
    {
        Name = name;
        Kind = kind;
        Unit = unit;
        Help = help;
        Labels = labels;
        Write = write;
        OpenTelemetry = openTelemetry;
        NameUtf8 = Encoding.UTF8.GetBytes(name);
        HelpUtf8 = Encoding.UTF8.GetBytes(help);
    }

    public string Name { get; }

    public MetricKind Kind { get; }

    /// <summary>The unit (<c>seconds</c>, <c>ratio</c>, <c>requests</c>, ...), for documentation.</summary>
    public string Unit { get; }

    public string Help { get; }

    /// <summary>Labels besides <c>api</c>, in the order they are written.</summary>
    public IReadOnlyList<string> Labels { get; }

    public SeriesWriter Write { get; }

    /// <summary>The OpenTelemetry instrument with the same measurement (<c>api.client.requests</c>), or null.</summary>
    public string? OpenTelemetry { get; }

    internal byte[] NameUtf8 { get; }

    internal byte[] HelpUtf8 { get; }

    public override string ToString() => Name;
}
