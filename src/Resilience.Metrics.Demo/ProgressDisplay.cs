using System.Globalization;
using System.Text;

namespace Resilience.Metrics.Demo;

/// <summary>
/// The live progress: on a terminal, one status line rewritten every second with event lines (scripted faults,
/// circuit state changes) printed above it; when the output is redirected, a plain status line every five seconds
/// and the same event lines.
/// </summary>
internal sealed class ProgressDisplay
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(5);

    private readonly TextWriter _output;
    private readonly bool _interactive;
    private readonly IMetricsReporter _reporter;
    private readonly IReadOnlyList<string> _backends;
    private readonly LoadGenerator _load;
    private readonly TimeSpan? _duration;
    private readonly DateTimeOffset _start;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _lastStateChange = [];
    private int _statusLength;
    private TimeSpan _lastPlain;

    public ProgressDisplay(TextWriter output, bool interactive, IMetricsReporter reporter, IReadOnlyList<string> backends, LoadGenerator load, TimeSpan? duration, TimeProvider time)
    {
        _output = output;
        _interactive = interactive;
        _reporter = reporter;
        _backends = backends;
        _load = load;
        _duration = duration;
        _time = time;
        _start = time.GetUtcNow();
        foreach (var backend in backends)
        {
            _lastStateChange[backend] = DateTimeOffset.MinValue;
        }
    }

    /// <summary>Time since the display started (the run's clock).</summary>
    public TimeSpan Elapsed => _time.GetUtcNow() - _start;

    /// <summary>Prints an event line (above the status line on a terminal).</summary>
    public void Event(TimeSpan at, string text) =>
        Write(string.Create(CultureInfo.InvariantCulture, $"[{at.TotalSeconds,6:F1}s] {text}"));

    /// <summary>Refreshes every second until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Refresh(final: false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    /// <summary>Reports circuit changes, then redraws (or, redirected, prints every few seconds) the status line.</summary>
    public void Refresh(bool final)
    {
        ReportCircuitChanges();
        var elapsed = Elapsed;
        var status = Status(elapsed);
        lock (_gate)
        {
            if (_interactive)
            {
                var width = SafeWidth();
                var line = status.Length >= width ? status[..(width - 1)] : status;
                _output.Write('\r' + line.PadRight(Math.Max(_statusLength, line.Length)));
                _statusLength = line.Length;
                if (final)
                {
                    _output.WriteLine();
                    _statusLength = 0;
                }

                _output.Flush();
            }
            else if (final || elapsed - _lastPlain >= PlainInterval)
            {
                _lastPlain = elapsed;
                _output.WriteLine(status);
            }
        }
    }

    private void ReportCircuitChanges()
    {
        foreach (var backend in _backends)
        {
            var changes = _reporter.GetCircuitBreakerMetrics(backend).StateChanges;
            var last = _lastStateChange[backend];
            foreach (var change in changes)
            {
                if (change.Timestamp > last)
                {
                    last = change.Timestamp;
                    var note = change.State switch
                    {
                        CircuitState.Open => "requests are rejected at once",
                        CircuitState.HalfOpen => "a trial request goes through",
                        _ => "traffic flows again",
                    };
                    Event(change.Timestamp > _start ? change.Timestamp - _start : TimeSpan.Zero, $"{backend}: circuit {change.StateName} ({note})");
                }
            }

            _lastStateChange[backend] = last;
        }
    }

    private string Status(TimeSpan elapsed)
    {
        long requests = 0, successes = 0, queued = 0;
        double rps = 0, tokens = 0;
        string? slowest = null;
        var slowestP95 = 0.0;
        var open = new List<string>();
        foreach (var backend in _backends)
        {
            var report = _reporter.GetMetricsReport(backend);
            requests += report.TotalRequests;
            successes += report.Successes;
            queued += report.Queue.CurrentQueueSize;
            var window = _reporter.GetThroughputMetrics(backend, RateWindow);
            rps += window.RequestsPerSecond;
            tokens += window.TokenThroughput.TokensPerSecond;
            if (report.Latency.Percentiles.TryGetValue("95", out var p95) && p95 > slowestP95)
            {
                slowestP95 = p95;
                slowest = backend;
            }

            if (report.CircuitBreaker.CurrentState != CircuitState.Closed)
            {
                open.Add($"{backend} {report.CircuitBreaker.CurrentStateName}");
            }
        }

        var text = new StringBuilder();
        var clock = _duration is { } d
            ? string.Create(CultureInfo.InvariantCulture, $"{Math.Min(elapsed.TotalSeconds, d.TotalSeconds),3:F0}s/{d.TotalSeconds:F0}s")
            : string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds,4:F0}s");
        text.Append(CultureInfo.InvariantCulture, $"{clock} | {requests,6:N0} req | {rps,5:F1} req/s | ok {Percent(successes, requests)} | ");
        text.Append(CultureInfo.InvariantCulture, $"{tokens,6:N0} tok/s | in flight {_load.InFlight,2}, queued {queued,2}");
        if (slowest is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" | slowest p95 {slowest} {slowestP95:N0} ms");
        }

        text.Append(" | circuits: ").Append(open.Count == 0 ? "all closed" : string.Join(", ", open));
        return text.ToString();
    }

    private static string Percent(long part, long whole) =>
        whole == 0 ? "  -  " : string.Create(CultureInfo.InvariantCulture, $"{100.0 * part / whole,5:F1}%");

    private void Write(string line)
    {
        lock (_gate)
        {
            if (_interactive && _statusLength > 0)
            {
                _output.Write('\r' + new string(' ', _statusLength) + '\r');
                _statusLength = 0;
            }

            _output.WriteLine(line);
            _output.Flush();
        }
    }

    private static int SafeWidth()
    {
        try
        {
            return Console.WindowWidth > 20 ? Console.WindowWidth : 120;
        }
        catch (IOException)
        {
            return 120;
        }
    }
}
