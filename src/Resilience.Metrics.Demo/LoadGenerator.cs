using System.Diagnostics;
using Resilience.Metrics.Simulation;

namespace Resilience.Metrics.Demo;

/// <summary>
/// Sends paced traffic through the monitored HttpClients: <c>--rps</c> requests per second spread over the backends
/// by weight, at most <c>--concurrency</c> in flight, each response read to its end as a caller would (so streamed
/// token usage is seen). Scripted client-side faults are sent at their moment of each cycle.
/// </summary>
internal sealed class LoadGenerator : IDisposable
{
    private static readonly TimeSpan MaxRequestTime = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan InterruptedDrain = TimeSpan.FromSeconds(2);

    private readonly IHttpClientFactory _clients;
    private readonly IReadOnlyList<DemoBackend> _backends;
    private readonly DemoOptions _options;
    private readonly double[] _cumulativeWeights;
    private readonly Random _random = new(42);
    private readonly SemaphoreSlim _slots;
    private long _sent;
    private long _completed;
    private long _failed;
    private int _inFlight;

    public LoadGenerator(IHttpClientFactory clients, IReadOnlyList<DemoBackend> backends, DemoOptions options)
    {
        _clients = clients;
        _backends = backends;
        _options = options;
        _slots = new SemaphoreSlim(options.Concurrency, options.Concurrency);
        _cumulativeWeights = new double[backends.Count];
        var sum = 0.0;
        for (var i = 0; i < backends.Count; i++)
        {
            sum += backends[i].Weight;
            _cumulativeWeights[i] = sum;
        }
    }

    /// <summary>Requests sent.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Requests whose response (or failure) came back.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Requests that ended with an exception or a non-success status.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Requests in flight now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Raised when a scripted step starts (from the load loop's thread).</summary>
    public event Action<TimeSpan, ScenarioStep>? StepStarted;

    /// <summary>Raised at the start of every cycle of the scenario (the fault plans are re-armed there).</summary>
    public event Action<int>? CycleStarted;

    /// <summary>
    /// Runs until <paramref name="stop"/> is cancelled, then waits (up to <paramref name="drain"/>, or 2 s when
    /// <paramref name="abort"/> was cancelled) for the requests in flight, and cancels those left.
    /// </summary>
    public async Task RunAsync(TimeSpan drain, CancellationToken stop, CancellationToken abort)
    {
        var requests = new List<Task>();
        var clock = Stopwatch.StartNew();
        var interval = TimeSpan.FromSeconds(1 / _options.Rps);
        var next = TimeSpan.Zero;
        var cycle = -1;
        var stepIndex = 0;
        using var inFlight = new CancellationTokenSource();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var now = clock.Elapsed;
                var currentCycle = (int)(now.Ticks / Scenario.Cycle.Ticks);
                if (currentCycle != cycle)
                {
                    cycle = currentCycle;
                    stepIndex = 0;
                    CycleStarted?.Invoke(cycle);
                }

                var inCycle = now - (Scenario.Cycle * cycle);
                while (stepIndex < Scenario.Steps.Count && Scenario.Steps[stepIndex].From <= inCycle)
                {
                    var step = Scenario.Steps[stepIndex++];
                    if (_backends.FirstOrDefault(b => b.Api == step.Api) is { } target && !_options.IsReal(step.Api))
                    {
                        StepStarted?.Invoke(now, step);
                        if (step.ClientFault != ClientFault.None)
                        {
                            requests.Add(SendAsync(target, step.ClientFault, inFlight.Token));
                        }
                    }
                }

                if (next > now)
                {
                    await Task.Delay(next - now, stop).ConfigureAwait(false);
                    continue;
                }

                // Behind by more than a second (the concurrency limit held us back): do not burst to catch up.
                next = now - next > TimeSpan.FromSeconds(1) ? now + interval : next + interval;
                await _slots.WaitAsync(stop).ConfigureAwait(false);
                requests.Add(SendAsync(PickBackend(), ClientFault.None, inFlight.Token, ownsSlot: true));
                if (requests.Count > 4096)
                {
                    requests.RemoveAll(t => t.IsCompleted);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run's end.
        }

        // Let the requests in flight finish (briefly when the run was interrupted), then cancel what is left.
        var pending = Task.WhenAll(requests);
        try
        {
            await pending.WaitAsync(abort.IsCancellationRequested ? InterruptedDrain : drain).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await inFlight.CancelAsync().ConfigureAwait(false);
            await pending.ConfigureAwait(false);
        }
    }

    private DemoBackend PickBackend()
    {
        var draw = _random.NextDouble() * _cumulativeWeights[^1];
        var index = Array.FindIndex(_cumulativeWeights, w => draw < w);
        return _backends[index < 0 ? ^1 : index];
    }

    private async Task SendAsync(DemoBackend backend, ClientFault fault, CancellationToken cancellationToken, bool ownsSlot = false)
    {
        _options.Models.TryGetValue(backend.Api, out var model);
        // Still on the load loop's thread (before the first await): the random source needs no lock.
        var request = DemoRequests.Create(backend, model, _random, fault);

        Interlocked.Increment(ref _sent);
        Interlocked.Increment(ref _inFlight);
        try
        {
            // Off the load loop's thread: the loop goes on pacing while this request runs.
            await Task.Yield();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(MaxRequestTime);
            using var response = await _clients.CreateClient(backend.Name)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                await body.CopyToAsync(Stream.Null, timeout.Token).ConfigureAwait(false);
            }

            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref _failed);
            }
        }
#pragma warning disable CA1031 // A failed request is the demo's business as usual: monitoring has counted and classified it.
        catch (Exception)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _failed);
        }
        finally
        {
            request.Dispose();
            Interlocked.Decrement(ref _inFlight);
            Interlocked.Increment(ref _completed);
            if (ownsSlot)
            {
                _slots.Release();
            }
        }
    }

    public void Dispose() => _slots.Dispose();
}
