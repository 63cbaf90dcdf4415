namespace Resilience.Metrics.Simulation;

/// <summary>
/// How long a simulated backend waits before it answers. Instances are thread-safe; seeded models
/// give the same sequence of delays for the same seed.
/// </summary>
public abstract class LatencyModel
{
    /// <summary>No added latency.</summary>
    public static LatencyModel None { get; } = new FixedLatency(TimeSpan.Zero);

    /// <summary>The same delay for every request.</summary>
    /// <param name="delay">The delay; must not be negative.</param>
    public static LatencyModel Fixed(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return new FixedLatency(delay);
    }

    /// <summary>
    /// Log-normally distributed delays (a long right tail, like real API latency), optionally with rare spikes.
    /// </summary>
    /// <param name="median">The median delay.</param>
    /// <param name="sigma">The standard deviation of the delay's logarithm: 0.25 is tight, 1 is a heavy tail.</param>
    /// <param name="seed">The random seed; the same seed gives the same sequence of delays.</param>
    /// <param name="tailProbability">The chance that a delay is multiplied by <paramref name="tailMultiplier"/> (a latency spike).</param>
    /// <param name="tailMultiplier">How much a spike multiplies the delay.</param>
    public static LatencyModel LogNormal(TimeSpan median, double sigma, int seed, double tailProbability = 0, double tailMultiplier = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(median, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(sigma);
        ArgumentOutOfRangeException.ThrowIfNegative(tailProbability);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tailProbability, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tailMultiplier, 1);
        return new LogNormalLatency(median, sigma, seed, tailProbability, tailMultiplier);
    }

    /// <summary>The delay for the next request. Called once per request, from any thread.</summary>
    public abstract TimeSpan NextDelay();

    private sealed class FixedLatency(TimeSpan delay) : LatencyModel
    {
        public override TimeSpan NextDelay() => delay;

        public override string ToString() => $"Fixed({delay.TotalMilliseconds} ms)";
    }

    private sealed class LogNormalLatency(TimeSpan median, double sigma, int seed, double tailProbability, double tailMultiplier)
        : LatencyModel
    {
        private readonly Random _random = new(seed);
        private readonly Lock _gate = new();

        public override TimeSpan NextDelay()
        {
            double u1, u2, spike;
            lock (_gate)
            {
                u1 = 1.0 - _random.NextDouble(); // (0, 1]: keeps the logarithm finite
                u2 = _random.NextDouble();
                spike = _random.NextDouble();
            }

            // Box-Muller: a standard normal variate from two uniform ones.
            var z = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
            var factor = Math.Exp(sigma * z);
            if (spike < tailProbability)
            {
                factor *= tailMultiplier;
            }

            return TimeSpan.FromTicks((long)Math.Min(median.Ticks * factor, TimeSpan.FromMinutes(10).Ticks));
        }

        public override string ToString() => $"LogNormal(median {median.TotalMilliseconds} ms, sigma {sigma})";
    }
}
