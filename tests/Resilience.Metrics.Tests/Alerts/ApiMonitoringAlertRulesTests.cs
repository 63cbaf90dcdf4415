using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Resilience.Metrics.Tests.Alerts;

public sealed class ApiMonitoringAlertRulesTests
{
    private const string DefaultRules = """
        # Prometheus alerting rules for Resilience.Metrics, from ApiMonitoringAlertOptions.
        # Load with rule_files: in prometheus.yml; check with: promtool check rules <file>
        groups:
          - name: 'resilience-metrics'
            rules:
              - alert: 'ApiHighErrorRate'
                expr: 'api_error_rate > 0.05'
                for: '1m'
                labels:
                  severity: 'warning'
                annotations:
                  summary: 'High error rate on {{ $labels.api }}'
                  description: 'High error rate: {{ $value | humanizePercentage }} of requests to {{ $labels.api }} failed (threshold: 5%).'
              - alert: 'ApiHighP95Latency'
                expr: 'api_latency_milliseconds{percentile="95"} > 1000'
                for: '1m'
                labels:
                  severity: 'warning'
                annotations:
                  summary: 'High P95 latency on {{ $labels.api }}'
                  description: 'High P95 latency: {{ printf "%.2f" $value }}ms on {{ $labels.api }} (threshold: 1000ms).'
              - alert: 'ApiLargeQueue'
                expr: 'api_queue_size > 50'
                for: '1m'
                labels:
                  severity: 'warning'
                annotations:
                  summary: 'Large queue on {{ $labels.api }}'
                  description: 'Large queue size: {{ $value }} requests waiting for {{ $labels.api }} (threshold: 50).'
              - alert: 'ApiCircuitOpen'
                expr: 'api_circuit_state == 2'
                for: '1m'
                labels:
                  severity: 'critical'
                annotations:
                  summary: 'Circuit breaker open on {{ $labels.api }}'
                  description: 'The circuit breaker of {{ $labels.api }} is open (api_circuit_state {{ $value }}): requests fail fast without reaching the backend.'

        """;

    private static readonly ApiMonitoringAlertOptions Custom = new()
    {
        ErrorRate = 0.125,
        P95Latency = TimeSpan.FromMilliseconds(2500),
        QueueSize = 10,
        CheckInterval = TimeSpan.FromSeconds(90),
    };

    [Fact]
    public void The_default_rules_carry_the_guides_thresholds()
    {
        Assert.Equal(DefaultRules, ApiMonitoringAlertRules.ToPrometheusYaml(new ApiMonitoringAlertOptions()));
    }

    [Fact]
    public void Configured_thresholds_and_check_interval_become_the_expressions_and_for_durations()
    {
        var yaml = ApiMonitoringAlertRules.ToPrometheusYaml(Custom);

        Assert.Contains("expr: 'api_error_rate > 0.125'\n", yaml, StringComparison.Ordinal);
        Assert.Contains("(threshold: 12.5%)", yaml, StringComparison.Ordinal);
        Assert.Contains("expr: 'api_latency_milliseconds{percentile=\"95\"} > 2500'\n", yaml, StringComparison.Ordinal);
        Assert.Contains("expr: 'api_queue_size > 10'\n", yaml, StringComparison.Ordinal);
        Assert.Equal(4, yaml.Split("for: '90s'\n").Length - 1);
    }

    [Theory]
    [InlineData(1_000, "1s")]
    [InlineData(1_500, "1500ms")]
    [InlineData(30_000, "30s")]
    [InlineData(60_000, "1m")]
    [InlineData(90_000, "90s")]
    [InlineData(7_200_000, "2h")]
    [InlineData(86_400_000, "1d")]
    public void Durations_use_the_largest_exact_Prometheus_unit(int milliseconds, string expected) =>
        Assert.Equal(expected, ApiMonitoringAlertRules.Duration(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void Invalid_options_are_refused_naming_the_option()
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
            ApiMonitoringAlertRules.ToPrometheusYaml(new ApiMonitoringAlertOptions { ErrorRate = 2 }));

        Assert.Equal(["ApiMonitoringAlertOptions.ErrorRate must be from 0 to 1; it was 2."], error.Failures);
    }

    [Fact]
    public async Task The_default_and_configured_rules_pass_promtool_check_rules()
    {
        var promtool = Promtool();
        using var directory = new TempDirectory();
        var defaults = directory.Write("defaults.yml", ApiMonitoringAlertRules.ToPrometheusYaml(new ApiMonitoringAlertOptions()));
        var custom = directory.Write("custom.yml", ApiMonitoringAlertRules.ToPrometheusYaml(Custom));

        var (exitCode, output) = await Run(promtool, "check", "rules", defaults, custom);

        Assert.True(exitCode == 0, output);
        Assert.Equal(2, output.Split("SUCCESS: 4 rules found").Length - 1);
    }

    [Fact]
    public async Task Promtool_unit_tests_fire_each_rule_with_the_rendered_annotations()
    {
        var promtool = Promtool();
        using var directory = new TempDirectory();
        directory.Write("rules.yml", ApiMonitoringAlertRules.ToPrometheusYaml(new ApiMonitoringAlertOptions()));
        var tests = directory.Write("rules_test.yml", """
            rule_files:
              - rules.yml
            evaluation_interval: 1m
            tests:
              - interval: 1m
                input_series:
                  - series: 'api_error_rate{api="openai"}'
                    values: '0.075x5'
                  - series: 'api_error_rate{api="groq"}'
                    values: '0.05x5'
                  - series: 'api_latency_milliseconds{api="openai",percentile="95"}'
                    values: '1234x5'
                  - series: 'api_latency_milliseconds{api="openai",percentile="50"}'
                    values: '5000x5'
                  - series: 'api_queue_size{api="ollama"}'
                    values: '60x5'
                  - series: 'api_queue_size{api="groq"}'
                    values: '50x5'
                  - series: 'api_circuit_state{api="gemini"}'
                    values: '2x5'
                  - series: 'api_circuit_state{api="groq"}'
                    values: '1x5'
                alert_rule_test:
                  - eval_time: 0m
                    alertname: ApiHighErrorRate
                  - eval_time: 2m
                    alertname: ApiHighErrorRate
                    exp_alerts:
                      - exp_labels: { severity: warning, api: openai }
                        exp_annotations:
                          summary: 'High error rate on openai'
                          description: 'High error rate: 7.5% of requests to openai failed (threshold: 5%).'
                  - eval_time: 2m
                    alertname: ApiHighP95Latency
                    exp_alerts:
                      - exp_labels: { severity: warning, api: openai, percentile: '95' }
                        exp_annotations:
                          summary: 'High P95 latency on openai'
                          description: 'High P95 latency: 1234.00ms on openai (threshold: 1000ms).'
                  - eval_time: 2m
                    alertname: ApiLargeQueue
                    exp_alerts:
                      - exp_labels: { severity: warning, api: ollama }
                        exp_annotations:
                          summary: 'Large queue on ollama'
                          description: 'Large queue size: 60 requests waiting for ollama (threshold: 50).'
                  - eval_time: 2m
                    alertname: ApiCircuitOpen
                    exp_alerts:
                      - exp_labels: { severity: critical, api: gemini }
                        exp_annotations:
                          summary: 'Circuit breaker open on gemini'
                          description: 'The circuit breaker of gemini is open (api_circuit_state 2): requests fail fast without reaching the backend.'
            """);

        var (exitCode, output) = await Run(promtool, "test", "rules", tests);

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    private static string Promtool()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, OperatingSystem.IsWindows() ? "promtool.exe" : "promtool"))
            .FirstOrDefault(File.Exists);
        if (path is null)
        {
            Assert.Skip("promtool not installed");
        }

        return path;
    }

    private static async Task<(int ExitCode, string Output)> Run(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private sealed class TempDirectory : IDisposable
    {
        private readonly string _path = Directory.CreateTempSubdirectory("alert-rules-").FullName;

        public string Write(string name, string content)
        {
            var file = Path.Combine(_path, name);
            File.WriteAllText(file, content);
            return file;
        }

        public void Dispose() => Directory.Delete(_path, recursive: true);
    }
}
