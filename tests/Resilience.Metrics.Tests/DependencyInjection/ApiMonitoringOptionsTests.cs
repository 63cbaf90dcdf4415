using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Polly;

namespace Resilience.Metrics.Tests.DependencyInjection;

public class ApiMonitoringOptionsTests
{
    public static TheoryData<string, Action<ApiMonitoringOptions>> InvalidOptions => new()
    {
        { "MetricsWindowSize", o => o.MetricsWindowSize = 0 },
        { "MetricsResetInterval", o => o.MetricsResetInterval = TimeSpan.Zero },
        { "MetricsResetInterval", o => o.MetricsResetInterval = TimeSpan.FromSeconds(-1) },
        { "LatencyPercentiles", o => o.LatencyPercentiles = [50, double.NaN] },
        { "LatencyPercentiles", o => o.LatencyPercentiles = [0] },
        { "LatencyPercentiles", o => o.LatencyPercentiles = [101] },
        { "Queue.MaxConcurrentRequests", o => o.Queue.MaxConcurrentRequests = 0 },
        { "Queue.QueueSize", o => o.Queue.QueueSize = -1 },
        { "Retry.MaxRetries", o => o.Retry.MaxRetries = -1 },
        { "Retry.InitialRetryDelay", o => o.Retry.InitialRetryDelay = TimeSpan.FromSeconds(-1) },
        { "Retry.BackoffFactor", o => o.Retry.BackoffFactor = double.NaN },
        { "Retry.BackoffFactor", o => o.Retry.BackoffFactor = 0.5 },
        { "Retry.MaxRetryDelay", o => o.Retry.MaxRetryDelay = TimeSpan.FromSeconds(-1) },
        { "Retry.MaxRetryDelay", o => (o.Retry.InitialRetryDelay, o.Retry.MaxRetryDelay) = (TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)) },
        { "Resilience", o => o.Resilience = (ApiResilience)7 },
        { "Pricing", o => o.Pricing = null! },
        { "LatencyPercentiles", o => o.LatencyPercentiles = [-1] },
        { "CircuitBreaker.FailureThreshold", o => o.CircuitBreaker.FailureThreshold = 1 },
        { "CircuitBreaker.ResetTimeout", o => o.CircuitBreaker.ResetTimeout = TimeSpan.Zero },
        { "CircuitBreaker.SamplingDuration", o => o.CircuitBreaker.SamplingDuration = TimeSpan.FromMilliseconds(100) },
        { "AttemptTimeout", o => o.AttemptTimeout = TimeSpan.Zero },
        { "ApiFormat", o => o.ApiFormat = (ApiFormat)999 },
        { "BackendName", o => o.BackendName = "  " },
        { "Queue", o => o.Queue = null! },
        { "Retry", o => o.Retry = null! },
        { "CircuitBreaker", o => o.CircuitBreaker = null! },

        // Upper bounds (issue 14): values no deployment needs, which used to pass and fail later as memory or CPU.
        { "MetricsWindowSize", o => o.MetricsWindowSize = 100_001 },
        { "MetricsResetInterval", o => o.MetricsResetInterval = TimeSpan.FromTicks(1) },
        { "MetricsResetInterval", o => o.MetricsResetInterval = TimeSpan.FromDays(31) },
        { "LatencyPercentiles", o => o.LatencyPercentiles = [.. Enumerable.Range(1, 33).Select(i => (double)i)] },
        { "Queue.MaxConcurrentRequests", o => o.Queue.MaxConcurrentRequests = 10_001 },
        { "Queue.QueueSize", o => o.Queue.QueueSize = 100_001 },
        { "Retry.MaxRetries", o => o.Retry.MaxRetries = 101 },
        { "Retry.InitialRetryDelay", o => o.Retry.InitialRetryDelay = TimeSpan.FromDays(2) },
        { "Retry.BackoffFactor", o => o.Retry.BackoffFactor = 101 },
        { "Retry.MaxRetryDelay", o => o.Retry.MaxRetryDelay = TimeSpan.FromDays(2) },
        { "CircuitBreaker.FailureThreshold", o => o.CircuitBreaker.FailureThreshold = 10_001 },
        { "CircuitBreaker.ResetTimeout", o => o.CircuitBreaker.ResetTimeout = TimeSpan.FromDays(2) },
        { "CircuitBreaker.SamplingDuration", o => o.CircuitBreaker.SamplingDuration = TimeSpan.FromDays(2) },
        { "AttemptTimeout", o => o.AttemptTimeout = TimeSpan.FromDays(2) },
        { "BackendName", o => o.BackendName = new string('b', 257) },
        { "BackendName", o => o.BackendName = "line\nbreak" },
    };

    [Fact]
    public void Every_bound_itself_is_accepted()
    {
        var lowest = new ApiMonitoringOptions
        {
            BackendName = "b",
            MetricsWindowSize = 1,
            MetricsResetInterval = TimeSpan.FromSeconds(1),
            LatencyPercentiles = [0.001],
            AttemptTimeout = TimeSpan.FromMilliseconds(10),
        };
        lowest.Queue.MaxConcurrentRequests = 1;
        lowest.Queue.QueueSize = 0;
        lowest.Retry.MaxRetries = 0;
        lowest.Retry.InitialRetryDelay = TimeSpan.Zero;
        lowest.Retry.BackoffFactor = 1;
        lowest.Retry.MaxRetryDelay = TimeSpan.Zero;
        lowest.CircuitBreaker.FailureThreshold = 2;
        lowest.CircuitBreaker.ResetTimeout = TimeSpan.FromMilliseconds(500);
        lowest.CircuitBreaker.SamplingDuration = TimeSpan.FromMilliseconds(500);

        var highest = new ApiMonitoringOptions
        {
            BackendName = new string('b', 256),
            MetricsWindowSize = 100_000,
            MetricsResetInterval = TimeSpan.FromDays(30),
            LatencyPercentiles = [.. Enumerable.Range(1, 32).Select(i => (double)i)],
            AttemptTimeout = TimeSpan.FromDays(1),
        };
        highest.Queue.MaxConcurrentRequests = 10_000;
        highest.Queue.QueueSize = 100_000;
        highest.Retry.MaxRetries = 100;
        highest.Retry.InitialRetryDelay = TimeSpan.FromDays(1);
        highest.Retry.BackoffFactor = 100;
        highest.Retry.MaxRetryDelay = TimeSpan.FromDays(1);
        highest.CircuitBreaker.FailureThreshold = 10_000;
        highest.CircuitBreaker.ResetTimeout = TimeSpan.FromDays(1);
        highest.CircuitBreaker.SamplingDuration = TimeSpan.FromDays(1);

        Assert.Null(new ApiMonitoringOptionsValidator().Validate("b", lowest).FailureMessage);
        Assert.Null(new ApiMonitoringOptionsValidator().Validate("b", highest).FailureMessage);
    }

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void An_invalid_option_fails_at_start_up_naming_the_option(string option, Action<ApiMonitoringOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddHttpClient("openai").AddApiMonitoring(configure);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains($"ApiMonitoringOptions.{option} ", error.Message);
        Assert.Contains("(backend \"", error.Message);
    }

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void An_invalid_option_fails_when_a_plain_pipeline_is_built(string option, Action<ApiMonitoringOptions> configure)
    {
        using var collector = new MetricsCollector();

        var error = Assert.Throws<OptionsValidationException>(() => new ResiliencePipelineBuilder<string>().AddApiMonitoring("s3", collector, configure));

        Assert.Contains(option, error.Message);
    }

    [Fact]
    public void Defaults_are_the_guides()
    {
        var options = new ApiMonitoringOptions();

        Assert.True(options.MetricsEnabled);
        Assert.True(options.ErrorTracking);
        Assert.False(options.RequestTracing);
        Assert.False(options.DetailedLatency);
        Assert.Equal(1000, options.MetricsWindowSize);
        Assert.Null(options.MetricsResetInterval);
        Assert.Equal([50.0, 90, 95, 99], options.ToRegistration().LatencyPercentiles);
        Assert.Equal(5, options.Queue.MaxConcurrentRequests);
        Assert.Equal(100, options.Queue.QueueSize);
        Assert.Equal(5, options.CircuitBreaker.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CircuitBreaker.ResetTimeout);
        Assert.Null(new ApiMonitoringOptionsValidator().Validate(null, options).FailureMessage);
    }

    [Fact]
    public void Options_bind_from_configuration_with_the_client_name_as_backend()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ApiMonitoring:groq:RequestTracing"] = "true",
            ["ApiMonitoring:groq:MetricsWindowSize"] = "50",
            ["ApiMonitoring:groq:MetricsResetInterval"] = "01:00:00",
            ["ApiMonitoring:groq:LatencyPercentiles:0"] = "50",
            ["ApiMonitoring:groq:LatencyPercentiles:1"] = "99.9",
            ["ApiMonitoring:groq:Queue:MaxConcurrentRequests"] = "8",
            ["ApiMonitoring:groq:CircuitBreaker:FailureThreshold"] = "10",
            ["ApiMonitoring:groq:Retry:BackoffFactor"] = "1.5",
            ["ApiMonitoring:groq:ApiFormat"] = "Groq",
        }).Build();
        var services = new ServiceCollection();
        services.AddHttpClient("groq").AddApiMonitoring(configuration.GetSection("ApiMonitoring:groq"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<ApiMonitoringOptions>>().Get("groq");

        Assert.Equal("groq", options.BackendName);
        Assert.True(options.RequestTracing);
        Assert.Equal(50, options.MetricsWindowSize);
        Assert.Equal(TimeSpan.FromHours(1), options.MetricsResetInterval);
        Assert.Equal([50, 99.9], options.LatencyPercentiles!);
        Assert.Equal(8, options.Queue.MaxConcurrentRequests);
        Assert.Equal(10, options.CircuitBreaker.FailureThreshold);
        Assert.Equal(1.5, options.Retry.BackoffFactor);
        Assert.Equal(ApiFormat.Groq, options.ApiFormat);
    }

    [Fact]
    public void The_core_services_are_registered_once_as_singletons()
    {
        var services = new ServiceCollection();
        services.AddApiMonitoring();
        services.AddHttpClient("a").AddApiMonitoring();
        services.AddHttpClient("b").AddApiMonitoring();
        using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(IMetricsReporter));
        Assert.Same(provider.GetRequiredService<MetricsCollector>(), provider.GetRequiredService<IMetricsCollector>());
        Assert.Same(provider.GetRequiredService<IMetricsReporter>(), provider.GetRequiredService<IMetricsReporter>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
    }

    [Theory]
    [InlineData(ApiFormat.OpenAI, "openai", "chat")]
    [InlineData(ApiFormat.Gemini, "gcp.gemini", "chat")]
    [InlineData(ApiFormat.HuggingFaceTei, "huggingface", "embeddings")]
    [InlineData(ApiFormat.Auto, "my-llm", "chat")]
    [InlineData(ApiFormat.S3, null, "chat")]
    public void The_registration_names_the_gen_ai_provider_and_operation(ApiFormat format, string? provider, string operation)
    {
        var registration = new ApiMonitoringOptions { ApiFormat = format, BackendName = "my-llm" }.ToRegistration();

        Assert.Equal(provider, registration.GenAiProviderName);
        Assert.Equal(operation, registration.GenAiOperationName);
    }
}
