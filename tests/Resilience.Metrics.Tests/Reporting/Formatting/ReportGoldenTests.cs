using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Resilience.Metrics.Tests.Support;

namespace Resilience.Metrics.Tests.Reporting;

/// <summary>
/// The reports' text is a user contract: these files were written by the library before its records changed types
/// (issue 15) and every format must keep producing them byte for byte. Set RESILIENCE_METRICS_WRITE_GOLDEN=1 to rewrite
/// them, only for a deliberate change of the contract.
/// </summary>
public sealed partial class ReportGoldenTests : IDisposable
{
    // Off the millisecond on purpose: the report's times are cut to milliseconds, the rate limits' are not.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1_234_567));
    private readonly MetricsCollector _collector;
    private readonly MetricsReporter _reporter;

    public ReportGoldenTests()
    {
        _collector = new MetricsCollector(_time);
        _reporter = new MetricsReporter(_collector);
        var openai = _collector.RegisterBackend("openai", new BackendRegistration { DetailedLatency = true });
        var anthropic = _collector.RegisterBackend("anthropic", new BackendRegistration { DetailedLatency = false });
        var groq = _collector.RegisterBackend("groq", new BackendRegistration());

        for (var i = 0; i < 200; i++)
        {
            Request(openai, 80 + (i % 37) * 3.3, ok: i % 9 != 0, model: i % 3 == 0 ? "gpt-4o" : "gpt-4o-mini");
            Request(anthropic, 400 + (i % 11) * 17.1, ok: i % 13 != 0, model: "claude-sonnet-4");
            _time.Advance(TimeSpan.FromTicks(1_000_003));   // a little over 100 ms, never on a millisecond
            if (i == 120)
            {
                _collector.RecordCircuitStateChange(new CircuitStateChanged(anthropic, CircuitState.Open) { BreakDuration = TimeSpan.FromSeconds(5) });
                _collector.RecordCircuitStateChange(new CircuitStateChanged(groq, CircuitState.Open) { BreakDuration = null });
            }
            else if (i == 150)
            {
                _collector.RecordCircuitStateChange(new CircuitStateChanged(anthropic, CircuitState.HalfOpen));
            }
        }

        var now = _time.GetUtcNow().UtcTicks;
        _collector.Get(openai).RateLimits[RateLimitKind.Requests].Write(10000, 9000, now + TimeSpan.FromSeconds(6.5).Ticks, now - 12_345);
        _collector.Get(openai).RateLimits[RateLimitKind.Tokens].Write(2_000_000, 150_000, now + TimeSpan.FromSeconds(61).Ticks, now - 7);
        _collector.Get(anthropic).RateLimits[RateLimitKind.InputTokens].Write(400_000, 399_000, -1, now - 1);
        _time.Advance(TimeSpan.FromTicks(4_321));
    }

    public void Dispose() => _collector.Dispose();

    private void Request(BackendKey backend, double ms, bool ok, string model) =>
        _collector.RecordRequest(new RequestCompleted(backend)
        {
            Latency = TimeSpan.FromMilliseconds(ms),
            Succeeded = ok,
            ErrorCategory = ok ? ErrorCategory.None : ErrorCategory.ServiceUnavailable,
            ErrorType = ok ? null : "503",
            Attempts = 1,
            Model = model,
            PromptTokens = 120,
            CompletionTokens = 45,
        });

    [Fact]
    public void Json_report_of_all_backends_is_unchanged() => Golden("report.json", _reporter.GetJsonReport());

    // The history's times were "now" in milliseconds minus a slice's age as a double: their last digit was rounding
    // residue. A DateTimeOffset is the exact instant instead, so the number may differ in its last digit (one double
    // step, under a microsecond); everything else, the form of the numbers included, is byte for byte the same.
    [Fact]
    public void Json_history_is_unchanged_but_for_the_rounding_residue_of_its_times()
    {
        var expected = ReadGolden("history.json");
        var actual = _reporter.GetJsonHistory();

        Assert.Equal(TimestampValue().Replace(expected, "\"timestamp\":T"), TimestampValue().Replace(actual, "\"timestamp\":T"));
        var before = TimestampValue().Matches(expected).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        var after = TimestampValue().Matches(actual).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(12, before.Count);
        Assert.All(before.Zip(after), pair => Assert.True(Math.Abs(pair.First - pair.Second) < 1e-6, $"{pair.First} became {pair.Second}"));
    }

    [Fact]
    public void Ascii_reports_are_unchanged() =>
        Golden("report.txt", string.Join("\n", _collector.All.Select(b => _reporter.GetAsciiReport(b.Name))));

    [Fact]
    public void Prometheus_text_is_unchanged() => Golden("metrics.txt", _reporter.GetPrometheusMetrics());

    [Fact]
    public void Json_report_of_the_hand_built_sample_is_unchanged() => Golden("sample.json", JsonReportFormatter.Format(ReportSamples.WithRateLimits()));

    private static void Golden(string name, string actual)
    {
        var path = GoldenPath(name);
        if (Environment.GetEnvironmentVariable("RESILIENCE_METRICS_WRITE_GOLDEN") == "1")
        {
            // Written, never passed: a run with the variable left set must not hide a change.
            File.WriteAllText(path, actual);
            Assert.Fail($"{name} written; review its diff and run again without RESILIENCE_METRICS_WRITE_GOLDEN.");
        }

        Assert.Equal(File.ReadAllText(path), actual);
    }

    private static string ReadGolden(string name) => File.ReadAllText(GoldenPath(name));

    private static string GoldenPath(string name) =>
        RepositoryRoot.Combine("tests", "Resilience.Metrics.Tests", "Reporting", "Formatting", "Golden", name);

    [GeneratedRegex("\"timestamp\":([0-9.]+)")]
    private static partial Regex TimestampValue();
}
