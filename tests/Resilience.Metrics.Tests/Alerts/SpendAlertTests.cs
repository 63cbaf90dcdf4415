using Microsoft.Extensions.Logging.Testing;
using NSubstitute;

namespace Resilience.Metrics.Tests.Alerts;

public sealed class SpendAlertTests : IDisposable
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly AlertTestBackends _backends = new();
    private readonly IAlertSink _sink = Substitute.For<IAlertSink>();

    public void Dispose() => _backends.Dispose();

    private BackendKey Priced(string name) => _backends.Collector.RegisterBackend(name, new BackendRegistration
    {
        Pricing = new Dictionary<string, ModelPrice> { ["gpt-4o"] = new() { InputPerMillion = 2.5, OutputPerMillion = 10 } },
    });

    private void Spend(BackendKey backend, long completionTokens) =>
        _backends.Collector.RecordRequest(new RequestCompleted(backend)
        {
            Latency = TimeSpan.FromMilliseconds(100),
            Succeeded = true,
            Attempts = 1,
            Model = "gpt-4o-2024-08-06",
            CompletionTokens = completionTokens,
        });

    private AlertMonitor Monitor(double? budget) =>
        new(_backends.Reporter, [_sink], new ApiMonitoringAlertOptions { SpendPerHourBudget = budget }, _backends.Time, new FakeLogger());

    private async Task<List<Alert>> CheckEachMinute(AlertMonitor monitor, int minutes)
    {
        var sent = new List<Alert>();
        for (var i = 0; i < minutes; i++)
        {
            _backends.Time.Advance(Minute);
            sent.AddRange(await monitor.CheckNowAsync());
        }

        return sent;
    }

    [Fact]
    public async Task A_spend_rate_above_the_budget_fires_once_and_resolves_once_it_has_left_the_window()
    {
        var openai = Priced("openai");
        using var monitor = Monitor(budget: 10);
        Spend(openai, 200_000);   // 2 USD at 10 USD per million output tokens

        var sent = await CheckEachMinute(monitor, 7);

        Assert.Equal(2, sent.Count);
        var fired = sent[0];
        Assert.Equal((AlertRule.SpendRate, AlertState.Firing, "spend_rate"), (fired.Rule, fired.State, fired.RuleName));
        Assert.Equal(120, fired.Value, 9);   // 2 USD over the backend's first 60 s: 120 USD per hour
        Assert.Equal(10, fired.Threshold);
        Assert.Equal("High spend rate: 120.00 USD/h", fired.Message);
        var resolved = sent[1];
        Assert.Equal((AlertRule.SpendRate, AlertState.Resolved), (resolved.Rule, resolved.State));
        Assert.Equal(0, resolved.Value);
        Assert.Equal("Spend rate back to normal: 0.00 USD/h (budget 10.00 USD/h)", resolved.Message);
        Assert.Empty(monitor.ActiveAlerts);
    }

    [Fact]
    public async Task A_spend_rate_at_or_under_the_budget_stays_quiet()
    {
        var openai = Priced("openai");
        using var monitor = Monitor(budget: 120);
        Spend(openai, 200_000);   // exactly 120 USD per hour at the first check

        Assert.Empty(await CheckEachMinute(monitor, 3));
    }

    [Fact]
    public async Task A_backend_without_a_price_table_or_a_monitor_without_a_budget_has_no_spend_rule()
    {
        var plain = _backends.Register("plain");
        _backends.Collector.RecordRequest(new RequestCompleted(plain) { Succeeded = true, Attempts = 1, Model = "gpt-4o", CompletionTokens = 10_000_000 });
        var openai = Priced("openai");
        Spend(openai, 10_000_000);

        using var withBudget = Monitor(budget: 1);
        using var withoutBudget = Monitor(budget: null);
        _backends.Time.Advance(Minute);
        var sent = (await withBudget.CheckNowAsync()).Concat(await withoutBudget.CheckNowAsync()).ToList();

        var alert = Assert.Single(sent);
        Assert.Equal(("openai", AlertRule.SpendRate), (alert.Backend, alert.Rule));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-5.0)]
    [InlineData(double.NaN)]
    [InlineData(1_000_001.0)]
    public void A_budget_out_of_bounds_is_refused_naming_the_option(double budget)
    {
        var result = new ApiMonitoringAlertOptionsValidator().Validate(null, new ApiMonitoringAlertOptions { SpendPerHourBudget = budget });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("ApiMonitoringAlertOptions.SpendPerHourBudget must be greater than 0 and at most 1,000,000 USD per hour", failure, StringComparison.Ordinal);
    }
}
