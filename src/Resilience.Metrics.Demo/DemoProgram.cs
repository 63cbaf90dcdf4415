using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Resilience.Metrics.Simulation;

namespace Resilience.Metrics.Demo;

/// <summary>
/// The demo: starts the simulated backends, drives traffic through monitored HttpClients while a scripted
/// scenario injects faults, shows live progress, then prints the reports and writes them to files; with
/// <c>--serve</c> it also serves <c>/monitoring/*</c> and the live dashboard on 127.0.0.1.
/// </summary>
internal static class DemoProgram
{
    /// <summary>Exit code of a successful run.</summary>
    public const int Success = 0;

    /// <summary>Exit code of a run that could not start (for example, the port is taken).</summary>
    public const int Failure = 1;

    /// <summary>Exit code of a bad command line.</summary>
    public const int BadArguments = 2;

    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(10);

    /// <summary>Runs the demo, writing everything to <paramref name="output"/> (plain lines, as when redirected).</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where progress, reports and errors go.</param>
    /// <param name="cancellationToken">Stops the run (Ctrl+C): the load stops, the reports are still written.</param>
    public static Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken) =>
        RunAsync(args, output, output, interactive: false, cancellationToken);

    /// <summary>Runs the demo.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where progress and reports go.</param>
    /// <param name="error">Where command-line and start-up errors go.</param>
    /// <param name="interactive">Whether <paramref name="output"/> is a terminal (a status line rewritten in place).</param>
    /// <param name="cancellationToken">Stops the run (Ctrl+C): the load stops, the reports are still written.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool interactive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        var options = DemoOptions.Parse(args, out var message);
        if (options is null)
        {
            await error.WriteLineAsync($"error: {message}").ConfigureAwait(false);
            await error.WriteLineAsync("Run with --help to see the flags.").ConfigureAwait(false);
            return BadArguments;
        }

        if (options.Help)
        {
            await output.WriteLineAsync(DemoOptions.Usage).ConfigureAwait(false);
            return Success;
        }

        var backends = options.Backends.Select(DemoBackend.Of).ToList();
        SimulatedBackendServer? simulation = null;
        WebApplication? app = null;
        var serving = false;
        try
        {
            if (backends.Any(b => !options.IsReal(b.Api)))
            {
                simulation = await SimulatedBackendServer.StartAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                foreach (var backend in backends.Where(b => !options.IsReal(b.Api)))
                {
                    var control = simulation[backend.Api];
                    control.Latency = backend.Latency(seed: 100 + (int)backend.Api);
                    control.CompletionTokens = backend.CompletionTokens;
                    control.StreamChunkDelay = backend.ChunkDelay;
                }
            }

            app = BuildApp(options, backends, simulation);
            Uri? dashboard = null;
            if (options.Serve)
            {
                try
                {
                    await app.StartAsync(cancellationToken).ConfigureAwait(false);
                    serving = true;
                }
                catch (IOException e)
                {
                    await error.WriteLineAsync($"error: cannot listen on 127.0.0.1:{options.Port}: {e.Message} Try another --port.").ConfigureAwait(false);
                    return Failure;
                }

                var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
                dashboard = new Uri(new Uri(address), "monitoring/dashboard");
            }

            await PrintIntroAsync(output, options, backends, simulation, dashboard).ConfigureAwait(false);
            var elapsed = await RunLoadAsync(app.Services, options, backends, simulation, output, interactive, cancellationToken).ConfigureAwait(false);
            await PrintResultsAsync(app.Services, options, backends, output, elapsed).ConfigureAwait(false);

            if (options.Serve && !cancellationToken.IsCancellationRequested)
            {
                await output.WriteLineAsync($"The load has stopped; still serving {dashboard} and /monitoring/*. Press Ctrl+C to stop.").ConfigureAwait(false);
                await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C: stop serving.
                }
            }

            return Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled while starting.
            return Success;
        }
        finally
        {
            if (app is not null)
            {
                if (serving)
                {
                    await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                }

                await app.DisposeAsync().ConfigureAwait(false);
            }

            if (simulation is not null)
            {
                await simulation.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static WebApplication BuildApp(DemoOptions options, List<DemoBackend> backends, SimulatedBackendServer? simulation)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(DemoProgram).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // The demo's flags decide everything: no appsettings or ASPNETCORE_URLS may rebind it to another address.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, NoConsoleLifetime>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(3));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, options.Port); // 127.0.0.1 only
        });

        foreach (var backend in backends)
        {
            var real = options.BackendUrls.GetValueOrDefault(backend.Api);
            var client = builder.Services
                .AddHttpClient(backend.Name, c =>
                {
                    c.BaseAddress = real ?? simulation!.BaseAddressOf(backend.Api);
                    c.Timeout = Timeout.InfiniteTimeSpan; // the load generator and the attempt timeouts bound requests
                })
                .AddApiMonitoring(backend.Configure);
            if (real is not null)
            {
                var key = Environment.GetEnvironmentVariable(backend.KeyVariable);
                client.AddHttpMessageHandler(() => new RealEndpointCredentials(backend.Api, key));
            }
        }

        var app = builder.Build();
        if (options.Serve)
        {
            app.MapGet("/", () => Results.Redirect("/monitoring/dashboard"));
            app.MapApiMonitoring();
        }

        return app;
    }

    private static async Task PrintIntroAsync(TextWriter output, DemoOptions options, List<DemoBackend> backends, SimulatedBackendServer? simulation, Uri? dashboard)
    {
        var run = options.Duration is { } d ? $"{d.TotalSeconds:0.#} s" : "until Ctrl+C";
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Resilience.Metrics demo: {backends.Count} backends, {options.Rps:0.#} req/s, concurrency {options.Concurrency}, {run}.")).ConfigureAwait(false);
        if (simulation is not null)
        {
            await output.WriteLineAsync($"Simulated backends on {simulation.BaseAddress} (loopback only); scripted faults repeat every {Scenario.Cycle.TotalSeconds:0} s.").ConfigureAwait(false);
        }

        foreach (var backend in backends)
        {
            string line;
            if (options.BackendUrls.TryGetValue(backend.Api, out var url))
            {
                var keySet = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(backend.KeyVariable));
                line = $"  {backend.Name,-10} real endpoint {url} (key from {backend.KeyVariable}: {(keySet ? "set" : "not set, no credential sent")})";
            }
            else
            {
                line = string.Create(CultureInfo.InvariantCulture,
                    $"  {backend.Name,-10} simulated, median {backend.Median.TotalMilliseconds,4:0} ms, attempt timeout {backend.AttemptTimeout.TotalSeconds:0.0} s, {backend.StreamShare * 100,3:0} % streamed");
            }

            await output.WriteLineAsync(line).ConfigureAwait(false);
        }

        if (dashboard is not null)
        {
            await output.WriteLineAsync($"Dashboard: {dashboard}").ConfigureAwait(false);
            await output.WriteLineAsync($"Endpoints: {new Uri(dashboard, "metrics")}, {new Uri(dashboard, "report")}, {new Uri(dashboard, "traces")}").ConfigureAwait(false);
        }

        await output.WriteLineAsync().ConfigureAwait(false);
        await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static async Task<TimeSpan> RunLoadAsync(
        IServiceProvider services,
        DemoOptions options,
        List<DemoBackend> backends,
        SimulatedBackendServer? simulation,
        TextWriter output,
        bool interactive,
        CancellationToken cancellationToken)
    {
        var reporter = services.GetRequiredService<IMetricsReporter>();
        var names = backends.Select(b => b.Name).ToList();

        // Register every backend's pipeline now, so reports list each of them from the first second.
        var factory = services.GetRequiredService<IHttpClientFactory>();
        foreach (var name in names)
        {
            factory.CreateClient(name).Dispose();
        }

        using var load = new LoadGenerator(factory, backends, options);
        var display = new ProgressDisplay(output, interactive, reporter, names, load, options.Duration, TimeProvider.System);
        load.CycleStarted += cycle =>
        {
            if (simulation is not null)
            {
                foreach (var backend in backends.Where(b => !options.IsReal(b.Api)))
                {
                    simulation[backend.Api].FaultPlan = Scenario.PlanFor(backend.Api, cycle);
                }
            }

            if (cycle > 0)
            {
                display.Event(display.Elapsed, $"scenario: cycle {cycle + 1} starts (the script repeats every {Scenario.Cycle.TotalSeconds:0} s)");
            }
        };
        load.StepStarted += (at, step) =>
        {
            if (step.RateLimitBurst is { } share && simulation is not null)
            {
                simulation[step.Api].RateLimits.Burst(share);
            }

            display.Event(display.Elapsed, $"{SimulatedBackendServer.PrefixOf(step.Api)}: {step.Description}");
        };

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.Duration is { } duration)
        {
            stop.CancelAfter(duration);
        }

        using var progressStop = new CancellationTokenSource();
        var progress = display.RunAsync(progressStop.Token);
        await load.RunAsync(Drain, stop.Token, cancellationToken).ConfigureAwait(false);
        var elapsed = display.Elapsed;
        await progressStop.CancelAsync().ConfigureAwait(false);
        await progress.ConfigureAwait(false);
        display.Refresh(final: true);
        return options.Duration is { } d && elapsed > d ? d : elapsed;
    }

    private static async Task PrintResultsAsync(IServiceProvider services, DemoOptions options, List<DemoBackend> backends, TextWriter output, TimeSpan elapsed)
    {
        var reporter = services.GetRequiredService<MetricsReporter>();
        var names = backends.Select(b => b.Name).ToList();
        await output.WriteLineAsync().ConfigureAwait(false);
        foreach (var name in names)
        {
            await output.WriteLineAsync(reporter.GetAsciiReport(name).TrimEnd()).ConfigureAwait(false);
            await output.WriteLineAsync().ConfigureAwait(false);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Summary ({elapsed.TotalSeconds:0.0} s of load)")).ConfigureAwait(false);
        await output.WriteLineAsync(SummaryTable.Format(reporter, names, elapsed)).ConfigureAwait(false);

        var written = await OutputFiles.WriteAsync(options.Output, reporter, CancellationToken.None).ConfigureAwait(false);
        await output.WriteLineAsync($"Wrote to {Path.GetFullPath(options.Output)}: {string.Join(", ", written.Select(Path.GetFileName))}").ConfigureAwait(false);
        await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The demo handles Ctrl+C itself (it still prints and writes its reports): the host must not.</summary>
    private sealed class NoConsoleLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
