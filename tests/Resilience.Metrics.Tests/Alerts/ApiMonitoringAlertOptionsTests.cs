using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Resilience.Metrics.Tests.Alerts;

public sealed class ApiMonitoringAlertOptionsTests
{
    [Fact]
    public void The_defaults_are_the_guides_thresholds_and_are_valid()
    {
        var options = new ApiMonitoringAlertOptions();

        Assert.Equal(0.05, options.ErrorRate);
        Assert.Equal(TimeSpan.FromMilliseconds(1000), options.P95Latency);
        Assert.Equal(50, options.QueueSize);
        Assert.Equal(TimeSpan.FromMinutes(1), options.CheckInterval);
        Assert.Equal(TimeSpan.FromMinutes(5), options.Window);
        Assert.True(options.CircuitOpen);
        Assert.True(new ApiMonitoringAlertOptionsValidator().Validate(null, options).Succeeded);
    }

    public static TheoryData<Action<ApiMonitoringAlertOptions>, string> InvalidOptions => new()
    {
        { o => o.ErrorRate = 2, "ApiMonitoringAlertOptions.ErrorRate must be from 0 to 1; it was 2." },
        { o => o.ErrorRate = -0.5, "ApiMonitoringAlertOptions.ErrorRate must be from 0 to 1; it was -0.5." },
        { o => o.ErrorRate = double.NaN, "ApiMonitoringAlertOptions.ErrorRate must be from 0 to 1; it was NaN." },
        { o => o.P95Latency = TimeSpan.Zero, "ApiMonitoringAlertOptions.P95Latency must be greater than zero and at most 1 day; it was 00:00:00." },
        { o => o.P95Latency = TimeSpan.FromDays(2), "ApiMonitoringAlertOptions.P95Latency must be greater than zero and at most 1 day; it was 2.00:00:00." },
        { o => o.QueueSize = -1, "ApiMonitoringAlertOptions.QueueSize must be 0 or more; it was -1." },
        { o => o.CheckInterval = TimeSpan.FromMilliseconds(500), "ApiMonitoringAlertOptions.CheckInterval must be from 1 second to 1 day; it was 00:00:00.5000000." },
        { o => o.CheckInterval = TimeSpan.FromDays(1.5), "ApiMonitoringAlertOptions.CheckInterval must be from 1 second to 1 day; it was 1.12:00:00." },
        { o => o.Window = TimeSpan.FromSeconds(1), "ApiMonitoringAlertOptions.Window must be from 5 seconds to 15 minutes; it was 00:00:01." },
        { o => o.Window = TimeSpan.FromMinutes(20), "ApiMonitoringAlertOptions.Window must be from 5 seconds to 15 minutes; it was 00:20:00." },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void An_invalid_option_fails_with_a_message_that_names_it(Action<ApiMonitoringAlertOptions> configure, string message)
    {
        var options = new ApiMonitoringAlertOptions();
        configure(options);

        var result = new ApiMonitoringAlertOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal([message], result.Failures);
    }

    [Fact]
    public void Invalid_options_fail_at_start_up_naming_every_bad_option()
    {
        var services = new ServiceCollection().AddApiMonitoringAlerts(o =>
        {
            o.ErrorRate = 2;
            o.QueueSize = -5;
        });
        using var provider = services.BuildServiceProvider();

        // What the host runs before it starts hosted services (ValidateOnStart).
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(
            ["ApiMonitoringAlertOptions.ErrorRate must be from 0 to 1; it was 2.", "ApiMonitoringAlertOptions.QueueSize must be 0 or more; it was -5."],
            error.Failures);
    }

    [Fact]
    public void AddApiMonitoringAlerts_registers_the_monitor_the_log_sink_the_hosted_service_and_AddApiMonitoring_once()
    {
        var services = new ServiceCollection()
            .AddApiMonitoringAlerts(o => o.ErrorRate = 0.1)
            .AddApiMonitoringAlerts(o => o.QueueSize = 7);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<ApiMonitoringAlertOptions>>().Value;
        Assert.Equal((0.1, 7), (options.ErrorRate, options.QueueSize));
        Assert.IsType<AlertMonitor>(provider.GetRequiredService<IAlertMonitor>());
        Assert.IsType<LoggerAlertSink>(Assert.Single(provider.GetServices<IAlertSink>()));
        Assert.IsType<AlertMonitorService>(Assert.Single(provider.GetServices<IHostedService>()));
        Assert.NotNull(provider.GetRequiredService<IMetricsReporter>());
    }

    [Fact]
    public void Options_bind_from_configuration()
    {
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Alerts:ErrorRate"] = "0.1",
                ["Alerts:P95Latency"] = "00:00:02.5",
                ["Alerts:QueueSize"] = "10",
                ["Alerts:CheckInterval"] = "00:00:30",
            })
            .Build()
            .GetSection("Alerts");
        using var provider = new ServiceCollection().AddApiMonitoringAlerts(section).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ApiMonitoringAlertOptions>>().Value;

        Assert.Equal(0.1, options.ErrorRate);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), options.P95Latency);
        Assert.Equal(10, options.QueueSize);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CheckInterval);
    }
}
