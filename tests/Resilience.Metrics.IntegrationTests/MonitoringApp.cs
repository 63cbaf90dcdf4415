using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Resilience.Metrics.Simulation;

namespace Resilience.Metrics.IntegrationTests;

/// <summary>
/// A real ASP.NET Core app on 127.0.0.1 with monitored HttpClients for the simulated backends, the
/// <c>/monitoring</c> endpoints and the health check: what an application of a user looks like.
/// </summary>
internal sealed class MonitoringApp : IAsyncDisposable
{
    private MonitoringApp(WebApplication app, SimulatedBackendServer server, Uri address)
    {
        App = app;
        Server = server;
        Address = address;
        Http = new HttpClient { BaseAddress = address };
    }

    public WebApplication App { get; }

    public SimulatedBackendServer Server { get; }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public IMetricsReporter Reporter => App.Services.GetRequiredService<IMetricsReporter>();

    public static async Task<MonitoringApp> StartAsync(Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null)
    {
        var server = await SimulatedBackendServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        foreach (var api in server.Apis)
        {
            builder.Services.AddHttpClient(MonitoredClients.Name(api), c => c.BaseAddress = server.BaseAddressOf(api))
                .AddApiMonitoring(o =>
                {
                    o.ApiFormat = MonitoredClients.Format(api);
                    o.RequestTracing = true;
                    o.Retry.InitialRetryDelay = TimeSpan.Zero;
                    if (api == SimulatedApi.OpenAI)
                    {
                        // One priced backend, so every scrape carries api_cost_usd_total.
                        o.Pricing["gpt-4o"] = new ModelPrice { InputPerMillion = 2.5, OutputPerMillion = 10, CachedInputPerMillion = 1.25 };
                        o.Pricing["gpt-4o-mini"] = new ModelPrice { InputPerMillion = 0.15, OutputPerMillion = 0.6, CachedInputPerMillion = 0.075 };
                    }
                });
        }

        builder.Services.AddHealthChecks().AddApiMonitoringHealthChecks();
        configure?.Invoke(builder);

        var app = builder.Build();
        if (map is null)
        {
            app.MapApiMonitoring();
        }
        else
        {
            map(app);
        }

        app.MapHealthChecks("/health");
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new MonitoringApp(app, server, new Uri(address));
    }

    /// <summary>Sends each API's typical request <paramref name="times"/> times through the app's monitored clients.</summary>
    public async Task SendTrafficAsync(int times = 1)
    {
        var factory = App.Services.GetRequiredService<IHttpClientFactory>();
        foreach (var api in Server.Apis)
        {
            for (var i = 0; i < times; i++)
            {
                using var request = SimulatedRequests.Create(api);
                using var response = await factory.CreateClient(MonitoredClients.Name(api)).SendAsync(request, TestContext.Current.CancellationToken);
                await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Server.DisposeAsync();
    }
}
