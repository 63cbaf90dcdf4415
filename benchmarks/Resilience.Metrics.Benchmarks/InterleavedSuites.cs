namespace Resilience.Metrics.Benchmarks;

/// <summary>Suites 1 to 3 measured the <see cref="Interleaved"/> way, reusing the benchmark classes' setups.</summary>
internal static class InterleavedSuites
{
    public static Dictionary<string, Interleaved.Result> Pipeline(int rounds = 60)
    {
        var bench = new PipelineBenchmarks();
        bench.Setup();
        try
        {
            // (e) shares the monitoring strategy's code with (d): it is measured in a second set, after (d)'s code was
            // compiled from (d)'s own profile, and paired with (d) there (its target is about allocation).
            var results = Interleaved.Measure(
            [
                new("a", n => Loop(n, bench.A_Empty)),
                new("b", n => Loop(n, bench.B_Polly)),
                new("c", n => Loop(n, bench.C_PollyTelemetry)),
                new("d", n => Loop(n, bench.D_Monitored)),
                new("f", n => Loop(n, bench.F_Guide)),
            ], TimeSpan.FromMilliseconds(20), rounds, TimeSpan.FromSeconds(3));
            var tracing = Interleaved.Measure(
            [
                new("d", n => Loop(n, bench.D_Monitored)),
                new("e", n => Loop(n, bench.E_MonitoredTracing)),
            ], TimeSpan.FromMilliseconds(20), rounds / 2, TimeSpan.FromSeconds(1));
            results["e"] = tracing["e"];
            results["d (with e)"] = tracing["d"];
            return results;
        }
        finally
        {
            bench.Cleanup();
        }
    }

    /// <summary>Suite 4's library side: one collector per size, every size's report in every round.</summary>
    public static Dictionary<string, Interleaved.Result> Reports(IReadOnlyList<int> sizes, int rounds = 40)
    {
        var collectors = sizes.Select(n =>
        {
            var collector = new MetricsCollector();
            ApiMonitoringTelemetry.Publish(collector);
            ReportData.Fill(collector, "bench", n);
            return (N: n, Collector: collector, Reporter: new MetricsReporter(collector));
        }).ToArray();
        try
        {
            var variants = new List<Interleaved.Variant>();
            foreach (var (n, _, reporter) in collectors)
            {
                variants.Add(new($"report/{n}", count => Loop(count, () => reporter.GetMetricsReport("bench"))));
                variants.Add(new($"prometheus/{n}", count => Loop(count, reporter.GetPrometheusMetrics)));
            }

            return Interleaved.Measure(variants, TimeSpan.FromMilliseconds(10), rounds, TimeSpan.FromSeconds(2));
        }
        finally
        {
            foreach (var (_, collector, _) in collectors)
            {
                collector.Dispose();
            }
        }
    }

    public static Dictionary<string, Interleaved.Result> Breakdown(int rounds = 60)
    {
        var bench = new BreakdownBenchmarks();
        bench.Setup();
        try
        {
            return Interleaved.Measure(
            [
                new("Empty", n => Loop(n, bench.Empty)),
                new("Polly_ConcurrencyLimiter", n => Loop(n, bench.Polly_ConcurrencyLimiter)),
                new("Polly_Retry", n => Loop(n, bench.Polly_Retry)),
                new("Polly_CircuitBreaker", n => Loop(n, bench.Polly_CircuitBreaker)),
                new("Ours_RequestMonitoring", n => Loop(n, bench.Ours_RequestMonitoring)),
                new("Ours_Queue", n => Loop(n, bench.Ours_Queue)),
                new("Ours_Retry", n => Loop(n, bench.Ours_Retry)),
                new("Ours_CircuitBreaker", n => Loop(n, bench.Ours_CircuitBreaker)),
                new("Collector_RecordRequest", n => Loop(n, bench.Collector_RecordRequest)),
                new("Composed_Polly", n => Loop(n, bench.Composed_Polly)),
                new("Composed_OursWithoutMonitoring", n => Loop(n, bench.Composed_OursWithoutMonitoring)),
                new("Composed_Ours", n => Loop(n, bench.Composed_Ours)),
                new("Composed_OursUnfused", n => Loop(n, bench.Composed_OursUnfused)),
                new("Composed_MonitoringOverPolly", n => Loop(n, bench.Composed_MonitoringOverPolly)),
            ], TimeSpan.FromMilliseconds(10), rounds, TimeSpan.FromSeconds(3));
        }
        finally
        {
            bench.Cleanup();
        }
    }

    public static Dictionary<string, Interleaved.Result> Http(int rounds = 40)
    {
        var bench = new HttpClientBenchmarks();
        bench.Setup();
        try
        {
            return Interleaved.Measure(
            [
                new("plain", n => Loop(n, () => bench.A_Plain().GetAwaiter().GetResult()), ThreadCpu.Nanoseconds),
                new("factory", n => Loop(n, () => bench.B_Factory().GetAwaiter().GetResult()), ThreadCpu.Nanoseconds),
                new("polly", n => Loop(n, () => bench.C_FactoryPolly().GetAwaiter().GetResult()), ThreadCpu.Nanoseconds),
                new("monitored", n => Loop(n, () => bench.D_Monitored().GetAwaiter().GetResult()), ThreadCpu.Nanoseconds),
                new("monitored-no-bodies", n => Loop(n, () => bench.E_MonitoredNoBodies().GetAwaiter().GetResult()), ThreadCpu.Nanoseconds),
            ], TimeSpan.FromMilliseconds(25), rounds, TimeSpan.FromSeconds(3));
        }
        finally
        {
            bench.Cleanup();
        }
    }

    /// <summary>The body-reading suites: the 1 KB JSON response and the SSE stream, each its own interleaved set.</summary>
    public static (Dictionary<string, Interleaved.Result> Json, Dictionary<string, Interleaved.Result> Stream, (string Json, string Stream) Counted) Bodies(int rounds = 40)
    {
        var json = new JsonBodyBenchmarks();
        var stream = new StreamBodyBenchmarks();
        json.Setup();
        stream.Setup();
        try
        {
            var jsonResults = Interleaved.Measure(
            [
                new("unmonitored", n => Loop(n, () => json.A_Unmonitored().GetAwaiter().GetResult()), ThreadCpu.Nanoseconds),
                new("no-body", n => Loop(n, () => json.B_MonitoredNoBody().GetAwaiter().GetResult()), ThreadCpu.Nanoseconds),
                new("monitored", n => Loop(n, () => json.C_Monitored().GetAwaiter().GetResult()), ThreadCpu.Nanoseconds),
            ], TimeSpan.FromMilliseconds(20), rounds, TimeSpan.FromSeconds(3));
            var streamResults = Interleaved.Measure(
            [
                new("unmonitored", n => Loop(n, () => stream.A_Unmonitored().GetAwaiter().GetResult()), ThreadCpu.Nanoseconds),
                new("no-body", n => Loop(n, () => stream.B_MonitoredNoBody().GetAwaiter().GetResult()), ThreadCpu.Nanoseconds),
                new("monitored", n => Loop(n, () => stream.C_Monitored().GetAwaiter().GetResult()), ThreadCpu.Nanoseconds),
                new("unmonitored-parsing", n => Loop(n, () => stream.D_UnmonitoredParsing().GetAwaiter().GetResult()), ThreadCpu.Nanoseconds),
                new("monitored-parsing", n => Loop(n, () => stream.E_MonitoredParsing().GetAwaiter().GetResult()), ThreadCpu.Nanoseconds),
            ], TimeSpan.FromMilliseconds(25), rounds, TimeSpan.FromSeconds(3));
            return (jsonResults, streamResults, (json.Counted(), stream.Counted()));
        }
        finally
        {
            json.Cleanup();
            stream.Cleanup();
        }
    }

    /// <summary>Suite 2's body share, step by step (<see cref="BodyBreakdownBenchmarks"/>).</summary>
    public static Dictionary<string, Interleaved.Result> BodyBreakdown(int rounds = 40)
    {
        var bench = new BodyBreakdownBenchmarks();
        bench.Setup();
        return Interleaved.Measure(
        [
            new("ReaderPass", n => Loop(n, bench.ReaderPass)),
            new("ResponseScan", n => Loop(n, bench.ResponseScan)),
            new("ResponseScanFull", n => Loop(n, bench.ResponseScanFull)),
            new("ResponseScan1K", n => Loop(n, bench.ResponseScan1K)),
            new("ResponseScan1KFull", n => Loop(n, bench.ResponseScan1KFull)),
            new("InspectResponse", n => Loop(n, bench.InspectResponse)),
            new("Detect", n => Loop(n, bench.Detect)),
            new("RequestModelJson", n => Loop(n, bench.RequestModelJson)),
            new("RequestModel", n => Loop(n, bench.RequestModel)),
        ], TimeSpan.FromMilliseconds(10), rounds, TimeSpan.FromSeconds(2));
    }

    public static Dictionary<string, Interleaved.Result> Contention(int rounds = 30)
    {
        var bench = new ContentionBenchmarks();
        bench.Setup();
        try
        {
            const long ops = ContentionBenchmarks.OperationsPerThread;
            return Interleaved.Measure(
            [
                // Operations per thread (the per-thread cost); the counter is CPU time per operation over both threads.
                new("one", n => Loop(n, bench.OneThread) * ops, () => bench.CpuNanoseconds),
                new("two", n => Loop(n, bench.TwoThreads) * ops, () => bench.CpuNanoseconds / 2),
                new("control", n => Loop(n, bench.TwoThreadsSeparateBackends) * ops, () => bench.CpuNanoseconds / 2),
            ], TimeSpan.FromMilliseconds(30), rounds, TimeSpan.FromSeconds(2));
        }
        finally
        {
            bench.Cleanup();
        }
    }

    public static Dictionary<string, Interleaved.Result> Loopback(int rounds = 30)
    {
        var bench = new LoopbackHttpBenchmarks();
        bench.Setup();
        try
        {
            return Interleaved.Measure(
            [
                new("plain", n => Loop(n, () => bench.A_Plain().GetAwaiter().GetResult())),
                new("factory", n => Loop(n, () => bench.B_Factory().GetAwaiter().GetResult())),
                new("polly", n => Loop(n, () => bench.D_FactoryPolly().GetAwaiter().GetResult())),
                new("monitored-no-bodies", n => Loop(n, () => bench.E_MonitoredWithoutBodies().GetAwaiter().GetResult())),
                new("monitored", n => Loop(n, () => bench.C_Monitored().GetAwaiter().GetResult())),
            ], TimeSpan.FromMilliseconds(40), rounds, TimeSpan.FromSeconds(3));
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private static long Loop<T>(int n, Func<T> call)
    {
        for (var i = 0; i < n; i++)
        {
            call();
        }

        return n;
    }

    private static long Loop(int n, Action call)
    {
        for (var i = 0; i < n; i++)
        {
            call();
        }

        return n;
    }
}
