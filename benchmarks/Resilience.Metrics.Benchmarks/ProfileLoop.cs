using System.Diagnostics;
using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace Resilience.Metrics.Benchmarks;

/// <summary>
/// One benchmark method (after its [GlobalSetup]) called in a loop, in this process:
/// <c>--profile Class.Method [seconds]</c> for a sampling profiler to attach (<c>perf record -g -p PID</c>, with
/// <c>DOTNET_PerfMapEnabled=1</c> for JIT symbols), and <c>--measure Class.Method warmup-s measure-s</c>, the child
/// process of <see cref="Isolated"/>.
/// </summary>
internal static class ProfileLoop
{
    public static int Profile(string name, double seconds)
    {
        using var method = BenchmarkMethod.Create(name);
        Console.WriteLine($"pid {Environment.ProcessId}: {name} for {seconds} s");
        var ns = method.NanosecondsPerCall(seconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ns:F1} ns per call (loop overhead included)"));
        return 0;
    }

    /// <summary>
    /// Warms the method up (tiered compilation settles), then prints <c>ns-per-call: X</c> (wall clock) and
    /// <c>cpu-ns-per-call: Y</c> (this thread's CPU clock) for the measured span.
    /// </summary>
    public static int Measure(string name, double warmupSeconds, double measureSeconds)
    {
        using var method = BenchmarkMethod.Create(name);
        method.NanosecondsPerCall(warmupSeconds);
        var cpuStart = ThreadCpu.Nanoseconds();
        var ns = method.NanosecondsPerCall(measureSeconds, out var calls);
        var cpuNs = (ThreadCpu.Nanoseconds() - cpuStart) / (double)calls;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ns-per-call: {ns:R}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cpu-ns-per-call: {cpuNs:R}"));
        return 0;
    }

    private sealed class BenchmarkMethod : IDisposable
    {
        private readonly object _instance;
        private readonly Type _type;
        private readonly Action _call;

        private BenchmarkMethod(object instance, Type type, Action call)
        {
            _instance = instance;
            _type = type;
            _call = call;
        }

        public static BenchmarkMethod Create(string name)
        {
            var parts = name.Split('.');
            var type = typeof(ProfileLoop).Assembly.GetTypes().Single(t => t.Name == parts[0]);
            var method = type.GetMethod(parts[1]) ?? throw new ArgumentException($"no method {name}");
            var instance = Activator.CreateInstance(type)!;
            foreach (var setup in type.GetMethods().Where(m => m.GetCustomAttribute<GlobalSetupAttribute>() is { Targets: [] or null }))
            {
                setup.Invoke(instance, null);
            }

            // A compiled call (the result discarded): no reflection per call.
            // (A Task-returning benchmark is waited for, so calls do not overlap.)
            Expression body = Expression.Call(Expression.Constant(instance), method);
            if (typeof(Task).IsAssignableFrom(method.ReturnType))
            {
                var awaiter = Expression.Call(body, method.ReturnType.GetMethod(nameof(Task.GetAwaiter))!);
                body = Expression.Call(awaiter, awaiter.Type.GetMethod("GetResult")!);
            }

            return new BenchmarkMethod(instance, type, Expression.Lambda<Action>(body).Compile());
        }

        public double NanosecondsPerCall(double seconds) => NanosecondsPerCall(seconds, out _);

        public double NanosecondsPerCall(double seconds, out long calls)
        {
            var stopwatch = Stopwatch.StartNew();
            calls = 0;
            while (stopwatch.Elapsed.TotalSeconds < seconds)
            {
                for (var i = 0; i < 1000; i++)
                {
                    _call();
                }

                calls += 1000;
            }

            return stopwatch.Elapsed.TotalNanoseconds / calls;
        }

        public void Dispose()
        {
            foreach (var cleanup in _type.GetMethods().Where(m => m.GetCustomAttribute<GlobalCleanupAttribute>() is not null))
            {
                cleanup.Invoke(_instance, null);
            }
        }
    }
}
