using System.Diagnostics;
using System.Linq.Expressions;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace Resilience.Metrics.Benchmarks;

/// <summary>
/// <c>--profile Class.Method [seconds]</c>: runs one benchmark method (after its [GlobalSetup]) in a loop so a
/// sampling profiler can attach (<c>perf record -g -p PID</c>, with <c>DOTNET_PerfMapEnabled=1</c> for JIT symbols).
/// </summary>
internal static class ProfileLoop
{
    public static int Run(string name, double seconds)
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

        var call = Expression.Lambda<Action>(body).Compile();

        Console.WriteLine($"pid {Environment.ProcessId}: {name} for {seconds} s");
        var stopwatch = Stopwatch.StartNew();
        long calls = 0;
        while (stopwatch.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < 1000; i++)
            {
                call();
            }

            calls += 1000;
        }

        Console.WriteLine($"{calls:N0} calls, {stopwatch.Elapsed.TotalNanoseconds / calls:F1} ns per call (loop overhead included)");
        foreach (var cleanup in type.GetMethods().Where(m => m.GetCustomAttribute<GlobalCleanupAttribute>() is not null))
        {
            cleanup.Invoke(instance, null);
        }

        return 0;
    }
}
