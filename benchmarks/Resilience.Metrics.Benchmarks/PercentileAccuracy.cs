using System.Globalization;

namespace Resilience.Metrics.Benchmarks;

/// <summary>
/// Suite 5 (not a timing benchmark): the reporter's p50/p90/p95/p99 against the exact values, the guide's rank
/// <c>sorted[int(n*p)]</c>, for 10^6 samples of several latency shapes, recorded through the collector.
/// </summary>
internal static class PercentileAccuracy
{
    public const double Target = 0.01;
    private const int Samples = 1_000_000;
    private static readonly double[] Percentiles = [50, 90, 95, 99];

    public sealed record Row(string DataSet, double Percentile, double Exact, double Reported)
    {
        public double RelativeError => Exact == 0 ? Math.Abs(Reported) : Math.Abs(Reported - Exact) / Exact;
    }

    public static IReadOnlyList<Row> Measure()
    {
        var sets = new (string Name, Func<Random, double> Sample)[]
        {
            ("log-normal (median 200 ms, sigma 0.6)", static r => BenchData.LogNormal(r, Math.Log(200), 0.6)),
            ("log-normal wide (median 500 ms, sigma 1.5)", static r => BenchData.LogNormal(r, Math.Log(500), 1.5)),
            ("bimodal (70% ~40 ms, 30% ~1.5 s)", static r => r.NextDouble() < 0.7
                ? Math.Max(1, 40 + (8 * BenchData.StandardNormal(r)))
                : BenchData.LogNormal(r, Math.Log(1500), 0.3)),
            ("log-normal fast (median 50 us, sigma 0.8)", static r => BenchData.LogNormal(r, Math.Log(0.05), 0.8)),
        };

        var rows = new List<Row>();
        foreach (var (name, sample) in sets)
        {
            var random = new Random(7);
            var ticks = new long[Samples];
            for (var i = 0; i < ticks.Length; i++)
            {
                ticks[i] = Math.Max(0, (long)Math.Round(sample(random) * TimeSpan.TicksPerMillisecond));
            }

            using var collector = new MetricsCollector();
            var reporter = new MetricsReporter(collector);
            var key = collector.RegisterBackend("accuracy");
            foreach (var t in ticks)
            {
                collector.RecordRequest(new RequestCompleted(key) { Latency = new TimeSpan(t), Succeeded = true, Attempts = 1 });
            }

            var reported = reporter.GetLatencyMetrics("accuracy").Percentiles;
            Array.Sort(ticks);
            foreach (var p in Percentiles)
            {
                var exact = ticks[(int)(ticks.Length * (p / 100.0))] / (double)TimeSpan.TicksPerMillisecond;
                rows.Add(new Row(name, p, exact, reported[MetricsReporter.PercentileKey(p)]));
            }
        }

        return rows;
    }

    public static bool Print(IReadOnlyList<Row> rows, TextWriter output)
    {
        output.WriteLine($"Percentile accuracy: {Samples:N0} samples per set, exact = sorted[int(n*p)], target <= {Target:P0} relative error");
        output.WriteLine();
        output.WriteLine("| data set | percentile | exact (ms) | reported (ms) | relative error |");
        output.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.DataSet} | p{row.Percentile} | {row.Exact:F4} | {row.Reported:F4} | {row.RelativeError:P3} |"));
        }

        var worst = rows.Max(r => r.RelativeError);
        var met = worst <= Target;
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"worst relative error {worst:P3} -> {(met ? "MET" : "MISSED")}"));
        return met;
    }
}
