using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Resilience.Metrics.Demo.Tests;

[Collection(DemoRuns.Name)]
public sealed class DashboardPageTests
{
    private const string Chromium = "/usr/bin/chromium";

    /// <summary>Seconds of live data before the assertions and the screenshot (<c>DEMO_DASHBOARD_SECONDS</c> to change).</summary>
    private static readonly double LiveSeconds =
        double.TryParse(Environment.GetEnvironmentVariable("DEMO_DASHBOARD_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : 8;

    [Fact]
    public async Task MapApiMonitoring_serves_a_self_contained_dashboard_page()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddApiMonitoring();
        await using var app = builder.Build();
        app.MapApiMonitoring("/ops");
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address) };

        using var response = await http.GetAsync("/ops/dashboard", TestContext.Current.CancellationToken);
        var page = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("fetch(\"report\"", page, StringComparison.Ordinal);       // relative: works under any prefix
        Assert.DoesNotMatch("<script[^>]+src=|<link[^>]+href=\"(?!data:)|@import|url\\(", page);  // nothing loaded from elsewhere
        var urls = Regex.Matches(page, "https?://[^\"'\\s)]+").Select(m => m.Value).Distinct();
        Assert.All(urls, url => Assert.Equal("http://www.w3.org/2000/svg", url));  // the SVG namespace, not a fetch
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_dashboard_renders_live_charts_and_a_circuit_timeline_in_headless_Chromium()
    {
        if (!File.Exists(Chromium))
        {
            ExternalTools.Missing($"{Chromium} is not installed (CI installs it: apt-get install chromium)");
        }

        var output = Path.Combine(Path.GetTempPath(), "resilience-metrics-dashboard-" + Guid.NewGuid().ToString("N"));
        await using var demo = DemoHarness.Start("--serve", "--port", "0", "--rps", "40", "--output", output);
        var dashboard = await demo.DashboardAsync(TimeSpan.FromSeconds(30));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } });
        var errors = new List<string>();
        page.PageError += (_, message) => errors.Add(message);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };

        await page.GotoAsync(dashboard.AbsoluteUri);
        var polls = (int)Math.Max(4, LiveSeconds);
        await page.WaitForFunctionAsync($"() => +document.body.dataset.polls >= {polls}", null, new() { Timeout = (float)(LiveSeconds + 30) * 1000 });

        Assert.Empty(errors);
        Assert.Equal("11", await page.GetAttributeAsync("body", "data-backends"));
        Assert.True(await Number(page, "#kpi-rps", "data-value") > 0, "request rate");
        Assert.True(await Number(page, "#kpi-success", "data-value") > 0, "success rate");
        Assert.True(await Number(page, "#kpi-p95", "data-value") > 0, "p95");
        foreach (var chart in new[] { "#chart-rate", "#chart-success", "#chart-latency", "#chart-queue" })
        {
            Assert.True(await Number(page, chart, "data-points") > 0, $"{chart} drew no point");
            Assert.True(await page.Locator($"{chart} path[data-points]").CountAsync() > 0, $"{chart} has no line");
        }

        var rows = page.Locator("#timeline g.tl-row");
        Assert.Equal(11, await rows.CountAsync());
        for (var i = 0; i < 11; i++)
        {
            Assert.True(int.Parse(await rows.Nth(i).GetAttributeAsync("data-segments") ?? "0", CultureInfo.InvariantCulture) > 0);
            Assert.Matches("^(CLOSED|OPEN|HALF-OPEN)$", await rows.Nth(i).GetAttributeAsync("data-state") ?? "");
        }

        Assert.True(await page.Locator("#timeline rect.seg").CountAsync() >= 11);
        Assert.Equal(7, await page.Locator("#chart-errors rect.bar").CountAsync());
        Assert.Equal(11, await page.Locator("#backends tbody tr").CountAsync());
        Assert.True(await page.Locator("#models tbody tr").CountAsync() >= 11);

        var screenshot = Path.Combine(AppContext.BaseDirectory, "TestResults", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        var png = await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        TestContext.Current.AddAttachment("dashboard.png", png, "image/png");
        TestContext.Current.SendDiagnosticMessage($"Dashboard screenshot: {screenshot}");

        Assert.Equal(0, await demo.StopAsync());
        Assert.True(File.Exists(Path.Combine(output, "report.json")), demo.Output);
        Directory.Delete(output, recursive: true);
    }

    [Fact]
    public async Task A_page_opened_after_fifteen_minutes_draws_them_at_once_with_the_windowed_p95_rising_and_falling()
    {
        if (!File.Exists(Chromium))
        {
            ExternalTools.Missing($"{Chromium} is not installed (CI installs it: apt-get install chromium)");
        }

        // A real app on a fake clock: 15 minutes of traffic in no time, 10 healthy, 2 slow, 3 healthy again.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-15));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddApiMonitoring();
        await using var app = builder.Build();
        app.MapApiMonitoring();
        await app.StartAsync(TestContext.Current.CancellationToken);
        var collector = app.Services.GetRequiredService<MetricsCollector>();
        var backend = collector.RegisterBackend("openai");
        for (var second = 0; second < 15 * 60; second++)
        {
            var slow = second is >= 600 and < 720;
            for (var i = 0; i < 4; i++)
            {
                collector.RecordRequest(new RequestCompleted(backend) { Latency = TimeSpan.FromMilliseconds(slow ? 900 + i : 100 + i), Succeeded = true, Attempts = 1 });
            }

            time.Advance(TimeSpan.FromSeconds(1));
        }

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } });
        var errors = new List<string>();
        page.PageError += (_, message) => errors.Add(message);
        await page.GotoAsync(address + "/monitoring/dashboard");
        await page.WaitForFunctionAsync("() => +document.body.dataset.polls >= 1", null, new() { Timeout = 30_000 });

        Assert.Empty(errors);
        Assert.True(await Number(page, "body", "data-history-samples") >= 179, "the server's slices were not loaded");
        var line = page.Locator("#chart-latency path[data-series='openai']");
        Assert.True(await Number(page, "#chart-latency path[data-series='openai']", "data-points") >= 170, "the latency chart did not draw the history at once");

        // SVG y grows downwards: the p95 line starts low, peaks during the slow minutes, and is low again at the end.
        var ys = Regex.Matches(await line.GetAttributeAsync("d") ?? "", @"[ML][\d.]+,(?<y>[\d.]+)")
            .Select(m => double.Parse(m.Groups["y"].Value, CultureInfo.InvariantCulture)).ToArray();
        var peak = ys.Min();
        Assert.True(ys[0] - peak > 50, $"no rise: first y {ys[0]}, peak y {peak}");
        Assert.True(ys[^1] - peak > 50, $"no fall: last y {ys[^1]}, peak y {peak}");
        Assert.Equal(ys[0], ys[^1], 1.0);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<double> Number(IPage page, string selector, string attribute) =>
        double.Parse(await page.GetAttributeAsync(selector, attribute) ?? "0", CultureInfo.InvariantCulture);
}
