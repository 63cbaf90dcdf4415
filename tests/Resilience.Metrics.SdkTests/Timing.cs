namespace Resilience.Metrics.SdkTests;

/// <summary>
/// Bounds built from a loopback server's waits. <c>Task.Delay</c> runs on the runtime's coarse clock (a few ms per
/// tick on Linux), so a wait can end up to a tick before a <c>Stopwatch</c> says it should: a bound allows that much
/// per wait, far less than any mistake the tests look for (a first chunk taken at the headers is 500 ms off).
/// </summary>
internal static class Timing
{
    public const double SlackPerWaitMs = 10;

    /// <summary>The least time, in ms, that <paramref name="waits"/> waits of <paramref name="each"/> take.</summary>
    public static double AtLeast(int waits, TimeSpan each) => waits * (each.TotalMilliseconds - SlackPerWaitMs);
}
