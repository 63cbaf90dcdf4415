using System.Globalization;

namespace Resilience.Metrics.Tests.Reporting;

public sealed class AsciiReportFormatterTests
{
    // The guide's get_ascii_report lines for the sample report, in its order.
    private static readonly string[] GuideLines =
    [
        "=== openai Metrics Report ===",
        "Timestamp: 2023-11-14 22:13:20 UTC",
        "Uptime: 3600.46 seconds",
        "",
        "Total Requests: 1000",
        "Success Rate: 95.00%",
        "Current Circuit State: CLOSED",
        "Current Queue Size: 3",
        "",
        "Latency (ms):",
        "  Avg: 812.35",
        "  P50: 640.12",
        "  P95: 1900.50",
        "  P99: 3801.00",
        "",
        "Throughput:",
        "  Requests/sec: 4.22",
        "",
        "Errors:",
        "  Error Rate: 5.00%",
        "  Most Common: 429",
        "",
        "Model Statistics:",
        "  gpt-4o:",
        "    Requests: 600",
        "    Success Rate: 96.67%",
        "    Avg Latency: 905.43 ms",
        "  gpt-4o-mini:",
        "    Requests: 400",
        "    Success Rate: 92.50%",
        "    Avg Latency: 673.21 ms",
    ];

    private static readonly string[] ExtraLines =
    [
        "",
        "Tokens:",
        "  Prompt: 120000",
        "  Completion: 45000",
        "  Tokens/sec: 700.25",
        "",
        "Resilience:",
        "  Timeouts: 5",
        "  Retried Requests: 30",
        "  Retry Attempts: 42",
        "  Queue Rejections: 2",
        "  Circuit Opens: 1",
        "  Monitoring Errors: 0",
    ];

    [Fact]
    public void Format_WritesTheGuidesLinesInTheGuidesOrderThenTheExtras()
    {
        var text = AsciiReportFormatter.Format(ReportSamples.Create());

        Assert.Equal(string.Join('\n', [.. GuideLines, .. ExtraLines]), text);
    }

    [Fact]
    public void Format_UsesLineFeedsOnlyAndNoTrailingNewline()
    {
        var text = AsciiReportFormatter.Format(ReportSamples.Create());

        Assert.DoesNotContain('\r', text);
        Assert.False(text.EndsWith('\n'));
    }

    [Fact]
    public void Format_WithoutModelsOrErrors_OmitsModelStatisticsAndPrintsNone()
    {
        var sample = ReportSamples.Create(models: new Dictionary<string, ModelMetrics>());
        var report = sample with { Errors = sample.Errors with { MostCommonError = null } };

        var lines = AsciiReportFormatter.Format(report).Split('\n');

        Assert.Equal([.. GuideLines[..20], "  Most Common: None", .. ExtraLines], lines);
        Assert.DoesNotContain("Model Statistics:", lines);
    }

    [Fact]
    public void Format_EmptyMostCommonError_PrintsNoneAsTheGuidesOrDoes()
    {
        var sample = ReportSamples.Create();
        var report = sample with { Errors = sample.Errors with { MostCommonError = "" } };

        Assert.Contains("\n  Most Common: None\n", AsciiReportFormatter.Format(report), StringComparison.Ordinal);
    }

    [Fact]
    public void Format_MissingPercentileKeys_PrintZero()
    {
        var sample = ReportSamples.Create();
        var report = sample with
        {
            Latency = sample.Latency with { Percentiles = new Dictionary<string, double> { ["95"] = 12.345678 } },
        };

        var lines = AsciiReportFormatter.Format(report).Split('\n');

        Assert.Equal(["Latency (ms):", "  Avg: 812.35", "  P50: 0.00", "  P95: 12.35", "  P99: 0.00"], lines[9..14]);
    }

    [Fact]
    public void Format_NonFiniteNumbers_PrintZero()
    {
        var text = AsciiReportFormatter.Format(ReportSamples.NonFinite());

        Assert.DoesNotContain("NaN", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Infinity", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("∞", text, StringComparison.Ordinal);
        var lines = text.Split('\n');
        Assert.Equal("Uptime: 0.00 seconds", lines[2]);
        Assert.Equal("Success Rate: 0.00%", lines[5]);
        Assert.Equal(["  Avg: 0.00", "  P50: 0.00", "  P95: 0.00", "  P99: 0.00"], lines[10..14]);
        Assert.Equal("  Requests/sec: 0.00", lines[16]);
        Assert.Equal("  Error Rate: 0.00%", lines[19]);
        Assert.Equal(["  m:", "    Requests: 1", "    Success Rate: 0.00%", "    Avg Latency: 0.00 ms"], lines[23..27]);
    }

    [Theory]
    [InlineData(1_700_000_000_999, "2023-11-14 22:13:20")] // whole seconds are floored, as strftime prints them
    [InlineData(0L, "1970-01-01 00:00:00")]
    [InlineData(-1_500L, "1969-12-31 23:59:58")]
    [InlineData(253_402_300_799_999, "9999-12-31 23:59:59")] // the largest time there is
    public void Format_Timestamp_IsUtcWholeSeconds(long unixMilliseconds, string expected)
    {
        var report = ReportSamples.Create() with { Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).ToOffset(TimeSpan.FromHours(-5)) };

        Assert.Equal("Timestamp: " + expected + " UTC", AsciiReportFormatter.Format(report).Split('\n')[1]);
    }

    [Fact]
    public void Format_IgnoresTheCurrentCulture()
    {
        var commaCulture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        commaCulture.NumberFormat.NumberDecimalSeparator = ",";
        commaCulture.NumberFormat.NumberGroupSeparator = ".";
        commaCulture.NumberFormat.PercentSymbol = "pct";
        var previous = CultureInfo.CurrentCulture;
        string text;
        try
        {
            CultureInfo.CurrentCulture = commaCulture;
            text = AsciiReportFormatter.Format(ReportSamples.Create());
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        Assert.Equal(string.Join('\n', [.. GuideLines, .. ExtraLines]), text);
    }

    [Fact]
    public void Format_ControlCharactersInNames_CannotForgeLines()
    {
        var models = new Dictionary<string, ModelMetrics>
        {
            ["evil\n=== fake Metrics Report ===\u001b[2J"] = ReportSamples.Model(1, 1, 10),
        };
        var report = ReportSamples.Create("api\r\nX", models);

        var lines = AsciiReportFormatter.Format(report).Split('\n');

        Assert.Equal("=== api??X Metrics Report ===", lines[0]);
        Assert.Equal("  evil?=== fake Metrics Report ===?[2J:", lines[23]);
        Assert.Single(lines, l => l.StartsWith("===", StringComparison.Ordinal));
    }

    [Fact]
    public void Format_KeepsUnicodeNames()
    {
        var models = new Dictionary<string, ModelMetrics> { ["llama3.1-ü-模型"] = ReportSamples.Model(2, 1, 5) };

        var lines = AsciiReportFormatter.Format(ReportSamples.Create("ollama-ü", models)).Split('\n');

        Assert.Equal("=== ollama-ü Metrics Report ===", lines[0]);
        Assert.Equal("  llama3.1-ü-模型:", lines[23]);
        Assert.Equal("    Success Rate: 50.00%", lines[25]);
    }
}
