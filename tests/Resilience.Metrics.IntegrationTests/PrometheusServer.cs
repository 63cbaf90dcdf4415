using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Resilience.Metrics.IntegrationTests;

/// <summary>
/// A real Prometheus server (Debian's `prometheus`) scraping loopback targets every second, queried over its HTTP API.
/// Disposing it stops the server and deletes its data.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _directory;

    private PrometheusServer(Process process, DirectoryInfo directory, int port)
    {
        _process = process;
        _directory = directory;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    }

    /// <summary>The server's HTTP API.</summary>
    public HttpClient Http { get; }

    /// <summary>Starts a server that scrapes <paramref name="metricsPath"/> of every target.</summary>
    public static async Task<PrometheusServer> StartAsync(string prometheus, string metricsPath, IEnumerable<Uri> targets, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("resilience-metrics-prometheus-");
        var port = FreePort();
        var config = Path.Combine(directory.FullName, "prometheus.yml");
        var list = string.Join(", ", targets.Select(t => $"\"127.0.0.1:{t.Port}\""));
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: app
                metrics_path: {metricsPath}
                static_configs:
                  - targets: [{list}]
            """, cancellationToken);

        var process = Process.Start(new ProcessStartInfo(prometheus,
            $"--config.file={config} --storage.tsdb.path={Path.Combine(directory.FullName, "data")} --web.listen-address=127.0.0.1:{port} --log.level=warn")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        return new PrometheusServer(process, directory, port);
    }

    /// <summary>
    /// The result of <paramref name="promql"/> once it has a series (rates need two scrapes), or null when none came
    /// within a minute: a guard against hanging, far above what a scrape needs.
    /// </summary>
    public async Task<JsonElement?> WaitForSeriesAsync(string promql)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            while (true)
            {
                try
                {
                    using var document = JsonDocument.Parse(await Http.GetStringAsync($"api/v1/query?query={Uri.EscapeDataString(promql)}", timeout.Token));
                    var result = document.RootElement.GetProperty("data").GetProperty("result");
                    if (result.GetArrayLength() > 0)
                    {
                        return result.Clone();
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(250, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>The first series' value of <paramref name="promql"/>; fails the test when no series came.</summary>
    public async Task<double> QueryValueAsync(string promql)
    {
        var result = await WaitForSeriesAsync(promql) ?? throw new Xunit.Sdk.XunitException($"No series for {promql}");
        return double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync(CancellationToken.None);
        _process.Dispose();
        _directory.Delete(recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
