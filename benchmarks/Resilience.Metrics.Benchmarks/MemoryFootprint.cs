using System.Globalization;
using Resilience.Metrics.Benchmarks.Guide;

namespace Resilience.Metrics.Benchmarks;

/// <summary>
/// Retained memory of one backend's recorded state after N requests (GC heap after a full collection, before minus
/// after), for the library's collector and for the guide's lists. Not a timing benchmark.
/// </summary>
internal static class MemoryFootprint
{
    public sealed record Row(int Requests, long OursBytes, long GuideBytes);

    public static IReadOnlyList<Row> Measure(IEnumerable<int> sizes)
    {
        // A first, discarded round pays for one-time statics (meters, pools, type loading).
        MeasureOne(1_000);
        return [.. sizes.Select(MeasureOne)];
    }

    private static Row MeasureOne(int n)
    {
        var before = Settled();
        var collector = new MetricsCollector();
        ReportData.Fill(collector, "bench", n);
        var ours = Settled() - before;
        GC.KeepAlive(collector);
        collector.Dispose();
        collector = null;

        before = Settled();
        var guide = new GuideMetrics("bench");
        ReportData.Fill(guide, n);
        var theirs = Settled() - before;
        GC.KeepAlive(guide);
        guide = null;
        return new Row(n, ours, theirs);
    }

    private static long Settled()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    public static void Print(IReadOnlyList<Row> rows, TextWriter output)
    {
        output.WriteLine("Retained memory of one backend's recorded state after N requests (GC heap, full collection):");
        output.WriteLine();
        output.WriteLine("| requests | library collector | guide's lists |");
        output.WriteLine("|---:|---:|---:|");
        foreach (var row in rows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {row.Requests:N0} | {Kb(row.OursBytes)} | {Kb(row.GuideBytes)} |"));
        }
    }

    internal static string Kb(double bytes) => bytes switch
    {
        >= 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1 << 20):N1} MiB"),
        >= 1 << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1 << 10):N1} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} B"),
    };
}
