using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Metrics.SdkTests;

/// <summary>
/// One test's own ServiceProvider with one named HttpClient from IHttpClientFactory with <c>AddApiMonitoring</c>,
/// as an application registers it, and the reporter over it.
/// </summary>
internal sealed class Monitored : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private Monitored(string name, ServiceProvider services)
    {
        Name = name;
        _services = services;
    }

    public string Name { get; }

    public IMeterFactory MeterFactory => _services.GetRequiredService<IMeterFactory>();

    public IMetricsReporter Reporter => _services.GetRequiredService<IMetricsReporter>();

    public MetricsReport Report => Reporter.GetMetricsReport(Name);

    /// <summary>A monitored HttpClient (a new one per call, as IHttpClientFactory hands them out).</summary>
    public HttpClient Client => _services.GetRequiredService<IHttpClientFactory>().CreateClient(Name);

    /// <param name="name">The HttpClient's name, and so the backend's.</param>
    /// <param name="baseAddress">The client's BaseAddress, for SDKs that take it from the HttpClient; null to leave it unset.</param>
    /// <param name="configure">The monitoring options; retries wait no time unless a test says otherwise.</param>
    public static Monitored Create(string name, Uri? baseAddress, Action<ApiMonitoringOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddHttpClient(name, client =>
            {
                if (baseAddress is not null)
                {
                    client.BaseAddress = baseAddress;
                }
            })
            .AddApiMonitoring(options =>
            {
                options.Retry.InitialRetryDelay = TimeSpan.Zero;
                configure?.Invoke(options);
            });
        return new Monitored(name, services.BuildServiceProvider());
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
