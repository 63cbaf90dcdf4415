namespace Resilience.Metrics.Tests.Architecture;

/// <summary>
/// The folder table of <c>docs/architecture.md</c>, enforced: a file of one folder may use a type of another only where
/// the table says the first knows the second. A new dependency is a decision: change the table here and in the doc.
/// </summary>
public sealed class LayeringTests
{
    // Folder → the folders its files may use. Lower layers first; no cycles.
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Text"] = [],
        ["Validation"] = [],
        ["Collection"] = ["Text"],
        ["Classification"] = ["Collection", "Text"],
        ["Backends"] = ["Collection", "Text"],
        ["Telemetry"] = ["Collection", "Backends", "Text"],
        ["Strategies"] = ["Collection", "Classification", "Backends", "Telemetry", "Text", "Validation"],
        ["Reporting"] = ["Collection", "Reporting/Formatting", "Text"],
        ["Reporting/Formatting"] = ["Reporting", "Collection"],
        ["Alerts"] = ["Reporting", "Reporting/Formatting", "Collection", "Telemetry", "Validation"],
        ["DependencyInjection"] = ["Collection", "Classification", "Backends", "Telemetry", "Strategies", "Reporting", "Alerts", "Text", "Validation"],
    };

    [Fact]
    public void Every_folder_of_the_core_is_in_the_table()
    {
        var folders = Directory.EnumerateFiles(SourceDependencies.CoreSourceDirectory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Select(SourceDependencies.LayerOf)
            .ToHashSet();

        Assert.Empty(folders.Except(Allowed.Keys));
    }

    [Fact]
    public void No_folder_uses_a_folder_the_table_says_it_does_not_know()
    {
        var crossings = SourceDependencies.Edges
            .Where(e => !Allowed.TryGetValue(e.From, out var known) || !known.Contains(e.To))
            .Select(e => $"{e.File} ({e.From}) uses {e.Type} ({e.To})")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(crossings.Count == 0, "Dependencies the architecture table does not allow:\n" + string.Join('\n', crossings));
    }

    [Fact]
    public void Reports_and_gauges_read_counters_by_name_never_by_the_collector_s_slots()
    {
        // Where a counter lives (RecordedMetrics' and ModelStats' slots) is the collector's business: readers get CounterTotals.
        var slotUse = new System.Text.RegularExpressions.Regex(@"(Sum\(|\[)(RecordedMetrics|ModelStats)\.[A-Z]");
        var offenders = Directory.EnumerateFiles(SourceDependencies.CoreSourceDirectory, "*.cs", SearchOption.AllDirectories)
            .Where(f => SourceDependencies.LayerOf(f) is "Reporting" or "Reporting/Formatting" or "Telemetry" or "Alerts")
            .Where(f => slotUse.IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(SourceDependencies.CoreSourceDirectory, f))
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void The_scan_sees_the_dependencies_it_is_meant_to_police()
    {
        // Guards against a scan that binds nothing (a missing reference would make every check above pass).
        Assert.Contains(SourceDependencies.Edges, e => e is { From: "Strategies", To: "Collection", Type: "IMetricsCollector" });
        Assert.Contains(SourceDependencies.Edges, e => e is { From: "Reporting/Formatting", To: "Reporting", Type: "MetricsReport" });
        Assert.Contains(SourceDependencies.Edges, e => e is { From: "DependencyInjection", To: "Strategies" });
    }
}
