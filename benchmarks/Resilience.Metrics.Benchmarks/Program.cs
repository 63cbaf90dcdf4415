using BenchmarkDotNet.Running;
using Resilience.Metrics.Benchmarks;

// --quick: the key comparisons with a short in-process job, their ratios and targets, and the accuracy table.
// --accuracy / --memory: only the (non-timing) percentile accuracy or retained-memory table.
// --interleaved [pipeline|breakdown|contention|http|loopback|reports|json|stream|body-breakdown ...]: the paired interleaved measurement only.
// --profile Class.Method [seconds]: one benchmark method in a loop, for perf.
// --measure Class.Method warmup-s measure-s: one benchmark method warmed up, then timed (the child process of --quick).
// Anything else goes to BenchmarkDotNet's switcher (default: --filter *).
if (args.Contains("--quick"))
{
    return QuickRun.Run();
}

if (args.Contains("--accuracy"))
{
    return PercentileAccuracy.Print(PercentileAccuracy.Measure(), Console.Out) ? 0 : 1;
}

if (args is ["--profile", var method, ..])
{
    // Runs one benchmark method in a loop (default 20 s) for an external profiler: perf record -g -p <pid>.
    return ProfileLoop.Profile(method, args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20);
}

if (args is ["--measure", var measured, var warmup, var seconds])
{
    return ProfileLoop.Measure(measured, double.Parse(warmup, System.Globalization.CultureInfo.InvariantCulture), double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture));
}

if (args is ["--interleaved", .. var suites])
{
    var all = new (string Name, Func<Dictionary<string, Interleaved.Result>> Run)[]
    {
        ("pipeline", () => InterleavedSuites.Pipeline()), ("breakdown", () => InterleavedSuites.Breakdown()),
        ("contention", () => InterleavedSuites.Contention()), ("http", () => InterleavedSuites.Http()),
        ("loopback", () => InterleavedSuites.Loopback()), ("reports", () => InterleavedSuites.Reports([10_000, 1_000_000, 10_000_000])),
        ("json", () => InterleavedSuites.Bodies().Json), ("stream", () => InterleavedSuites.Bodies().Stream),
        ("body-breakdown", () => InterleavedSuites.BodyBreakdown()),
    };
    foreach (var (suite, run) in all.Where(s => suites.Length == 0 || suites.Contains(s.Name)))
    {
        var results = run();
        var baseline = results.Values.First();
        foreach (var result in results.Values)
        {
            var counter = double.IsNaN(result.CounterMedian) ? string.Empty : $", CPU {Interleaved.Ns(result.CounterMedian)} ns";
            Console.WriteLine($"{suite} {result.Name}: median {Interleaved.Ns(result.Median)} ns, p10 {Interleaved.Ns(result.Low)} ns, minus {baseline.Name} {Interleaved.Ns(result.MedianDifference(baseline))} ns{counter}, {result.BytesPerOp:F1} B/op");
        }
    }

    return 0;
}

if (args.Contains("--memory"))
{
    MemoryFootprint.Print(MemoryFootprint.Measure([10_000, 1_000_000, 10_000_000]), Console.Out);
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(PipelineBenchmarks).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args);
return 0;
