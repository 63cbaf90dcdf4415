using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace Resilience.Metrics.Benchmarks;

/// <summary>
/// Suite 3: <see cref="MetricsCollector.RecordRequest"/> into one backend from one thread, and from two threads at
/// once (a dedicated second thread started by a <see cref="Barrier"/>). Each thread records
/// <see cref="OperationsPerThread"/> requests per invocation, so the reported time is what one RecordRequest costs
/// the thread that makes it; with two threads, the machine does twice the work in that time.
/// </summary>
[MemoryDiagnoser]
public class ContentionBenchmarks
{
    public const int OperationsPerThread = 100_000;
    private const int LatencyMask = 4095;

    private MetricsCollector _collector = null!;
    private BackendKey _backend;
    private BackendKey _otherBackend;
    private BackendKey _helperBackend;
    private long[] _latencies = null!;
    private Barrier _start = null!;
    private Barrier _done = null!;
    private Thread _helper = null!;
    private volatile bool _stop;
    private long _cpuNanoseconds;

    /// <summary>CPU time the recording loops used, both threads together (thread CPU clock; not time spent waiting for a core).</summary>
    public long CpuNanoseconds => Interlocked.Read(ref _cpuNanoseconds);

    [GlobalSetup]
    public void Setup()
    {
        _collector = new MetricsCollector();
        ApiMonitoringTelemetry.Publish(_collector);   // as AddApiMonitoring() does: the instruments are there, disabled until listened to
        _backend = _collector.RegisterBackend("bench");
        _otherBackend = _collector.RegisterBackend("bench-other");
        _latencies = BenchData.LatencyTicks(LatencyMask + 1);
        _start = new Barrier(2);
        _done = new Barrier(2);
        _stop = false;
        _helper = new Thread(HelperLoop) { IsBackground = true, Name = "contention-helper" };
        _helper.Start();
    }

    private void HelperLoop()
    {
        while (true)
        {
            _start.SignalAndWait();
            if (_stop)
            {
                return;
            }

            Record(_helperBackend, LatencyMask / 2);
            _done.SignalAndWait();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop = true;
        _start.SignalAndWait();
        _helper.Join();
        _start.Dispose();
        _done.Dispose();
        _collector.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerThread, Description = "one thread")]
    public void OneThread() => Record(_backend, 0);

    [Benchmark(OperationsPerInvoke = OperationsPerThread, Description = "two threads, same backend")]
    public void TwoThreads() => RecordOnTwoThreads(_backend);

    /// <summary>
    /// The control: two threads that share nothing (each its own backend). On an idle two-core machine it costs what
    /// one thread costs; when other work takes a core, it shows how much of "two threads" is lost to that, not to
    /// contention on the backend.
    /// </summary>
    [Benchmark(OperationsPerInvoke = OperationsPerThread, Description = "two threads, separate backends (control)")]
    public void TwoThreadsSeparateBackends() => RecordOnTwoThreads(_otherBackend);

    private void RecordOnTwoThreads(BackendKey helperBackend)
    {
        _helperBackend = helperBackend;
        _start.SignalAndWait();
        Record(_backend, 0);
        _done.SignalAndWait();
    }

    private void Record(BackendKey backend, int offset)
    {
        var cpuStart = ThreadCpu.Nanoseconds();
        RecordLoop(backend, offset);
        Interlocked.Add(ref _cpuNanoseconds, ThreadCpu.Nanoseconds() - cpuStart);
    }

    private void RecordLoop(BackendKey backend, int offset)
    {
        var collector = _collector;
        var latencies = _latencies;
        for (var i = 0; i < OperationsPerThread; i++)
        {
            collector.RecordRequest(new RequestCompleted(backend)
            {
                Model = BenchData.Model,
                Latency = new TimeSpan(latencies[(i + offset) & LatencyMask]),
                Succeeded = true,
                Attempts = 1,
                PromptTokens = 12,
                CompletionTokens = 3,
            });
        }
    }
}

/// <summary>The calling thread's CPU time (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>; 0 elsewhere).</summary>
internal static partial class ThreadCpu
{
    private const int ClockThreadCpuTime = 3;

    public static long Nanoseconds() =>
        OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTime, out var time) == 0 ? (time.Seconds * 1_000_000_000) + time.Nanoseconds : 0;

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
