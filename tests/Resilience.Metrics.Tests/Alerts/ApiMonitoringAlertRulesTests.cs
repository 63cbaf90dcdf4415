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
                expr: 'sum by (api) (rate(api_failures_total[5m])) / sum by (api) (rate(api_requests_total[5m])) > 0.05'
                for: '1m'
                labels:
                  severity: 'warning'
                annotations:
                  summary: 'High error rate on {{ $labels.api }}'
                  description: 'High error rate: {{ $value | humanizePercentage }} of requests to {{ $labels.api }} failed over the last 5m (threshold: 5%).'
              - alert: 'ApiHighP95Latency'
                expr: 'histogram_quantile(0.95, sum by (api, le) (rate(api_request_duration_seconds_bucket[5m]))) > 1'
                for: '1m'
                labels:
                  severity: 'warning'
                annotations:
                  summary: 'High P95 latency on {{ $labels.api }}'
                  description: 'High P95 latency: {{ $value | humanizeDuration }} on {{ $labels.api }} over the last 5m (threshold: 1s).'
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
              - alert: 'ApiRateLimitHeadroomLow'
                expr: 'api_ratelimit_remaining / api_ratelimit_limit < 0.1 unless api_ratelimit_reset_seconds == 0'
                for: '1m'
                labels:
                  severity: 'warning'
                annotations:
                  summary: 'Low rate-limit headroom on {{ $labels.api }}'
                  description: 'Only {{ $value | humanizePercentage }} of the {{ $labels.kind }} rate limit of {{ $labels.api }} is left in its window (threshold: 10%).'

        """;

    private static readonly ApiMonitoringAlertOptions Custom = new()
    {
        ErrorRate = 0.125,
        P95Latency = TimeSpan.FromMilliseconds(2500),
        QueueSize = 10,
        CheckInterval = TimeSpan.FromSeconds(90),
        Window = TimeSpan.FromMinutes(10),
        RateLimitHeadroom = 0.25,
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

        Assert.Contains("expr: 'sum by (api) (rate(api_failures_total[10m])) / sum by (api) (rate(api_requests_total[10m])) > 0.125'\n", yaml, StringComparison.Ordinal);
        Assert.Contains("(threshold: 12.5%)", yaml, StringComparison.Ordinal);
        Assert.Contains("expr: 'histogram_quantile(0.95, sum by (api, le) (rate(api_request_duration_seconds_bucket[10m]))) > 2.5'\n", yaml, StringComparison.Ordinal);
        Assert.Contains("expr: 'api_queue_size > 10'\n", yaml, StringComparison.Ordinal);
        Assert.Equal(5, yaml.Split("for: '90s'\n").Length - 1);
        Assert.Contains("expr: 'api_ratelimit_remaining / api_ratelimit_limit < 0.25 unless api_ratelimit_reset_seconds == 0'\n", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("ApiRateLimitHeadroomLow", ApiMonitoringAlertRules.ToPrometheusYaml(new ApiMonitoringAlertOptions { RateLimitHeadroom = 0 }), StringComparison.Ordinal);
    }

    [Fact]
    public void A_spend_budget_adds_a_spend_rate_rule_over_the_window()
    {
        var yaml = ApiMonitoringAlertRules.ToPrometheusYaml(new ApiMonitoringAlertOptions { SpendPerHourBudget = 50 });

        Assert.Contains(
            """
                  - alert: 'ApiHighSpendRate'
                    expr: 'sum by (api) (rate(api_cost_usd_total[5m])) * 3600 > 50'
                    for: '1m'
                    labels:
                      severity: 'warning'
                    annotations:
                      summary: 'High spend rate on {{ $labels.api }}'
                      description: 'High spend rate: {{ $value | printf "%.2f" }} USD per hour on {{ $labels.api }} over the last 5m (budget: 50 USD per hour).'

            """,
            yaml,
            StringComparison.Ordinal);
        Assert.DoesNotContain("ApiHighSpendRate", ApiMonitoringAlertRules.ToPrometheusYaml(new ApiMonitoringAlertOptions()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promtool_checks_the_spend_rule_and_its_unit_test_fires_above_the_budget_and_resolves_under_it()
    {
        var promtool = Promtool();
        using var directory = new TempDirectory();
        var rules = directory.Write("rules.yml", ApiMonitoringAlertRules.ToPrometheusYaml(new ApiMonitoringAlertOptions { SpendPerHourBudget = 50 }));

        var (checkExit, checkOutput) = await Run(promtool, "check", "rules", rules);
        Assert.True(checkExit == 0, checkOutput);
        Assert.Contains("SUCCESS: 6 rules found", checkOutput, StringComparison.Ordinal);

        // openai spends 1.20 USD a minute over two models (72 USD per hour) for 10 minutes, then 0.30 a minute (18 USD
        // per hour); groq spends 0.50 a minute (30 USD per hour) throughout, under the 50 USD budget.
        var tests = directory.Write("rules_test.yml", """
            rule_files:
              - rules.yml
            evaluation_interval: 1m
            tests:
              - interval: 1m
                input_series:
                  - series: 'api_cost_usd_total{api="openai",model="gpt-4o"}'
                    values: '0+1x10 10.1+0.1x19'
                  - series: 'api_cost_usd_total{api="openai",model="gpt-4o-mini"}'
                    values: '0+0.2x30'
                  - series: 'api_cost_usd_total{api="groq",model="llama-3.3-70b"}'
                    values: '0+0.5x30'
                alert_rule_test:
                  - eval_time: 8m
                    alertname: ApiHighSpendRate
                    exp_alerts:
                      - exp_labels: { severity: warning, api: openai }
                        exp_annotations:
                          summary: 'High spend rate on openai'
                          description: 'High spend rate: 72.00 USD per hour on openai over the last 5m (budget: 50 USD per hour).'
                  - eval_time: 20m
                    alertname: ApiHighSpendRate
            """);

        var (exitCode, output) = await Run(promtool, "test", "rules", tests);

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
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
        Assert.Equal(2, output.Split("SUCCESS: 5 rules found").Length - 1);
    }

    [Fact]
    public async Task Promtool_unit_tests_fire_each_rule_during_an_outage_and_resolve_each_after_it()
    {
        var promtool = Promtool();
        using var directory = new TempDirectory();
        directory.Write("rules.yml", ApiMonitoringAlertRules.ToPrometheusYaml(new ApiMonitoringAlertOptions()));

        // openai: 600 requests a minute, all under 0.5 s; from minute 10 to 20 an outage fails half of them and makes
        // that half take 2 s; then healthy again. groq: exactly at the 5 % threshold, which does not fire. gemini's
        // circuit is OPEN for 5 minutes, then HALF-OPEN (its break elapsed), then CLOSED.
        // Values are read where the window lies inside the outage, so they do not depend on how a Prometheus version
        // extrapolates at a window's edges; each alert resolves once the outage has left the 5 minute window.
        var tests = directory.Write("rules_test.yml", """
            rule_files:
              - rules.yml
            evaluation_interval: 1m
            tests:
              - interval: 1m
                input_series:
                  - series: 'api_requests_total{api="openai"}'
                    values: '0+600x40'
                  - series: 'api_failures_total{api="openai"}'
                    values: '0x10 300+300x9 3000x20'
                  - series: 'api_requests_total{api="groq"}'
                    values: '0+100x40'
                  - series: 'api_failures_total{api="groq"}'
                    values: '0+5x40'
                  - series: 'api_request_duration_seconds_bucket{api="openai",le="0.5"}'
                    values: '0+600x10 6300+300x9 9600+600x20'
                  - series: 'api_request_duration_seconds_bucket{api="openai",le="1"}'
                    values: '0+600x10 6300+300x9 9600+600x20'
                  - series: 'api_request_duration_seconds_bucket{api="openai",le="2.5"}'
                    values: '0+600x40'
                  - series: 'api_request_duration_seconds_bucket{api="openai",le="+Inf"}'
                    values: '0+600x40'
                  - series: 'api_queue_size{api="ollama"}'
                    values: '60x5 0x5'
                  - series: 'api_queue_size{api="groq"}'
                    values: '50x10'
                  - series: 'api_circuit_state{api="gemini"}'
                    values: '2x5 1x5 0x5'
                  - series: 'api_ratelimit_limit{api="openai",kind="tokens"}'
                    values: '1000x20'
                  - series: 'api_ratelimit_remaining{api="openai",kind="tokens"}'
                    values: '500x5 50x10 900x5'
                  - series: 'api_ratelimit_reset_seconds{api="openai",kind="tokens"}'
                    values: '30x10 0x5 30x5'
                  - series: 'api_ratelimit_limit{api="anthropic",kind="requests"}'
                    values: '4000x20'
                  - series: 'api_ratelimit_remaining{api="anthropic",kind="requests"}'
                    values: '400x20'
                  - series: 'api_ratelimit_reset_seconds{api="anthropic",kind="requests"}'
                    values: '20x20'
                alert_rule_test:
                  - eval_time: 9m
                    alertname: ApiHighErrorRate
                  - eval_time: 9m
                    alertname: ApiHighP95Latency
                  - eval_time: 17m
                    alertname: ApiHighErrorRate
                    exp_alerts:
                      - exp_labels: { severity: warning, api: openai }
                        exp_annotations:
                          summary: 'High error rate on openai'
                          description: 'High error rate: 50% of requests to openai failed over the last 5m (threshold: 5%).'
                  - eval_time: 17m
                    alertname: ApiHighP95Latency
                    exp_alerts:
                      - exp_labels: { severity: warning, api: openai }
                        exp_annotations:
                          summary: 'High P95 latency on openai'
                          description: 'High P95 latency: 2.35s on openai over the last 5m (threshold: 1s).'
                  - eval_time: 25m
                    alertname: ApiHighErrorRate
                  - eval_time: 25m
                    alertname: ApiHighP95Latency
                  - eval_time: 2m
                    alertname: ApiLargeQueue
                    exp_alerts:
                      - exp_labels: { severity: warning, api: ollama }
                        exp_annotations:
                          summary: 'Large queue on ollama'
                          description: 'Large queue size: 60 requests waiting for ollama (threshold: 50).'
                  - eval_time: 8m
                    alertname: ApiLargeQueue
                  - eval_time: 2m
                    alertname: ApiCircuitOpen
                    exp_alerts:
                      - exp_labels: { severity: critical, api: gemini }
                        exp_annotations:
                          summary: 'Circuit breaker open on gemini'
                          description: 'The circuit breaker of gemini is open (api_circuit_state 2): requests fail fast without reaching the backend.'
                  - eval_time: 7m
                    alertname: ApiCircuitOpen
                  - eval_time: 4m
                    alertname: ApiRateLimitHeadroomLow
                  - eval_time: 8m
                    alertname: ApiRateLimitHeadroomLow
                    exp_alerts:
                      - exp_labels: { severity: warning, api: openai, kind: tokens }
                        exp_annotations:
                          summary: 'Low rate-limit headroom on openai'
                          description: 'Only 5% of the tokens rate limit of openai is left in its window (threshold: 10%).'
                  - eval_time: 12m
                    alertname: ApiRateLimitHeadroomLow
                  - eval_time: 18m
                    alertname: ApiRateLimitHeadroomLow
            """);

        var (exitCode, output) = await Run(promtool, "test", "rules", tests);

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    private static string Promtool() => Resilience.Metrics.Testing.ExternalTools.Require("promtool");

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
