using System.Buffers;
using System.Globalization;
using System.Text;

namespace Resilience.Metrics.Tests.Reporting;

public sealed partial class PrometheusFormatterTests
{
    // The guide's families with their types, in the guide's order: their names are fixed.
    private static readonly (string Name, string Type)[] GuideFamilies =
    [
        ("api_requests_total", "counter"), ("api_success_rate", "gauge"), ("api_latency_milliseconds", "gauge"),
        ("api_queue_size", "gauge"), ("api_active_requests", "gauge"), ("api_error_rate", "gauge"),
        ("api_circuit_state", "gauge"), ("api_throughput_rps", "gauge"), ("api_model_requests_total", "counter"),
        ("api_model_success_rate", "gauge"), ("api_model_latency_milliseconds", "gauge"),
    ];

    private static readonly (string Name, string Type)[] AddedFamilies =
    [
        ("api_failures_total", "counter"), ("api_timeouts_total", "counter"), ("api_retries_total", "counter"),
        ("api_retry_attempts_total", "counter"), ("api_errors_total", "counter"), ("api_tokens_total", "counter"), ("api_token_details_total", "counter"),
        ("api_token_throughput_tps", "gauge"), ("api_model_tokens_total", "counter"),
        ("api_queue_rejections_total", "counter"), ("api_circuit_open_total", "counter"),
        ("api_circuit_state_time_seconds", "gauge"), ("api_monitoring_errors_total", "counter"),
        ("api_uptime_seconds", "gauge"), ("api_ratelimit_header_errors_total", "counter"), ("api_request_duration_seconds", "histogram"),
        ("api_time_to_first_chunk_seconds", "histogram"),
    ];

    private const string OddModel = "a\"b\\c\nü-模型-😀";

    private static MetricsReport[] ThreeBackends()
    {
        var anthropic = ReportSamples.Create("anthropic", new Dictionary<string, ModelMetrics>
        {
            ["claude-sonnet-4"] = ReportSamples.Model(10, 9, 1234.5, 1000, 2000),
            [OddModel] = ReportSamples.Model(7, 7, 99.75, 70, 140),
        });
        return
        [
            ReportSamples.Create("openai"),
            anthropic with { CircuitBreaker = anthropic.CircuitBreaker with { CurrentState = CircuitState.HalfOpen } },
            ReportSamples.Create("groq", new Dictionary<string, ModelMetrics>()) with
            {
                CircuitBreaker = ReportSamples.Create().CircuitBreaker with { CurrentState = CircuitState.Open },
            },
        ];
    }

    [Fact]
    public void Format_ThreeBackends_EachFamilyHasOneHelpAndTypeFollowedByAllItsSeries()
    {
        var text = PrometheusFormatter.Format(ThreeBackends());

        var lines = text.Split('\n');
        Assert.Equal("", lines[^1]); // the exposition ends with a newline
        var declared = new List<(string Name, string Type)>();
        string? family = null;
        for (var i = 0; i < lines.Length - 1; i++)
        {
            var line = lines[i];
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                family = line.Split(' ')[2];
                Assert.DoesNotContain(declared, d => d.Name == family);
                var type = lines[i + 1].Split(' ');
                Assert.Equal(["#", "TYPE", family], type[..3]);
                declared.Add((family, type[3]));
                i++;
                continue;
            }

            Assert.False(line.StartsWith('#'), $"stray comment line {line}");
            var sample = ParseSample(line);
            var histogram = declared[^1].Type == "histogram";
            Assert.Equal(family, histogram ? HistogramSuffix().Replace(sample.Name, "") : sample.Name); // series of a family are contiguous, right after its header
            Assert.Contains(sample.Labels["api"], new[] { "openai", "anthropic", "groq" });
        }

        Assert.Equal([.. GuideFamilies, .. AddedFamilies], declared);
        Assert.Equal(declared.Count, lines.Count(l => l.StartsWith("# HELP ", StringComparison.Ordinal)));
        Assert.Equal(declared.Count, lines.Count(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Format_KeepsTheGuidesHelpTexts()
    {
        var text = PrometheusFormatter.Format([ReportSamples.Create()]);

        string[] guideHelp =
        [
            "# HELP api_requests_total Total number of API requests",
            "# HELP api_success_rate Success rate of API requests",
            "# HELP api_latency_milliseconds API request latency in milliseconds",
            "# HELP api_queue_size Current number of requests in queue",
            "# HELP api_active_requests Current number of active requests",
            "# HELP api_error_rate Rate of API request errors",
            "# HELP api_circuit_state Current circuit breaker state (0=CLOSED, 1=HALF-OPEN, 2=OPEN)",
            "# HELP api_throughput_rps Requests per second",
            "# HELP api_model_requests_total Total requests for a specific model",
            "# HELP api_model_success_rate Success rate for a specific model",
            "# HELP api_model_latency_milliseconds Average latency for a specific model",
        ];
        var lines = text.Split('\n');
        Assert.All(guideHelp, help => Assert.Contains(help, lines));
    }

    [Fact]
    public void Format_WritesEachBackendsValues()
    {
        var samples = ParseSamples(PrometheusFormatter.Format([ReportSamples.Create()]));

        string Value(string name, params (string Key, string Value)[] labels) =>
            Assert.Single(samples, s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Value;

        Assert.Equal("1000", Value("api_requests_total"));
        Assert.Equal("0.95", Value("api_success_rate"));
        Assert.Equal("640.1234", Value("api_latency_milliseconds", ("percentile", "50")));
        Assert.Equal("1500", Value("api_latency_milliseconds", ("percentile", "90")));
        Assert.Equal("1900.5", Value("api_latency_milliseconds", ("percentile", "95")));
        Assert.Equal("3800.999", Value("api_latency_milliseconds", ("percentile", "99")));
        Assert.Equal("3", Value("api_queue_size"));
        Assert.Equal("5", Value("api_active_requests"));
        Assert.Equal("0.05", Value("api_error_rate"));
        Assert.Equal("0", Value("api_circuit_state"));
        Assert.Equal("4.2166", Value("api_throughput_rps"));
        Assert.Equal("600", Value("api_model_requests_total", ("model", "gpt-4o")));
        Assert.Equal("0.925", Value("api_model_success_rate", ("model", "gpt-4o-mini")));
        Assert.Equal("905.4321", Value("api_model_latency_milliseconds", ("model", "gpt-4o")));
        Assert.Equal("50", Value("api_failures_total"));
        Assert.Equal("5", Value("api_timeouts_total"));
        Assert.Equal("30", Value("api_retries_total"));
        Assert.Equal("42", Value("api_retry_attempts_total"));
        Assert.Equal("30", Value("api_errors_total", ("category", "rate_limiting")));
        Assert.Equal("120000", Value("api_tokens_total", ("type", "prompt")));
        Assert.Equal("45000", Value("api_tokens_total", ("type", "completion")));
        Assert.Equal("700.25", Value("api_token_throughput_tps"));
        Assert.Equal("30000", Value("api_model_tokens_total", ("model", "gpt-4o"), ("type", "completion")));
        Assert.Equal("2", Value("api_queue_rejections_total"));
        Assert.Equal("1", Value("api_circuit_open_total"));
        Assert.Equal("40", Value("api_circuit_state_time_seconds", ("state", "HALF-OPEN")));
        Assert.Equal("0", Value("api_monitoring_errors_total"));
        Assert.Equal("3600.456", Value("api_uptime_seconds"));
        Assert.Equal(4, samples.Count(s => s.Name == "api_latency_milliseconds"));
    }

    [Fact]
    public void Format_ErrorsByCategory_AlwaysHasTheSevenCategories()
    {
        var sample = ReportSamples.Create();
        var report = sample with
        {
            Errors = sample.Errors with { ErrorCategories = new Dictionary<string, long> { ["timeout"] = 4 } },
        };

        var errors = ParseSamples(PrometheusFormatter.Format([report])).Where(s => s.Name == "api_errors_total").ToList();

        Assert.Equal(
            ["rate_limiting", "authentication", "invalid_request", "service_unavailable", "timeout", "network", "unexpected"],
            errors.Select(s => s.Labels["category"]));
        Assert.Equal(["0", "0", "0", "0", "4", "0", "0"], errors.Select(s => s.Value));
    }

    [Fact]
    public void Format_CircuitState_MapsClosedHalfOpenOpenToZeroOneTwo()
    {
        var unknown = ReportSamples.Create("mystery");
        MetricsReport[] reports = [.. ThreeBackends(), unknown with { CircuitBreaker = unknown.CircuitBreaker with { CurrentState = (CircuitState)7 } }];

        var states = ParseSamples(PrometheusFormatter.Format(reports)).Where(s => s.Name == "api_circuit_state").ToList();

        // A value the enum does not define has no number: its series is left out rather than guessed.
        Assert.Equal(["openai=0", "anthropic=1", "groq=2"], states.Select(s => $"{s.Labels["api"]}={s.Value}"));
    }

    [Fact]
    public void Format_EscapesLabelValuesPerTheSpec()
    {
        var report = ReportSamples.Create("back\\slash \"api\"\nnext", new Dictionary<string, ModelMetrics>
        {
            [OddModel] = ReportSamples.Model(7, 7, 99.75),
        });

        var text = PrometheusFormatter.Format([report]);

        Assert.Contains(
            "\napi_model_requests_total{api=\"back\\\\slash \\\"api\\\"\\nnext\",model=\"a\\\"b\\\\c\\nü-模型-😀\"} 7\n",
            text,
            StringComparison.Ordinal);
        var model = Assert.Single(ParseSamples(text), s => s.Name == "api_model_requests_total");
        Assert.Equal(OddModel, model.Labels["model"]);
        Assert.Equal(report.Backend, model.Labels["api"]);
    }

    [Fact]
    public void Format_LoneSurrogateInALabel_BecomesValidUtf8()
    {
        var report = ReportSamples.Create("x", new Dictionary<string, ModelMetrics> { ["bad\ud800"] = ReportSamples.Model(1, 1, 1) });
        var buffer = new ArrayBufferWriter<byte>();

        PrometheusFormatter.Write([report], buffer);

        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        Assert.Contains("model=\"bad\ufffd\"", strict.GetString(buffer.WrittenSpan), StringComparison.Ordinal);
    }

    [Fact]
    public void Format_NeverWritesNaN_AndWritesInfinitiesAsPrometheusDoes()
    {
        var text = PrometheusFormatter.Format([ReportSamples.NonFinite()]);

        Assert.DoesNotContain("NaN", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Infinity", text, StringComparison.OrdinalIgnoreCase);
        var samples = ParseSamples(text);
        string Value(string name, string labelKey = "api", string labelValue = "broken") =>
            Assert.Single(samples, s => s.Name == name && s.Labels[labelKey] == labelValue).Value;
        Assert.Equal("0", Value("api_success_rate"));
        Assert.Equal("0", Value("api_latency_milliseconds", "percentile", "50"));
        Assert.Equal("+Inf", Value("api_latency_milliseconds", "percentile", "95"));
        Assert.Equal("-Inf", Value("api_latency_milliseconds", "percentile", "99"));
        Assert.Equal("+Inf", Value("api_model_success_rate"));
        Assert.Equal("0", Value("api_model_latency_milliseconds"));
        Assert.Equal("0", Value("api_circuit_state_time_seconds", "state", "CLOSED"));
        Assert.Equal("-Inf", Value("api_circuit_state_time_seconds", "state", "OPEN"));
        Assert.Equal("0", Value("api_uptime_seconds"));
    }

    [Theory]
    [InlineData(1e-7, "1E-07")]
    [InlineData(0.1 + 0.2, "0.30000000000000004")] // shortest form that round-trips, not G15's 0.3
    [InlineData(1e21, "1E+21")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(double.MaxValue, "1.7976931348623157E+308")]
    public void Format_WritesDoublesInTheirShortestRoundTripForm(double value, string expected)
    {
        var report = ReportSamples.Create() with { SuccessRate = value };

        var line = Assert.Single(PrometheusFormatter.Format([report]).Split('\n'), l => l.StartsWith("api_success_rate{", StringComparison.Ordinal));

        Assert.Equal("api_success_rate{api=\"openai\"} " + expected, line);
        Assert.Equal(value, double.Parse(expected, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Format_IgnoresTheCurrentCulture()
    {
        var commaCulture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        commaCulture.NumberFormat.NumberDecimalSeparator = ",";
        commaCulture.NumberFormat.NegativeSign = "~";
        var expected = PrometheusFormatter.Format([ReportSamples.Create() with { UptimeSeconds = -1.5 }]);
        var previous = CultureInfo.CurrentCulture;
        string text;
        try
        {
            CultureInfo.CurrentCulture = commaCulture;
            text = PrometheusFormatter.Format([ReportSamples.Create() with { UptimeSeconds = -1.5 }]);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        Assert.Equal(expected, text);
        Assert.Contains("\napi_uptime_seconds{api=\"openai\"} -1.5\n", text, StringComparison.Ordinal);
        Assert.Contains("\napi_success_rate{api=\"openai\"} 0.95\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_WithoutModels_LeavesTheModelFamiliesOut()
    {
        var text = PrometheusFormatter.Format([ReportSamples.Create("a", new Dictionary<string, ModelMetrics>())]);

        Assert.DoesNotContain("api_model_", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE api_requests_total counter\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_NoReports_IsEmpty()
    {
        Assert.Equal("", PrometheusFormatter.Format([]));
    }

    [Fact]
    public void Format_DuplicateApiNames_Throw()
    {
        var error = Assert.Throws<ArgumentException>(() => PrometheusFormatter.Format([ReportSamples.Create("a"), ReportSamples.Create("a")]));

        Assert.Equal("reports", error.ParamName);
    }

    [Fact]
    public void Write_ToABufferWriter_GivesTheSameUtf8AsFormat()
    {
        var reports = ThreeBackends();
        var buffer = new ArrayBufferWriter<byte>(16); // small, so the writer has to ask for more room many times

        PrometheusFormatter.Write(reports, buffer);

        Assert.Equal(Encoding.UTF8.GetBytes(PrometheusFormatter.Format(reports)), buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Write_AllocatesNoMorePerSeriesThanTheOutputBuffer()
    {
        var reports = ThreeBackends();
        var buffer = new ArrayBufferWriter<byte>(1 << 16);
        PrometheusFormatter.Write(reports, buffer); // warm up
        buffer.ResetWrittenCount();

        var before = GC.GetAllocatedBytesForCurrentThread();
        PrometheusFormatter.Write(reports, buffer);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // About 170 series: a string or boxed number per series would cost several KB. What is left is the
        // enumerators of the records' IReadOnlyDictionary maps and the pooled copy of a non-array list.
        Assert.InRange(allocated, 0, 1024);
    }

    [Fact]
    public async Task Format_PassesPromtoolCheckMetrics_WithLintFindingsOnlyForTheGuidesFixedNames()
    {
        var promtool = Resilience.Metrics.Testing.ExternalTools.Require("promtool");

        var priced = ReportSamples.Create("priced", new Dictionary<string, ModelMetrics>
        {
            ["gpt-4o"] = ReportSamples.Model(10, 10, 100, 10_000, 2_000) with { CostUsd = 0.04 },
        }) with { CostUsd = 0.04 };
        var text = PrometheusFormatter.Format([.. ThreeBackends(), ReportSamples.NonFinite(), priced]);
        Assert.Contains("api_cost_usd_total{api=\"priced\",model=\"gpt-4o\"} 0.04\n", text, StringComparison.Ordinal);
        var (exitCode, output) = await Resilience.Metrics.Testing.ExternalTools.RunAsync(promtool, "check metrics", text);

        // promtool check metrics: 0 = clean, 3 = lint findings ("<family> <finding>" per line), 1 = parse error.
        Assert.True(exitCode is 0 or 3, $"promtool exit code {exitCode}:\n{output}");
        var findings = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(exitCode == 3, findings.Length > 0);
        var guideNames = GuideFamilies.Select(f => f.Name).ToHashSet();
        Assert.All(findings, finding => Assert.Contains(finding.Split(' ')[0], guideNames));
    }

    private sealed record Sample(string Name, Dictionary<string, string> Labels, string Value);

    private static List<Sample> ParseSamples(string text) =>
        [.. text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(ParseSample)];

    // A strict reader of one 0.0.4 sample line: name{label="value",...} value, with \\ \" \n escapes.
    private static Sample ParseSample(string line)
    {
        var brace = line.IndexOf('{', StringComparison.Ordinal);
        Assert.True(brace > 0, $"no labels in {line}");
        var name = line[..brace];
        Assert.Matches("^[a-zA-Z_:][a-zA-Z0-9_:]*$", name);
        var labels = new Dictionary<string, string>();
        var i = brace + 1;
        while (line[i] != '}')
        {
            var equals = line.IndexOf('=', i);
            var key = line[i..equals];
            Assert.Matches("^[a-zA-Z_][a-zA-Z0-9_]*$", key);
            Assert.Equal('"', line[equals + 1]);
            var value = new StringBuilder();
            for (i = equals + 2; line[i] != '"'; i++)
            {
                if (line[i] == '\\')
                {
                    i++;
                    value.Append(line[i] switch
                    {
                        '\\' => '\\',
                        '"' => '"',
                        'n' => '\n',
                        _ => throw new FormatException($"bad escape in {line}"),
                    });
                }
                else
                {
                    value.Append(line[i]);
                }
            }

            Assert.True(labels.TryAdd(key, value.ToString()), $"label {key} twice in {line}");
            i++;
            if (line[i] == ',')
            {
                i++;
            }
        }

        Assert.Equal(' ', line[i + 1]);
        var number = line[(i + 2)..];
        Assert.Matches(@"^([+-]Inf|-?\d+(\.\d+)?(E[+-]\d+)?)$", number);
        return new Sample(name, labels, number);
    }

    [System.Text.RegularExpressions.GeneratedRegex("_(bucket|sum|count)$")]
    private static partial System.Text.RegularExpressions.Regex HistogramSuffix();
}
