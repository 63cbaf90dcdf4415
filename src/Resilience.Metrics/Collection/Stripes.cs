namespace Resilience.Metrics;

/// <summary>How many stripes per-core structures use: the processor count rounded up to a power of two, at most 16.</summary>
internal static class Stripes
{
    public static int Count { get; } = (int)Math.Min(16, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));
}
