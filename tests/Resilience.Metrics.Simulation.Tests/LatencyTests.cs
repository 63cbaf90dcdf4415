using System.Diagnostics;
using System.Net;

namespace Resilience.Metrics.Simulation.Tests;

public sealed class LatencyTests
{
    [Fact]
    public void Log_normal_latency_is_deterministic_for_a_seed()
    {
        var a = LatencyModel.LogNormal(TimeSpan.FromMilliseconds(100), 0.5, seed: 11);
        var b = LatencyModel.LogNormal(TimeSpan.FromMilliseconds(100), 0.5, seed: 11);
        var c = LatencyModel.LogNormal(TimeSpan.FromMilliseconds(100), 0.5, seed: 12);

        var first = Enumerable.Range(0, 50).Select(_ => a.NextDelay()).ToArray();
        var second = Enumerable.Range(0, 50).Select(_ => b.NextDelay()).ToArray();
        var other = Enumerable.Range(0, 50).Select(_ => c.NextDelay()).ToArray();

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Log_normal_latency_has_the_requested_median_and_a_right_tail()
    {
        var model = LatencyModel.LogNormal(TimeSpan.FromMilliseconds(100), 0.5, seed: 3);
        var samples = Enumerable.Range(0, 4001).Select(_ => model.NextDelay().TotalMilliseconds).Order().ToArray();

        var median = samples[samples.Length / 2];
        var p99 = samples[(int)(samples.Length * 0.99)];
        Assert.InRange(median, 90, 110);
        Assert.InRange(p99, 250, 400); // exp(0.5 * 2.326) ~ 3.2 times the median
    }

    [Fact]
    public void Tail_spikes_multiply_a_share_of_the_delays()
    {
        var model = LatencyModel.LogNormal(TimeSpan.FromMilliseconds(10), 0, seed: 5, tailProbability: 0.1, tailMultiplier: 20);
        var samples = Enumerable.Range(0, 2000).Select(_ => model.NextDelay()).ToArray();

        Assert.All(samples, s => Assert.True(s == TimeSpan.FromMilliseconds(10) || s == TimeSpan.FromMilliseconds(200), s.ToString()));
        Assert.InRange(samples.Count(s => s > TimeSpan.FromMilliseconds(10)), 140, 260);
    }

    [Fact]
    public void Fixed_and_none_are_constant()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(30), LatencyModel.Fixed(TimeSpan.FromMilliseconds(30)).NextDelay());
        Assert.Equal(TimeSpan.Zero, LatencyModel.None.NextDelay());
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyModel.Fixed(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task The_server_waits_for_the_latency_before_answering()
    {
        await using var server = await Sim.StartAsync();
        server[SimulatedApi.HuggingFaceTei].Latency = LatencyModel.Fixed(TimeSpan.FromMilliseconds(250));
        var watch = Stopwatch.StartNew();
        using var slow = await Sim.SendAsync(server, SimulatedApi.HuggingFaceTei);
        var slowTime = watch.Elapsed;

        Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        Assert.True(slowTime >= TimeSpan.FromMilliseconds(240), slowTime.ToString());
    }
}
