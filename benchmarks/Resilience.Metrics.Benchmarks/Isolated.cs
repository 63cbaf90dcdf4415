using System.Diagnostics;
using System.Globalization;

namespace Resilience.Metrics.Benchmarks;

/// <summary>
/// Every variant in a process of its own, as BenchmarkDotNet's default job runs it (so no variant's code is compiled
/// from a profile that other variants shaped), but in rounds that run the variants one after the other, in a new
/// order every round, so load from other processes on this shared machine falls on all of them alike. A difference
/// is the median of the per-round differences. Each child reports wall-clock and thread-CPU time per call: on a
/// machine whose cores other processes take turns on, wall time also counts the time the child waited for a core,
/// CPU time does not.
/// </summary>
internal static class Isolated
{
    /// <summary>ns per call of every round, by method: wall clock, and the measuring thread's CPU clock.</summary>
    public sealed record Results(Dictionary<string, double[]> Wall, Dictionary<string, double[]> Cpu);

    public static Results Measure(IReadOnlyList<string> methods, int rounds, double warmupSeconds, double measureSeconds)
    {
        var wall = methods.ToDictionary(m => m, _ => new double[rounds], StringComparer.Ordinal);
        var cpu = methods.ToDictionary(m => m, _ => new double[rounds], StringComparer.Ordinal);
        var random = new Random(17);
        for (var round = 0; round < rounds; round++)
        {
            foreach (var method in methods.OrderBy(_ => random.Next()))
            {
                (wall[method][round], cpu[method][round]) = RunChild(method, warmupSeconds, measureSeconds);
            }
        }

        return new Results(wall, cpu);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static double MedianDifference(double[] minuend, double[] subtrahend) => Median(minuend.Zip(subtrahend, (x, y) => x - y));

    public static double MedianRatio(double[] numerator, double[] denominator) => Median(numerator.Zip(denominator, (x, y) => x / y));

    private static (double Wall, double Cpu) RunChild(string method, double warmupSeconds, double measureSeconds)
    {
        // The apphost when started by `dotnet run`; `dotnet` itself when started as `dotnet the.dll`.
        var host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(Isolated).Assembly.Location);
        }

        foreach (var argument in new[] { "--measure", method, warmupSeconds.ToString(CultureInfo.InvariantCulture), measureSeconds.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        var reading = child.StandardOutput.ReadToEndAsync();

        // Start-up, set-up and the two spans take seconds; a child that hangs must not hang the quick run.
        if (!child.WaitForExit(TimeSpan.FromSeconds(warmupSeconds + measureSeconds + 60)))
        {
            child.Kill(entireProcessTree: true);
            throw new TimeoutException($"{method} did not finish its measurement.");
        }

        var output = reading.GetAwaiter().GetResult();
        double Read(string prefix)
        {
            var line = output.Split('\n').LastOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"{method} printed no measurement (exit code {child.ExitCode}): {output}");
            return double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
        }

        return (Read("ns-per-call: "), Read("cpu-ns-per-call: "));
    }
}
