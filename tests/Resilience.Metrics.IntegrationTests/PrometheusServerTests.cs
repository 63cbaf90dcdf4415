using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Resilience.Metrics.IntegrationTests;

public class PrometheusServerTests
{
    [Fact]
    public async Task A_real_prometheus_scrapes_the_app_and_promql_returns_the_reporters_totals()
    {
        var prometheus = ExternalTools.Require("prometheus");
        await using var app = await MonitoringApp.StartAsync();
        await app.SendTrafficAsync(times: 3);
        var directory = Directory.CreateTempSubdirectory("resilience-metrics-prometheus-");
        var port = FreePort();
        var config = Path.Combine(directory.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: app
                metrics_path: /monitoring/metrics
                static_configs:
                  - targets: ["127.0.0.1:{app.Address.Port}"]
            """, TestContext.Current.CancellationToken);

        using var server = Process.Start(new ProcessStartInfo(prometheus,
            $"--config.file={config} --storage.tsdb.path={Path.Combine(directory.FullName, "data")} --web.listen-address=127.0.0.1:{port} --log.level=warn")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            var openai = await QueryUntilPresentAsync(http, "api_requests_total{api=\"openai\",job=\"app\"}");
            var all = await QueryUntilPresentAsync(http, "sum(api_requests_total{job=\"app\"})");
            var tokens = await QueryUntilPresentAsync(http, "sum by (api) (api_tokens_total{api=\"anthropic\"})");

            var reporter = app.Reporter;
            Assert.Equal(reporter.GetMetricsReport("openai").TotalRequests, openai);
            Assert.Equal(reporter.Backends.Sum(b => reporter.GetMetricsReport(b).TotalRequests), all);
            var anthropic = reporter.GetMetricsReport("anthropic").TokenCounts;
            Assert.Equal(anthropic.Prompt + anthropic.Completion, tokens);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(CancellationToken.None);
            directory.Delete(recursive: true);
        }
    }

    private static async Task<double> QueryUntilPresentAsync(HttpClient http, string promql)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                using var document = JsonDocument.Parse(await http.GetStringAsync($"api/v1/query?query={Uri.EscapeDataString(promql)}", timeout.Token));
                var result = document.RootElement.GetProperty("data").GetProperty("result");
                if (result.GetArrayLength() > 0)
                {
                    return double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250, timeout.Token);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
