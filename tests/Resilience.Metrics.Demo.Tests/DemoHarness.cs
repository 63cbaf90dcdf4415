using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Resilience.Metrics.Demo.Tests;

/// <summary>Runs the demo in-process with a thread-safe capture of its output.</summary>
internal sealed partial class DemoHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SynchronizedOutput _output = new();

    private DemoHarness(string[] args)
    {
        Run = Task.Run(() => DemoProgram.RunAsync(args, _output, _stop.Token));
    }

    public Task<int> Run { get; }

    public string Output => _output.Text;

    public static DemoHarness Start(params string[] args) => new(args);

    /// <summary>Waits for the dashboard URL the demo prints when it serves.</summary>
    public async Task<Uri> DashboardAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (DashboardLine().Match(Output) is { Success: true } match)
            {
                return new Uri(match.Groups[1].Value);
            }

            if (Run.IsCompleted)
            {
                Assert.Fail($"The demo ended (exit code {await Run}) before serving:\n{Output}");
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"The demo printed no dashboard URL within {timeout}:\n{Output}");
        return null!;
    }

    /// <summary>Stops the demo as Ctrl+C does and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await Run.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Run.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception) when (Run.IsFaulted || !Run.IsCompleted)
        {
            // Reported by the test that awaited Run, if any.
        }

        _stop.Dispose();
    }

    [GeneratedRegex(@"Dashboard: (http://127\.0\.0\.1:\d+/\S+)")]
    private static partial Regex DashboardLine();

    private sealed class SynchronizedOutput : StringWriter
    {
        private readonly Lock _gate = new();

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return ToString();
                }
            }
        }

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void Write(char[] buffer, int index, int count)
        {
            lock (_gate)
            {
                base.Write(buffer, index, count);
            }
        }

        public override void WriteLine(string? value)
        {
            lock (_gate)
            {
                base.WriteLine(value);
            }
        }

        public override Task WriteAsync(string? value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }

        public override Task WriteLineAsync()
        {
            WriteLine();
            return Task.CompletedTask;
        }

        public override Task FlushAsync() => Task.CompletedTask;
    }
}
