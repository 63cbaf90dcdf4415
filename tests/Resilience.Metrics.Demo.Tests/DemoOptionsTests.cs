using Resilience.Metrics.Simulation;

namespace Resilience.Metrics.Demo.Tests;

public sealed class DemoOptionsTests
{
    [Fact]
    public void The_defaults_are_30_seconds_40_rps_every_backend_and_port_5000()
    {
        var options = DemoOptions.Parse([], out var error);

        Assert.Null(error);
        Assert.NotNull(options);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Duration);
        Assert.Equal(40, options.Rps);
        Assert.Equal(Enum.GetValues<SimulatedApi>(), options.Backends);
        Assert.Equal("./monitoring-output", options.Output);
        Assert.Equal(5000, options.Port);
        Assert.False(options.Serve);
    }

    [Fact]
    public void Every_flag_is_read_in_both_spellings()
    {
        var options = DemoOptions.Parse(
            ["--duration", "12.5", "--rps=7", "--concurrency", "3", "--backends", "S3, ollama", "--output=out", "--serve", "--port", "0",
             "--backend-url", "ollama=http://127.0.0.1:11434", "--model=ollama=qwen2.5:0.5b"],
            out var error);

        Assert.Null(error);
        Assert.NotNull(options);
        Assert.Equal(TimeSpan.FromSeconds(12.5), options.Duration);
        Assert.Equal(7, options.Rps);
        Assert.Equal(3, options.Concurrency);
        Assert.Equal([SimulatedApi.Ollama, SimulatedApi.S3], options.Backends);
        Assert.Equal("out", options.Output);
        Assert.True(options.Serve);
        Assert.Equal(0, options.Port);
        Assert.Equal(new Uri("http://127.0.0.1:11434/"), options.BackendUrls[SimulatedApi.Ollama]);
        Assert.Equal("qwen2.5:0.5b", options.Models[SimulatedApi.Ollama]);
        Assert.True(options.IsReal(SimulatedApi.Ollama));
        Assert.False(options.IsReal(SimulatedApi.S3));
    }

    [Fact]
    public void Serve_without_a_duration_runs_the_load_until_stopped()
    {
        Assert.Null(DemoOptions.Parse(["--serve"], out _)!.Duration);
        Assert.Equal(TimeSpan.FromSeconds(5), DemoOptions.Parse(["--serve", "--duration", "5"], out _)!.Duration);
    }

    [Theory]
    [InlineData("--bogus", "unknown flag '--bogus'")]
    [InlineData("--duration", "--duration needs")]
    [InlineData("--duration=0", "--duration needs")]
    [InlineData("--rps=-1", "--rps needs")]
    [InlineData("--rps=lots", "--rps needs")]
    [InlineData("--concurrency=0", "--concurrency needs")]
    [InlineData("--port=70000", "--port needs")]
    [InlineData("--backends=openai,nope", "unknown API 'nope'")]
    [InlineData("--backend-url=ollama", "--backend-url needs")]
    [InlineData("--backend-url=ollama=ftp://x", "is not an http(s) URL")]
    [InlineData("--model=ollama=", "--model needs")]
    [InlineData("--serve=yes", "--serve takes no value")]
    public async Task A_bad_command_line_prints_a_clear_error_and_exits_2(string arg, string expected)
    {
        using var output = new StringWriter();

        var exitCode = await DemoProgram.RunAsync([arg], output, TestContext.Current.CancellationToken);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, output.ToString(), StringComparison.Ordinal);
        Assert.Contains("--help", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_every_flag_and_exits_0()
    {
        using var output = new StringWriter();

        Assert.Equal(0, await DemoProgram.RunAsync(["--help"], output, TestContext.Current.CancellationToken));

        foreach (var flag in new[] { "--duration", "--rps", "--concurrency", "--backends", "--output", "--serve", "--port", "--backend-url", "--model", "--help" })
        {
            Assert.Contains(flag, output.ToString(), StringComparison.Ordinal);
        }
    }
}
