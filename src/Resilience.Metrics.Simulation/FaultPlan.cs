namespace Resilience.Metrics.Simulation;

/// <summary>
/// A probabilistic, time-based fault schedule for a backend, for demos and soak runs. Immutable: each
/// <see cref="Between"/> / <see cref="From"/> returns a new plan with one more rule.
/// </summary>
/// <remarks>
/// <para>Time is measured from the moment the plan is assigned to <see cref="BackendControl.FaultPlan"/>.
/// For each request (when no scripted fault is queued) the time-window rules are tried in the order they
/// were added, then the random faults of <see cref="Random"/>; the first that fires answers the request.</para>
/// <para>Randomness is seeded: the same plan and the same sequence of request times give the same faults.</para>
/// <code>
/// server[SimulatedApi.OpenAI].FaultPlan = FaultPlan.Random(seed: 7, rateLimitProbability: 0.02)
///     .Between(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), SimulatedFault.Status(503))
///     .From(TimeSpan.FromSeconds(30), SimulatedFault.Status(429, TimeSpan.FromSeconds(1)), probability: 0.05);
/// </code>
/// </remarks>
public sealed class FaultPlan
{
    private readonly Rule[] _windows;
    private readonly (double Probability, SimulatedFault Fault)[] _random;

    private FaultPlan(int seed, Rule[] windows, (double, SimulatedFault)[] random)
    {
        Seed = seed;
        _windows = windows;
        _random = random;
    }

    /// <summary>A plan with no faults (seed 0); a starting point for <see cref="Between"/> and <see cref="From"/>.</summary>
    public static FaultPlan None { get; } = new(0, [], []);

    /// <summary>The random seed.</summary>
    public int Seed { get; }

    /// <summary>
    /// Random faults for the whole run. The probabilities are per request and must add up to at most 1.
    /// </summary>
    /// <param name="seed">The random seed.</param>
    /// <param name="rateLimitProbability">Chance of 429 with <c>Retry-After</c> <paramref name="retryAfter"/>.</param>
    /// <param name="serverErrorProbability">Chance of 503 (service unavailable / overloaded).</param>
    /// <param name="timeoutProbability">Chance of a response delayed by <paramref name="timeoutDelay"/>.</param>
    /// <param name="connectionResetProbability">Chance of an aborted connection.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> of random 429s; default 1 s.</param>
    /// <param name="timeoutDelay">The delay of random slow responses; default 30 s.</param>
    public static FaultPlan Random(
        int seed,
        double rateLimitProbability = 0,
        double serverErrorProbability = 0,
        double timeoutProbability = 0,
        double connectionResetProbability = 0,
        TimeSpan? retryAfter = null,
        TimeSpan? timeoutDelay = null)
    {
        Check(rateLimitProbability, nameof(rateLimitProbability));
        Check(serverErrorProbability, nameof(serverErrorProbability));
        Check(timeoutProbability, nameof(timeoutProbability));
        Check(connectionResetProbability, nameof(connectionResetProbability));
        if (rateLimitProbability + serverErrorProbability + timeoutProbability + connectionResetProbability > 1 + 1e-9)
        {
            throw new ArgumentException("The fault probabilities must add up to at most 1.", nameof(rateLimitProbability));
        }

        var random = new List<(double, SimulatedFault)>();
        Add(rateLimitProbability, SimulatedFault.Status(429, retryAfter ?? TimeSpan.FromSeconds(1)));
        Add(serverErrorProbability, SimulatedFault.Status(503));
        Add(timeoutProbability, SimulatedFault.Delay(timeoutDelay ?? TimeSpan.FromSeconds(30)));
        Add(connectionResetProbability, SimulatedFault.ResetConnection());
        return new FaultPlan(seed, [], [.. random]);

        static void Check(double probability, string name)
        {
            if (probability is < 0 or > 1 || double.IsNaN(probability))
            {
                throw new ArgumentOutOfRangeException(name, probability, "A probability must be between 0 and 1.");
            }
        }

        void Add(double probability, SimulatedFault fault)
        {
            if (probability > 0)
            {
                random.Add((probability, fault));
            }
        }
    }

    /// <summary>Adds a window: from <paramref name="from"/> until <paramref name="to"/>, answer with <paramref name="fault"/>.</summary>
    /// <param name="from">Start of the window, from the plan's assignment (inclusive).</param>
    /// <param name="to">End of the window (exclusive).</param>
    /// <param name="fault">The fault to answer with.</param>
    /// <param name="probability">Share of the window's requests that get the fault; 1 (the default) means all.</param>
    public FaultPlan Between(TimeSpan from, TimeSpan to, SimulatedFault fault, double probability = 1)
    {
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentOutOfRangeException.ThrowIfLessThan(from, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(to, from);
        ArgumentOutOfRangeException.ThrowIfNegative(probability);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(probability, 1);
        return new FaultPlan(Seed, [.. _windows, new Rule(from, to, fault, probability)], _random);
    }

    /// <summary>Adds an open-ended window: from <paramref name="from"/> on, answer with <paramref name="fault"/>.</summary>
    /// <param name="from">Start of the window, from the plan's assignment (inclusive).</param>
    /// <param name="fault">The fault to answer with.</param>
    /// <param name="probability">Share of the requests that get the fault; 1 (the default) means all.</param>
    public FaultPlan From(TimeSpan from, SimulatedFault fault, double probability = 1) =>
        Between(from, TimeSpan.MaxValue, fault, probability);

    /// <summary>Picks the fault for a request <paramref name="elapsed"/> after the plan started, or null.</summary>
    internal SimulatedFault? Next(TimeSpan elapsed, Random random)
    {
        foreach (var rule in _windows)
        {
            if (elapsed >= rule.From && elapsed < rule.To && (rule.Probability >= 1 || random.NextDouble() < rule.Probability))
            {
                return rule.Fault;
            }
        }

        if (_random.Length == 0)
        {
            return null;
        }

        var draw = random.NextDouble();
        foreach (var (probability, fault) in _random)
        {
            if (draw < probability)
            {
                return fault;
            }

            draw -= probability;
        }

        return null;
    }

    private sealed record Rule(TimeSpan From, TimeSpan To, SimulatedFault Fault, double Probability);
}
