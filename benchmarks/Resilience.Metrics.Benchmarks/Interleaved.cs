using System.Diagnostics;
using System.Globalization;

namespace Resilience.Metrics.Benchmarks;

/// <summary>
/// A paired, interleaved measurement for a shared machine. BenchmarkDotNet measures one variant after another, so a
/// build that starts on another core halfway through a run lands on some variants and not others. Here every round
/// runs a burst of every variant, in a shuffled order, back to back; a variant's figure is its median over rounds, and
/// a difference between two variants is the median of their per-round differences, so load that comes and goes hits
/// both sides of a comparison alike. Allocations are counted exactly (bytes allocated by the calling thread).
/// </summary>
internal static class Interleaved
{
    /// <summary>A variant: runs its operation <c>count</c> times and returns how many operations that was (per thread).</summary>
    public sealed record Variant(string Name, Func<int, long> Run, Func<long>? Counter = null);

    public sealed class Result(string name, double[] nsPerOp, double bytesPerOp, double[] counterPerOp)
    {
        /// <summary>The variant's counter (for example CPU ns) per operation, median over rounds; NaN without a counter.</summary>
        public double CounterMedian => counterPerOp.Length == 0 ? double.NaN : Percentile(counterPerOp, 0.5);

        /// <summary>The median over rounds of this variant's counter per operation divided by <paramref name="other"/>'s.</summary>
        public double CounterMedianRatio(Result other) => Percentile([.. counterPerOp.Zip(other.CounterRounds, static (x, y) => x / y)], 0.5);

        public double[] CounterRounds => counterPerOp;

        public string Name => name;

        /// <summary>ns per operation of each round, in round order.</summary>
        public double[] Rounds => nsPerOp;

        public double Median => Percentile(nsPerOp, 0.5);

        public double Low => Percentile(nsPerOp, 0.1);

        public double BytesPerOp => bytesPerOp;

        /// <summary>The median over rounds of this variant's time minus <paramref name="other"/>'s in the same round.</summary>
        public double MedianDifference(Result other) => Percentile([.. nsPerOp.Zip(other.Rounds, static (x, y) => x - y)], 0.5);

        /// <summary>The median over rounds of this variant's time divided by <paramref name="other"/>'s in the same round.</summary>
        public double MedianRatio(Result other) => Percentile([.. nsPerOp.Zip(other.Rounds, static (x, y) => x / y)], 0.5);
    }

    public static Dictionary<string, Result> Measure(IReadOnlyList<Variant> variants, TimeSpan burst, int rounds, TimeSpan warmup)
    {
        // Calibrate: how many operations fill a burst, per variant (after a warm-up that lets the JIT reach tier 1).
        var counts = new int[variants.Count];
        var warmupEnd = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        do
        {
            for (var v = 0; v < variants.Count; v++)
            {
                var n = 1;
                while (true)
                {
                    var start = Stopwatch.GetTimestamp();
                    variants[v].Run(n);
                    var elapsed = Stopwatch.GetElapsedTime(start);
                    if (elapsed >= burst / 4 || n >= 1 << 26)
                    {
                        counts[v] = (int)Math.Max(1, n * (burst / elapsed));
                        break;
                    }

                    n *= 2;
                }
            }
        }
        while (Stopwatch.GetTimestamp() < warmupEnd);

        var times = variants.Select(_ => new double[rounds]).ToArray();
        var counters = variants.Select(v => v.Counter is null ? [] : new double[rounds]).ToArray();
        var bytes = new long[variants.Count];
        var ops = new long[variants.Count];
        var order = Enumerable.Range(0, variants.Count).ToArray();
        var random = new Random(12345);
        for (var r = 0; r < rounds; r++)
        {
            random.Shuffle(order);
            foreach (var v in order)
            {
                var counterStart = variants[v].Counter?.Invoke() ?? 0;
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                var start = Stopwatch.GetTimestamp();
                var done = variants[v].Run(counts[v]);
                var elapsed = Stopwatch.GetElapsedTime(start);
                if (variants[v].Counter is { } counter)
                {
                    counters[v][r] = (counter() - counterStart) / (double)done;
                }

                bytes[v] += GC.GetAllocatedBytesForCurrentThread() - allocated;
                ops[v] += done;
                times[v][r] = elapsed.TotalNanoseconds / done;
            }
        }

        var results = new Dictionary<string, Result>(StringComparer.Ordinal);
        for (var v = 0; v < variants.Count; v++)
        {
            results[variants[v].Name] = new Result(variants[v].Name, times[v], bytes[v] / (double)ops[v], counters[v]);
        }

        return results;
    }

    private static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        var position = p * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = (int)Math.Ceiling(position);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (position - lower));
    }

    public static string Ns(double ns) => ns.ToString("F1", CultureInfo.InvariantCulture);
}
