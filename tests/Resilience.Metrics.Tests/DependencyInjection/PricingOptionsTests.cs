using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Resilience.Metrics.Tests.DependencyInjection;

public sealed class PricingOptionsTests
{
    private static List<string> Problems(Action<ApiMonitoringOptions> configure)
    {
        var options = new ApiMonitoringOptions { BackendName = "openai" };
        configure(options);
        return new ApiMonitoringOptionsValidator().Problems("openai", options);
    }

    [Fact]
    public void Prices_from_0_to_10000_USD_per_million_are_accepted()
    {
        Assert.Empty(Problems(o =>
        {
            o.Pricing["free"] = new ModelPrice { InputPerMillion = 0, OutputPerMillion = 0, CachedInputPerMillion = 0, CacheWriteInputPerMillion = 0 };
            o.Pricing["dear"] = new ModelPrice { InputPerMillion = 10_000, OutputPerMillion = 10_000, CachedInputPerMillion = 10_000, CacheWriteInputPerMillion = 10_000 };
        }));
    }

    [Theory]
    [InlineData("InputPerMillion", -1, "-1")]
    [InlineData("OutputPerMillion", 10_001, "10001")]
    [InlineData("CachedInputPerMillion", double.NaN, "NaN")]
    [InlineData("InputPerMillion", double.PositiveInfinity, "Infinity")]
    [InlineData("CacheWriteInputPerMillion", -0.5, "-0.5")]
    [InlineData("CacheWriteInputPerMillion", 10_000.5, "10000.5")]
    public void A_price_out_of_bounds_is_refused_naming_the_option_the_model_and_the_backend(string field, double value, string shown)
    {
        var problems = Problems(o =>
        {
            var price = new ModelPrice { InputPerMillion = 2.5, OutputPerMillion = 10, CachedInputPerMillion = 1.25 };
            typeof(ModelPrice).GetProperty(field)!.SetValue(price, value);
            o.Pricing["gpt-4o"] = price;
        });

        Assert.Equal(
            [$"ApiMonitoringOptions.Pricing[\"gpt-4o\"].{field} must be from 0 to 10,000 USD per million tokens; it was {shown} (backend \"openai\")."],
            problems);
    }

    [Fact]
    public void An_input_or_output_price_left_out_is_refused_rather_than_guessed()
    {
        var problems = Problems(o => o.Pricing["text-embedding-3-small"] = new ModelPrice { InputPerMillion = 0.02 });

        Assert.Equal(
            ["ApiMonitoringOptions.Pricing[\"text-embedding-3-small\"].OutputPerMillion must be set, in USD per million tokens (0 for a model without that price); it was unset (backend \"openai\")."],
            problems);
    }

    [Fact]
    public void A_blank_model_name_a_null_price_and_a_null_table_are_refused()
    {
        Assert.Contains(Problems(o => o.Pricing[" "] = new ModelPrice { InputPerMillion = 1, OutputPerMillion = 1 }),
            p => p.StartsWith("ApiMonitoringOptions.Pricing[\" \"] must be named by 1 to 256 characters", StringComparison.Ordinal));
        Assert.Equal(["ApiMonitoringOptions.Pricing[\"gpt-4o\"] must not be null; it was null (backend \"openai\")."],
            Problems(o => o.Pricing["gpt-4o"] = null!));
        Assert.Equal(["ApiMonitoringOptions.Pricing must not be null (leave it empty for no cost figures); it was null (backend \"openai\")."],
            Problems(o => o.Pricing = null!));
    }

    [Fact]
    public void A_price_table_binds_from_configuration_and_reaches_the_reports()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ApiMonitoring:openai:Pricing:gpt-4o:InputPerMillion"] = "2.5",
            ["ApiMonitoring:openai:Pricing:gpt-4o:OutputPerMillion"] = "10",
            ["ApiMonitoring:openai:Pricing:gpt-4o:CachedInputPerMillion"] = "1.25",
            ["ApiMonitoring:openai:Pricing:gpt-4o:CacheWriteInputPerMillion"] = "3.125",
            ["ApiMonitoring:openai:Pricing:gpt-4o-mini:InputPerMillion"] = "0.15",
            ["ApiMonitoring:openai:Pricing:gpt-4o-mini:OutputPerMillion"] = "0.6",
        }).Build();
        var services = new ServiceCollection();
        services.AddHttpClient("openai").AddApiMonitoring(configuration.GetSection("ApiMonitoring:openai"));
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var options = provider.GetRequiredService<IOptionsMonitor<ApiMonitoringOptions>>().Get("openai");

        Assert.Equal(["gpt-4o", "gpt-4o-mini"], options.Pricing.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2.5, options.Pricing["gpt-4o"].InputPerMillion);
        Assert.Equal(10, options.Pricing["gpt-4o"].OutputPerMillion);
        Assert.Equal(1.25, options.Pricing["gpt-4o"].CachedInputPerMillion);
        Assert.Equal(3.125, options.Pricing["gpt-4o"].CacheWriteInputPerMillion);
        Assert.Null(options.Pricing["gpt-4o-mini"].CachedInputPerMillion);
        Assert.Null(options.Pricing["gpt-4o-mini"].CacheWriteInputPerMillion);
        Assert.Equal(0.6, options.ToRegistration().Pricing!["gpt-4o-mini"].OutputPerMillion);
    }

    [Fact]
    public void An_unknown_price_key_fails_at_start_up_naming_it()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ApiMonitoring:openai:Pricing:gpt-4o:InputPerMillion"] = "2.5",
            ["ApiMonitoring:openai:Pricing:gpt-4o:OutputPerMillion"] = "10",
            ["ApiMonitoring:openai:Pricing:gpt-4o:CachedPerMillion"] = "1.25",
        }).Build();
        var services = new ServiceCollection();
        services.AddHttpClient("openai").AddApiMonitoring(configuration.GetSection("ApiMonitoring:openai"));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.True(error.Message.Contains("CachedPerMillion", StringComparison.Ordinal), error.Message);
        Assert.Contains("(backend \"openai\")", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_clients_of_one_backend_must_agree_on_the_cache_write_price()
    {
        var services = new ServiceCollection();
        foreach (var (client, cacheWrite) in new[] { ("chat", (double?)3.75), ("batch", 6d) })
        {
            services.AddHttpClient(client).AddApiMonitoring(o =>
            {
                o.BackendName = "anthropic";
                o.Pricing["claude-sonnet-4"] = new ModelPrice { InputPerMillion = 3, OutputPerMillion = 15, CacheWriteInputPerMillion = cacheWrite };
            });
        }

        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("with different Pricing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_clients_of_one_backend_must_agree_on_the_price_table()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("chat").AddApiMonitoring(o =>
        {
            o.BackendName = "openai";
            o.Pricing["gpt-4o"] = new ModelPrice { InputPerMillion = 2.5, OutputPerMillion = 10 };
        });
        services.AddHttpClient("embed").AddApiMonitoring(o => o.BackendName = "openai");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("with different Pricing", error.Message, StringComparison.Ordinal);
    }
}
